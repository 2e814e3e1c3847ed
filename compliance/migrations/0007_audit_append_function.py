"""PostgreSQL: the chain's conditional append as a server-side function
(compliance/append_function.py). Nothing on SQLite, which serialises writers itself."""

from django.db import migrations

from compliance import append_function

# compliance.models.AUDIT_CHAIN_LOCK_KEY ("PCAUDIT1"); tests/compliance/test_sealing.py checks it.
AUDIT_CHAIN_LOCK_KEY = 0x5043415544495431


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("compliance", "AuditEntry")
    schema_editor.execute(append_function.create_sql(model, AUDIT_CHAIN_LOCK_KEY))


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(append_function.DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("compliance", "0006_audit_indexes_one_per_search")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
