"""Loading the synthetic audit trail (bench/audit_dataset.py): the bench actors, then the
entries of bench/audit_dataset_requests.py hashed in chain order with
``compliance.models.compute_entry_hash`` (an ``AuditEntry`` instance holding exactly what is
loaded, continuing the chain already in the table) and loaded with PostgreSQL ``COPY`` together
with their seals (``AuditSeal``: the sealer's work done at load time), in one transaction.
"""

from __future__ import annotations

import json
import random
import time

from audit_dataset_requests import ACTOR_COUNT, ACTOR_PREFIX, SEED, Generator

PROGRESS_ROWS = 100_000

COPY_COLUMNS = (
    "id",
    "object_pk",
    "object_id",
    "object_repr",
    "action",
    "changes_text",
    "changes",
    "cid",
    "remote_addr",
    "timestamp",
    "additional_data",
    "actor_email",
    "actor_id",
    "content_type_id",
    "case_pk",
    "patient_pk",
)

# Secondary indexes of the audit table (not those behind a constraint: the primary key), dropped
# for the load and built again after it.
DROPPABLE_INDEXES_SQL = """
SELECT i.relname, pg_get_indexdef(x.indexrelid)
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
WHERE x.indrelid = 'compliance_auditentry'::regclass
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
ORDER BY i.relname
"""

FOREIGN_KEY_CHECK_SQL = """
SELECT count(*) FROM compliance_auditentry a
WHERE a.id > %s
  AND (NOT EXISTS (SELECT 1 FROM django_content_type t WHERE t.id = a.content_type_id)
       OR (a.actor_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM accounts_user u WHERE u.id = a.actor_id)))
"""


def log(started: float, message: str) -> None:
    print(f"  [{time.perf_counter() - started:7.1f}s] {message}", flush=True)


def _actors() -> list[tuple[int, str]]:
    """The bench actors (bulk-created: no audit entries of their own), as (id, email)."""
    from accounts.models import User

    wanted = [f"{ACTOR_PREFIX}{n:03d}" for n in range(1, ACTOR_COUNT + 1)]
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    missing = []
    for n, username in enumerate(wanted, start=1):
        if username not in existing:
            user = User(
                username=username,
                first_name=f"Audit{n:03d}",
                last_name="Bench",
                email=f"{username}@example.org",
                is_staff=True,
            )
            user.set_unusable_password()
            missing.append(user)
    User.objects.bulk_create(missing)
    return list(
        User.objects.filter(username__in=wanted).order_by("username").values_list("id", "email")
    )


