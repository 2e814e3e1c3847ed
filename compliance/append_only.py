"""The database triggers that keep the audit tables append-only (docs/architecture/audit.md,
"Append-only"), and suspending them for the one privileged deletion — the retention purge,
``manage.py audit_purge``, run as the tables' owner — and for the test suite's flush.

PostgreSQL: UPDATE, DELETE and TRUNCATE are refused on ``compliance_auditentry`` and
``compliance_auditseal`` by one trigger function, with no exception any session could switch on.
Suspending them is ``ALTER TABLE … DISABLE TRIGGER USER``, which only the tables' owner (or a
superuser) may do; the application's role owns nothing (docs/operations/database-roles.md).
SQLite: ``BEFORE UPDATE`` / ``BEFORE DELETE`` triggers, dropped and made again to suspend them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

ENTRY_TABLE = "compliance_auditentry"
SEAL_TABLE = "compliance_auditseal"
TABLES = (ENTRY_TABLE, SEAL_TABLE)
FUNCTION = "compliance_auditentry_append_only"

POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def postgresql_triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}();",
    ]


def sqlite_triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: {op} refused on {table}'); "
        "END;"
        for op in ("UPDATE", "DELETE")
    ]


def sqlite_drop(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_no_{op};" for op in ("update", "delete")]


def disable(connection) -> None:
    """Suspend the triggers (PostgreSQL: the tables' owner only). Inside a transaction they are
    back if it rolls back."""
    with connection.cursor() as cursor:
        for table in TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            else:
                for statement in sqlite_drop(table):
                    cursor.execute(statement)


def enable(connection) -> None:
    with connection.cursor() as cursor:
        for table in TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            else:
                for statement in sqlite_triggers(table):
                    cursor.execute(statement)


@contextlib.contextmanager
def suspended(connection) -> Iterator[None]:
    """The triggers off for the block, inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("Suspend the audit triggers only inside a transaction.")
    disable(connection)
    yield
    enable(connection)
