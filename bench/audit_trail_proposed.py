"""The proposed fix that ``bench/audit_trail.py --proposed`` measures (bench/README.md): page()
and csv_rows() of ``compliance/trail.py`` take the page's rows by keyset from an index-only scan
first (patched in the script's process), and an actor index that includes action (created in the
bench database only).
"""

from __future__ import annotations

import time

PROPOSED_INDEX = "bench_proposed_audit_actor_time_idx"
PROPOSED_INDEX_SQL = (
    f"CREATE INDEX IF NOT EXISTS {PROPOSED_INDEX} ON compliance_auditentry "
    '(actor_id, "timestamp" DESC, id DESC) INCLUDE (action)'
)


def _newest_first(entries, *, size: int, after=None):
    """The proposed helper of trail.py: the ``size`` entries of a search after the keyset cursor,
    newest first, as a queryset: the page's ids first (an index-only scan of the filter's own
    index), then those rows by id."""
    from django.db.models import Q

    from compliance.models import AuditEntry

    if after is not None:
        moment, index = after
        entries = entries.filter(timestamp__lte=moment).filter(
            Q(timestamp__lt=moment) | Q(id__lt=index)
        )
    keys = entries.order_by("-timestamp", "-id").values("id")[:size]
    return (
        AuditEntry.objects.filter(id__in=keys)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-id")
    )


class _KeysetEntries:
    """Hands csv_rows() its rows chunk by chunk, each chunk one keyset query, instead of one
    server-side cursor over the whole search (what the proposed csv_rows does:
    ``rows = _all_newest_first(entries)``)."""

    def __init__(self, entries):
        self.entries = entries

    def select_related(self, *fields):
        return self

    def iterator(self, chunk_size: int):
        after = None
        while True:
            count = 0
            chunk = _newest_first(self.entries, size=chunk_size, after=after)
            for entry in chunk.iterator(chunk_size=chunk_size):
                count += 1
                after = (entry.timestamp, entry.pk)
                yield entry
            if count < chunk_size:
                return


def apply_proposed(wanted: bool) -> str:
    """Create (``wanted``) or drop the proposed index; patch trail.page and trail.csv_rows."""
    from django.db import connection

    from compliance import trail

    with connection.cursor() as cursor:
        if not wanted:
            cursor.execute(f"DROP INDEX IF EXISTS {PROPOSED_INDEX}")
            return "none (compliance/trail.py and the app's indexes as they are)"
        started = time.perf_counter()
        cursor.execute(PROPOSED_INDEX_SQL)
        cursor.execute("ANALYZE compliance_auditentry")
        print(f"proposed index {PROPOSED_INDEX} ready ({time.perf_counter() - started:.1f}s)")
    original_csv_rows = trail.csv_rows

    def page(data: dict, *, size: int = trail.PAGE_SIZE):
        rows = list(_newest_first(trail.search(data), size=size + 1, after=data.get("cursor")))
        more = len(rows) > size
        rows = rows[:size]
        return trail.Page(rows, trail.encode_cursor(rows[-1]) if more and rows else None)

    def csv_rows(entries):
        return original_csv_rows(_KeysetEntries(entries))

    trail.page = page
    trail.csv_rows = csv_rows
    return (
        f"PROPOSED: keyset-first page() and csv_rows() (patched in this process), {PROPOSED_INDEX}"
    )
