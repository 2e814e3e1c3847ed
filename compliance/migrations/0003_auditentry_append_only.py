"""The audit table is append-only: triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL)
unless the retention purge set its flag for the transaction (docs/architecture/audit.md)."""

from django.db import migrations

TABLE = "compliance_auditentry"
FLAG_TABLE = "compliance_audit_purge_flag"

POSTGRESQL_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION compliance_auditentry_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'TRUNCATE')
           AND coalesce(current_setting('patientcare.audit_purge', true), '') = 'on' THEN
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'audit entries are append-only: % refused on {TABLE}', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql;
    """,
    f"""
    CREATE TRIGGER compliance_auditentry_no_update BEFORE UPDATE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION compliance_auditentry_append_only();
    """,
    f"""
    CREATE TRIGGER compliance_auditentry_no_delete BEFORE DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION compliance_auditentry_append_only();
    """,
    f"""
    CREATE TRIGGER compliance_auditentry_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION compliance_auditentry_append_only();
    """,
]
POSTGRESQL_BACKWARD = [
    f"DROP TRIGGER IF EXISTS compliance_auditentry_no_truncate ON {TABLE};",
    f"DROP TRIGGER IF EXISTS compliance_auditentry_no_delete ON {TABLE};",
    f"DROP TRIGGER IF EXISTS compliance_auditentry_no_update ON {TABLE};",
    "DROP FUNCTION IF EXISTS compliance_auditentry_append_only();",
]

# Shared with the tests, which drop and recreate the triggers to tamper with the chain.
SQLITE_TRIGGERS = [
    f"""
    CREATE TRIGGER compliance_auditentry_no_update BEFORE UPDATE ON {TABLE}
    BEGIN
        SELECT RAISE(ABORT, 'audit entries are append-only: UPDATE refused on {TABLE}');
    END;
    """,
    """
    CREATE TRIGGER compliance_auditentry_no_delete BEFORE DELETE ON compliance_auditentry
    WHEN NOT EXISTS (SELECT 1 FROM compliance_audit_purge_flag)
    BEGIN
        SELECT RAISE(ABORT, 'audit entries are append-only: DELETE refused on compliance_auditentry');
    END;
    """,
]
SQLITE_FORWARD = [
    # Not a Django model on purpose: a flush must never empty it before the audit table.
    f"CREATE TABLE {FLAG_TABLE} (flag integer NOT NULL)",
    *SQLITE_TRIGGERS,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS compliance_auditentry_no_delete;",
    "DROP TRIGGER IF EXISTS compliance_auditentry_no_update;",
    f"DROP TABLE IF EXISTS {FLAG_TABLE};",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise NotImplementedError(
                f"No append-only triggers for {schema_editor.connection.vendor}."
            )
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("compliance", "0002_auditentry")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
