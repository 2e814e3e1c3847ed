"""The sealer: chains committed audit entries into the hash chain, after the fact
(docs/architecture/audit.md, "Hash chain" and "Sealing").

Writers insert entries plainly and take no lock. ``seal_pending`` — run every second by celery
beat (``compliance.seal_audit_entries``), by ``manage.py run_timers`` in the embedded default, and
by ``manage.py audit_seal`` — takes the one chain lock, reads the head (the last seal), and seals
the entries after it in ``(xact_id, id)`` order: for each, one row of ``AuditSeal`` (chain index,
previous hash, hash), inserted; entries are never updated.

It never seals past a transaction still in flight. On PostgreSQL each entry records the id of the
transaction that inserted it (``xact_id``, ``pg_current_xact_id()``), and only entries whose
transaction id is below ``pg_snapshot_xmin(pg_current_snapshot())`` — every transaction older
than that has ended, so its entries are all visible or gone for good — are sealed, in the same
statement that reads them. Any transaction that will still insert an entry has, or will get, an
id at or above that horizon, so the order is final: a later run never finds an entry to put
before one already sealed. On SQLite one writer runs at a time (BEGIN IMMEDIATE), so what is
committed is all there is, in insertion order (every ``xact_id`` is 0; the order is the id).
"""

from __future__ import annotations

import logging
import time

from django.db import connections, router, transaction
from django.db.models import Q

from compliance.models import (
    AUDIT_CHAIN_LOCK_KEY,
    GENESIS_HASH,
    AuditEntry,
    AuditSeal,
    canonical_json,
    chain_hash,
    content_type_label,
)
from compliance.models.chain import hashed_columns, stored_values

logger = logging.getLogger("compliance.sealer")

BATCH_SIZE = 5000


def _lock(using: str, *, wait: bool) -> bool:
    """The chain lock for the rest of the transaction (PostgreSQL: an advisory lock; SQLite: the
    write lock BEGIN IMMEDIATE already holds). False when ``wait`` is off and another sealer
    holds it."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK_KEY])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK_KEY])
        return bool(cursor.fetchone()[0])


def chain_head(using: str) -> tuple[int, str, int, int] | None:
    """The last seal: (chain index, entry hash, its entry's xact id, its entry's id), or None."""
    return (
        AuditSeal.objects.using(using)
        .order_by("-chain_index")
        .values_list("chain_index", "entry_hash", "entry__xact_id", "entry_id")
        .first()
    )


# The oldest transaction of the snapshot still in flight (``pg_snapshot_xmin``), leaving out those
# known to belong to another database of the server (a transaction's database never changes, and
# only this database's transactions write its entries); the snapshot's xmax when none is left.
# pg_stat_activity is read during the statement, after its snapshot was taken: a transaction that
# ended in between cannot be told apart, and is waited for (it holds the horizon for one run).
_HORIZON_SQL = """
WITH snapshot AS MATERIALIZED (SELECT pg_current_snapshot() AS s)
SELECT coalesce(
    (SELECT min(x::text::bigint) FROM snapshot, pg_snapshot_xip(snapshot.s) AS x
     WHERE mod(x::text::bigint, 4294967296) NOT IN (
         SELECT backend_xid::text::bigint FROM pg_stat_activity
         WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM current_database())),
    (SELECT pg_snapshot_xmax(s)::text::bigint FROM snapshot)
)
"""


def horizon(connection) -> int:
    """PostgreSQL: every transaction of this database with a lower id has ended (committed or
    rolled back); its entries are all visible to any later snapshot, or gone for good."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # read pg_stat_activity afresh
        cursor.execute(_HORIZON_SQL)
        return int(cursor.fetchone()[0])


def sealable(using: str, head: tuple[int, str, int, int] | None, *, single_writer: bool = False):
    """The entries after ``head`` in sealing order whose transactions have ended (with
    ``single_writer``: every entry this connection sees, its own transaction's too)."""
    entries = AuditEntry.objects.using(using)
    if head is not None:
        _index, _hash, xact_id, entry_id = head
        # "(xact_id, id) after the head", with the plain ``xact_id >=`` as the index condition.
        entries = entries.filter(xact_id__gte=xact_id).filter(
            Q(xact_id__gt=xact_id) | Q(id__gt=entry_id)
        )
    if connections[using].vendor == "postgresql" and not single_writer:
        entries = entries.filter(xact_id__lt=horizon(connections[using]))
    return entries.order_by("xact_id", "id")


def seal_pending(
    *,
    using: str | None = None,
    wait: bool = True,
    limit: int | None = None,
    single_writer: bool = False,
) -> int:
    """Seal the committed entries not sealed yet (at most ``limit``); the number sealed. With
    ``wait`` off, returns 0 at once when another sealer is running.

    ``single_writer`` is for a caller that knows no other transaction writes entries — a test
    inside its own transaction, a bulk load: it seals everything the connection sees, the
    caller's own uncommitted entries included (sealed in the same transaction, so they go
    together), without waiting for transactions of other databases on the same server, which
    hold the horizon back too."""
    using = using or router.db_for_write(AuditSeal)
    sealed = 0
    started = time.monotonic()
    with transaction.atomic(using=using):
        if not _lock(using, wait=wait):
            return 0
        head = chain_head(using)
        index, prev = (head[0] + 1, head[1]) if head else (0, GENESIS_HASH)
        while limit is None or sealed < limit:
            size = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - sealed)
            found = sealable(using, head, single_writer=single_writer)
            rows = list(found.values_list("id", "xact_id", *hashed_columns())[:size])
            if not rows:
                break
            seals = []
            for row in rows:
                values = stored_values(row[2:])
                prev = chain_hash(prev, canonical_json(values, content_type_label(values[0])))
                seals.append(
                    AuditSeal(chain_index=index, entry_id=row[0], prev_hash="", entry_hash=prev)
                )
                index += 1
            previous_hash = head[1] if head else GENESIS_HASH
            for seal in seals:
                seal.prev_hash, previous_hash = previous_hash, seal.entry_hash
            AuditSeal.objects.using(using).bulk_create(seals)
            sealed += len(seals)
            last = rows[-1]
            head = (index - 1, prev, last[1], last[0])
            if len(rows) < size:
                break
    if sealed:
        logger.info("sealed %d audit entries in %.3f s", sealed, time.monotonic() - started)
    return sealed


def unsealed_count(using: str | None = None) -> int:
    """Entries not sealed yet (in flight, or waiting for the next run)."""
    using = using or router.db_for_read(AuditEntry)
    return AuditEntry.objects.using(using).filter(seal__isnull=True).count()
