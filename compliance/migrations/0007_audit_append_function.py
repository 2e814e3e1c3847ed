"""PostgreSQL: the chain's conditional append as a server-side function — since removed.

Writers no longer chain entries: the sealer does (compliance/sealer.py), and migration 0008 drops
the function from databases that have it. A fresh database never needs it, so this migration
does nothing any more (it stays, so that the migration graph is unchanged)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("compliance", "0006_audit_indexes_one_per_search")]

    operations = []
