"""Drop auditlog's one-column indexes of the audit table: each append paid for all of them, and the
searches use the composite indexes (each leads with one of those columns). One object's history
gets audit_object_idx.

The indexes are dropped by name, not by AlterField: on SQLite an AlterField rebuilds the table,
which would drop the append-only triggers of migration 0003 with it."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


DROPPED = [
    "compliance_auditentry_action_8f80a2f9",
    "compliance_auditentry_actor_id_5385ef1c",
    "compliance_auditentry_cid_fe0c65c7",
    "compliance_auditentry_cid_fe0c65c7_like",
    "compliance_auditentry_content_type_id_d9c72f2f",
    "compliance_auditentry_object_id_c2a1b799",
    "compliance_auditentry_object_pk_b9b92017",
    "compliance_auditentry_object_pk_b9b92017_like",
    "compliance_auditentry_timestamp_310568d0",
]
RECREATED = [
    ("compliance_auditentry_action_8f80a2f9", "action"),
    ("compliance_auditentry_actor_id_5385ef1c", "actor_id"),
    ("compliance_auditentry_cid_fe0c65c7", "cid"),
    ("compliance_auditentry_content_type_id_d9c72f2f", "content_type_id"),
    ("compliance_auditentry_object_id_c2a1b799", "object_id"),
    ("compliance_auditentry_object_pk_b9b92017", "object_pk"),
    ("compliance_auditentry_timestamp_310568d0", "timestamp"),
]


def drop_indexes(apps, schema_editor):
    for name in DROPPED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def recreate_indexes(apps, schema_editor):
    for name, column in RECREATED:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(name)} "
            f"ON compliance_auditentry ({schema_editor.quote_name(column)})"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0005_actor_index_covers_action"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditentry",
                    name="action",
                    field=models.PositiveSmallIntegerField(
                        choices=[(0, "create"), (1, "update"), (2, "delete"), (3, "access")],
                        verbose_name="action",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditentry",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditentry",
                    name="cid",
                    field=models.CharField(
                        blank=True, max_length=255, null=True, verbose_name="Correlation ID"
                    ),
                ),
                migrations.AlterField(
                    model_name="auditentry",
                    name="content_type",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                        verbose_name="content type",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditentry",
                    name="object_id",
                    field=models.BigIntegerField(blank=True, null=True, verbose_name="object id"),
                ),
                migrations.AlterField(
                    model_name="auditentry",
                    name="object_pk",
                    field=models.CharField(max_length=255, verbose_name="object pk"),
                ),
                migrations.AlterField(
                    model_name="auditentry",
                    name="timestamp",
                    field=models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="timestamp"
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, recreate_indexes)],
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["content_type", "object_pk"], name="audit_object_idx"),
        ),
    ]