def generate(entries: int, spec: dict) -> None:
    """Empty the audit table and fill it with ``entries`` chained entries, in one transaction (a
    failure leaves the table as it was)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from accounts.services import system_user
    from cases.models import Case, CaseEvent, Patient
    from compliance import append_only
    from compliance.models import AUDIT_CHAIN_LOCK_KEY
    from compliance.sealer import seal_pending

    started = time.perf_counter()
    print(f"generating an audit trail of {entries:,} entries", flush=True)
    with transaction.atomic(), connection.cursor() as cursor:
        # Hold the chain: no sealer can interleave with the load.
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK_KEY])
        cursor.execute("SELECT count(*) FROM compliance_auditentry")
        discarded = cursor.fetchone()[0]
        # The benchmark's own database, as its owner: the append-only triggers suspended for the
        # truncation, in this transaction only.
        append_only.disable(connection)
        cursor.execute("TRUNCATE compliance_auditseal, compliance_auditentry RESTART IDENTITY")
        append_only.enable(connection)
        cursor.execute("DELETE FROM bench_audit_dataset WHERE name = 'audit'")
        if discarded:
            log(started, f"discarded the {discarded:,} entries there were")
        system_user()  # its own (real) entries start the chain, as in any installation
        actors = _actors()
        seal_pending(single_writer=True)  # the only writer: seal those entries in this transaction
        log(started, f"{len(actors)} actors ready")
        # Check those rows' deferred foreign keys now: an index cannot be built on a table with
        # pending trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            # Skip the deferred foreign-key triggers (2 per row); FOREIGN_KEY_CHECK_SQL verifies
            # the references once at the end instead. CHECK constraints still apply to every row.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(DROPPABLE_INDEXES_SQL)
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        log(started, f"dropped {len(indexes)} secondary indexes of compliance_auditentry")

        cursor.execute(
            "SELECT chain_index, entry_hash FROM compliance_auditseal "
            "ORDER BY chain_index DESC LIMIT 1"
        )
        head = cursor.fetchone()
        first_index = head[0] + 1 if head else 0
        cursor.execute("SELECT coalesce(max(id), 0) FROM compliance_auditentry")
        last_id = cursor.fetchone()[0]
        to_generate = entries - first_index
        content_types = {
            label: ContentType.objects.get_for_model(model).pk
            for label, model in (
                ("cases.case", Case),
                ("cases.patient", Patient),
                ("cases.caseevent", CaseEvent),
            )
        }
        generator = Generator(random.Random(SEED), actors, content_types, to_generate)  # noqa: S311
        _copy_entries(cursor, generator, head, last_id, to_generate, started)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('compliance_auditentry', 'id'), "
            "(SELECT max(id) FROM compliance_auditentry))"
        )

        for _name, definition in indexes:
            cursor.execute(definition)
        log(started, f"rebuilt {len(indexes)} indexes")
        cursor.execute(FOREIGN_KEY_CHECK_SQL, [last_id])
        dangling = cursor.fetchone()[0]
        if dangling:
            raise RuntimeError(f"{dangling} generated entries reference missing rows")
        log(started, "foreign keys verified")
        seconds = time.perf_counter() - started
        cursor.execute(
            "INSERT INTO bench_audit_dataset (name, spec, seconds) VALUES ('audit', %s, %s)",
            [json.dumps({**spec, "first_index": first_index}), seconds],
        )
    with connection.cursor() as cursor:  # autocommit: VACUUM cannot run in a transaction
        cursor.execute("VACUUM ANALYZE compliance_auditentry")
        cursor.execute("VACUUM ANALYZE compliance_auditseal")
    log(started, "VACUUM ANALYZE compliance_auditentry done")


def _copy_entries(
    cursor, generator: Generator, head, last_id: int, count: int, started: float
) -> None:
    from compliance.models import GENESIS_HASH, AuditEntry, compute_entry_hash

    chain_index, prev_hash = (head[0] + 1, head[1]) if head else (0, GENESIS_HASH)
    entry = AuditEntry()  # one instance, refilled per row: what compute_entry_hash reads
    columns = ", ".join(COPY_COLUMNS)
    written = 0
    entry_id = last_id
    seals = []
    dumps = json.dumps
    with cursor.cursor.copy(f"COPY compliance_auditentry ({columns}) FROM STDIN") as copy:
        for row in generator.rows(count):
            (
                content_type_id,
                label,
                object_pk,
                object_repr,
                action,
                changes,
                actor_id,
                actor_email,
                remote_addr,
                timestamp,
                additional_data,
                cid,
                patient_pk,
                case_pk,
            ) = row
            entry.object_pk = object_pk
            entry.object_repr = object_repr
            entry.action = action
            entry.changes = changes
            entry.actor_id = actor_id
            entry.remote_addr = remote_addr
            entry.timestamp = timestamp
            entry.additional_data = additional_data
            entry.cid = cid
            entry.patient_pk = patient_pk
            entry.case_pk = case_pk
            entry_hash = compute_entry_hash(prev_hash, entry, label)
            entry_id += 1
            seals.append((chain_index, entry_id, prev_hash, entry_hash))
            copy.write_row(
                (
                    entry_id,
                    object_pk,
                    int(object_pk),
                    object_repr,
                    action,
                    "",
                    None if changes is None else dumps(changes),
                    cid,
                    remote_addr,
                    timestamp,
                    None if additional_data is None else dumps(additional_data),
                    actor_email,
                    actor_id,
                    content_type_id,
                    case_pk,
                    patient_pk,
                )
            )
            prev_hash = entry_hash
            chain_index += 1
            written += 1
            if written % PROGRESS_ROWS == 0 or written == count:
                log(started, f"entries {written:>9,} / {count:,}")
    with cursor.cursor.copy(
        "COPY compliance_auditseal (chain_index, entry_id, prev_hash, entry_hash) FROM STDIN"
    ) as copy:
        for row in seals:
            copy.write_row(row)
    log(started, f"seals {len(seals):,}")
