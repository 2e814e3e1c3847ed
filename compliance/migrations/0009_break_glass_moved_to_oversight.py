"""Break-the-glass left the audit kernel for the compliance officers' layer (``oversight``): the
model leaves this app's migration state; its table and rows stay (``oversight/migrations/0001``)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0008_audit_sealer"),
        ("oversight", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="BreakGlassAccess")],
            database_operations=[],
        ),
    ]
