"""The sealer (docs/architecture/audit.md): entries are inserted plainly and chained afterwards.

* ``AuditSeal``: each entry's place in the chain (chain index, previous hash, hash), moved out of
  the entries — which are then never updated — and written insert-only by the sealer. Existing
  entries keep their seals.
* ``AuditEntry.xact_id``: the inserting transaction's id (PostgreSQL ``pg_current_xact_id()``, a
  column default; SQLite 0), the sealer's order and horizon. Entries already there get the
  migrating transaction's, after every seal they have.
* The search indexes end in ``id`` instead of the chain index; one index for the sealer's order.
* Append-only triggers on both tables, without the purge's session-setting bypass (the purge is
  ``manage.py audit_purge``, as the tables' owner); the SQLite purge flag table and the
  PostgreSQL conditional append function are dropped.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import compliance.models.chain
from compliance import append_only

APPEND_FUNCTION = "compliance_audit_append_if_head(bigint, text, jsonb)"


def copy_seals(apps, schema_editor):
    schema_editor.execute(
        "INSERT INTO compliance_auditseal (chain_index, entry_id, prev_hash, entry_hash) "
        "SELECT chain_index, id, prev_hash, entry_hash FROM compliance_auditentry"
    )


def copy_seals_back(apps, schema_editor):
    raise NotImplementedError("The seals cannot be moved back into the append-only entries.")


def triggers(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {APPEND_FUNCTION};")
        schema_editor.execute(append_only.POSTGRESQL_FUNCTION, params=None)  # no purge flag
        for statement in append_only.postgresql_triggers(append_only.SEAL_TABLE):
            schema_editor.execute(statement)
    else:
        schema_editor.execute("DROP TABLE IF EXISTS compliance_audit_purge_flag;")
        for table in append_only.TABLES:
            # The table rebuilds above dropped the entries' triggers; the old delete trigger
            # honoured the purge flag table.
            for statement in append_only.sqlite_drop(table) + append_only.sqlite_triggers(table):
                schema_editor.execute(statement)


def suspend_triggers(apps, schema_editor):
    """The entry table's triggers refuse the ALTER TABLE's rewrite on neither database, but its
    rows are rewritten by the column changes on SQLite: drop the triggers first there."""
    if schema_editor.connection.vendor == "sqlite":
        for statement in append_only.sqlite_drop(append_only.ENTRY_TABLE):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0007_audit_append_function"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(suspend_triggers, migrations.RunPython.noop),
        migrations.CreateModel(
            name="AuditSeal",
            fields=[
                ("chain_index", models.PositiveBigIntegerField(primary_key=True, serialize=False)),
                ("prev_hash", models.CharField(max_length=64)),
                ("entry_hash", models.CharField(max_length=64)),
                (
                    "entry",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="seal",
                        to="compliance.auditentry",
                    ),
                ),
            ],
            options={"verbose_name": "audit seal", "ordering": ["chain_index"]},
        ),
        migrations.RunPython(copy_seals, copy_seals_back),
        migrations.AlterModelOptions(
            name="auditentry",
            options={
                "get_latest_by": "timestamp",
                "ordering": ["-timestamp", "-id"],
                "permissions": [("export_auditentry", "Export audit trail searches")],
                "verbose_name": "audit entry",
                "verbose_name_plural": "audit entries",
            },
        ),
        migrations.RemoveIndex(
            model_name="auditentry",
            name="audit_patient_time_idx",
        ),
        migrations.RemoveIndex(
            model_name="auditentry",
            name="audit_case_time_idx",
        ),
        migrations.RemoveIndex(
            model_name="auditentry",
            name="audit_action_time_idx",
        ),
        migrations.RemoveIndex(
            model_name="auditentry",
            name="audit_time_idx",
        ),
        migrations.RemoveIndex(
            model_name="auditentry",
            name="audit_actor_time_idx",
        ),
        migrations.RemoveField(
            model_name="auditentry",
            name="chain_index",
        ),
        migrations.RemoveField(
            model_name="auditentry",
            name="entry_hash",
        ),
        migrations.RemoveField(
            model_name="auditentry",
            name="prev_hash",
        ),
        migrations.AddField(
            model_name="auditentry",
            name="xact_id",
            field=models.BigIntegerField(
                db_default=compliance.models.chain.CurrentTransactionId(), editable=False
            ),
        ),
        migrations.AddField(
            model_name="chainverification",
            name="anchor",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name="chainverification",
            name="unsealed",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(
                condition=models.Q(("patient_pk__isnull", False)),
                fields=["patient_pk", "-timestamp", "-id"],
                name="audit_patient_time_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(
                condition=models.Q(("case_pk__isnull", False)),
                fields=["case_pk", "-timestamp", "-id"],
                name="audit_case_time_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(
                fields=["actor", "-timestamp", "-id"],
                include=("action",),
                name="audit_actor_time_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(
                fields=["action", "-timestamp", "-id"], name="audit_action_time_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["-timestamp", "-id"], name="audit_time_idx"),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["xact_id", "id"], name="audit_seal_order_idx"),
        ),
        migrations.RunPython(triggers, migrations.RunPython.noop),
    ]
