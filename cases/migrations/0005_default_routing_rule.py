"""Every deployment starts with the default routing rule (category default queue)."""

from django.db import migrations


def create_default_rule(apps, schema_editor):
    rule = apps.get_model("cases", "RoutingRule")
    rule.objects.using(schema_editor.connection.alias).get_or_create(
        is_default=True,
        defaults={"name": "Default: the category's queue", "order": 2**31 - 1, "active": True},
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_routing_rules_and_sla")]

    operations = [migrations.RunPython(create_default_rule, migrations.RunPython.noop)]
