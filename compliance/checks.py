"""A system check: the application's database role must not be able to rewrite the audit trail
(docs/operations/database-roles.md). PostgreSQL only; a database check, so it runs with
``manage.py check --database default`` (run it as the application's role) and before
``migrate``, which runs as the owner and is expected to warn."""

from __future__ import annotations

from django.core.checks import Tags, Warning, register
from django.db import connections

from compliance.append_only import TABLES

_PRIVILEGES_SQL = """
SELECT c.relname,
       pg_has_role(current_user, c.relowner, 'MEMBER') AS owns,
       r.rolsuper,
       has_table_privilege(c.oid, 'UPDATE'),
       has_table_privilege(c.oid, 'DELETE'),
       has_table_privilege(c.oid, 'TRUNCATE')
FROM pg_class c
JOIN pg_roles r ON r.rolname = current_user
WHERE c.oid = ANY (SELECT to_regclass(name) FROM unnest(%s::text[]) AS name)
ORDER BY c.relname
"""


def runtime_role_problems(connection) -> list[str]:
    """What the connection's role may do to the audit tables that it must not (empty: nothing)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(_PRIVILEGES_SQL, [list(TABLES)])
        rows = cursor.fetchall()
    problems = []
    for table, owns, superuser, update, delete, truncate in rows:
        if superuser:
            problems.append(f"is a superuser: it can disable the triggers of {table}")
        elif owns:
            problems.append(f"owns {table}: it can disable its append-only triggers")
        refused = [name for name, has in (("UPDATE", update), ("DELETE", delete)) if has]
        if truncate:
            refused.append("TRUNCATE")
        if refused and not superuser:
            problems.append(f"has {', '.join(refused)} on {table}")
    return problems


@register(Tags.database)
def check_audit_tables_protected(app_configs=None, databases=None, **kwargs):
    warnings = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        for problem in runtime_role_problems(connection):
            warnings.append(
                Warning(
                    f"The database role of '{alias}' {problem}.",
                    hint="Run the application as a role that may only INSERT and SELECT on the "
                    "audit tables, and migrations as their owner "
                    "(docs/operations/database-roles.md). Expected while migrating.",
                    id="compliance.W001",
                )
            )
    return warnings
