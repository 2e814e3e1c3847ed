"""SQLite, with the audit trail sealed at commit and savepoint release."""

from django.db.backends.sqlite3 import base

from compliance.sealing import SealingMixin


class DatabaseWrapper(SealingMixin, base.DatabaseWrapper):
    pass
