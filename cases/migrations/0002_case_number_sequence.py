"""The case-number source (see cases/references.py): a sequence on PostgreSQL, the
CaseNumberCounter row elsewhere."""

from django.db import migrations

SEQUENCE = "cases_case_number_seq"


def create_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} AS bigint START 1")
    else:
        counter = apps.get_model("cases", "CaseNumberCounter")
        counter.objects.using(schema_editor.connection.alias).get_or_create(name="case")


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(create_sequence, drop_sequence, elidable=False)]
