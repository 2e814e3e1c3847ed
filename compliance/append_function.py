"""PostgreSQL: the audit chain's conditional append as a server-side function
(docs/architecture/audit.md, "Writing entries").

The first seal of a transaction links its entries to the head the connection's last commit left
(``compliance.sealing.committed_head``) and asks the server to append them only if that is still
the head. ``compliance_audit_append_if_head(head index, head hash, rows)`` does it in one call:

1. it takes the chain lock (``pg_advisory_xact_lock``, held to the end of the transaction);
2. it reads the head — a later statement than the lock, so in READ COMMITTED it sees every
   append committed before the lock was granted (a VOLATILE function's statements each take a
   new snapshot);
3. if the head is the one given, it inserts the rows (a JSON array of column → value objects,
   read with ``jsonb_populate_recordset``) and returns each new row's id and chain index;
   otherwise it returns nothing and writes nothing, and the caller reads the head under the lock
   and inserts as always.

Why a function: the plain-SQL form (a typed VALUES list and two subqueries, with 40 parameters
bound and quoted on the client) was planned on every call; PL/pgSQL keeps its statements'
plans for the session, and the call sends three parameters (bench/audit_overhead.py). One
statement, one round trip, as before.

The function names the table's columns: a migration that changes ``AuditEntry``'s columns must
create it again (``create_sql(model)``); ``tests/compliance/test_sealing.py`` checks that the
installed function matches the model.
"""

from __future__ import annotations

NAME = "compliance_audit_append_if_head"
SIGNATURE = f"{NAME}(bigint, text, jsonb)"


def columns(model) -> list[str]:
    """The columns the function inserts: every concrete column but the primary key, in field
    order (the same as ``AuditEntry._insert_plan``)."""
    return [field.column for field in model._meta.concrete_fields if not field.primary_key]


def create_sql(model, lock_key: int) -> str:
    table = model._meta.db_table
    column_list = ", ".join(f'"{column}"' for column in columns(model))
    pk = model._meta.pk.column
    # Names from the model, not input: nothing here comes from a request.
    return f"""
CREATE OR REPLACE FUNCTION {NAME}(p_index bigint, p_hash text, p_rows jsonb)
RETURNS TABLE (out_id bigint, out_index bigint)
LANGUAGE plpgsql VOLATILE AS $function$
DECLARE
    head_index bigint;
    head_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock({lock_key:d});
    SELECT chain_index, entry_hash INTO head_index, head_hash
        FROM "{table}" ORDER BY chain_index DESC LIMIT 1;
    IF head_index IS DISTINCT FROM p_index OR head_hash IS DISTINCT FROM p_hash THEN
        RETURN;
    END IF;
    RETURN QUERY
        INSERT INTO "{table}" ({column_list})
        SELECT {column_list} FROM jsonb_populate_recordset(NULL::"{table}", p_rows)
        RETURNING "{pk}", chain_index;
END
$function$;
"""  # noqa: S608


DROP_SQL = f"DROP FUNCTION IF EXISTS {SIGNATURE};"
