"""Benchmark: the compliance searches of the audit trail use indexes on 1,000,000 entries.

Loads (or reuses) the synthetic trail of bench/audit_dataset.py in its own PostgreSQL database and
runs each search the compliance pages make, through ``compliance/trail.py`` itself:

* the first page (``trail.page(data)``, ``data`` shaped like the search form's cleaned_data) by
  patient, user, case, action, date range, patient + date range, user + action; by user and
  user + action also for a busy user who left ten months before the end of the trail;
* the next page of the patient search (``page()`` with the cursor of the first page);
* the first chunk of the CSV export (``trail.csv_rows(trail.search(data))`` up to its first data
  row) of the patient search and of the departed user's search;
* "who accessed this patient's record" (``trail.accesses_of_patient()``);
* when trail.py has it, the break-the-glass review window (``trail.entries_during()``).

For each it prints the ``EXPLAIN (ANALYZE, BUFFERS)`` of the SQL the function sent (captured with
``connection.execute_wrapper``: the function's own SQL and parameters, passed to the driver as
``QuerySet.explain()`` does) and the median and p95 of the timed runs (the whole call: query,
rows, model instances).

Run from the project root (bench/README.md)::

    .venv/bin/python bench/audit_trail.py                    # 1,000,000 entries
    .venv/bin/python bench/audit_trail.py --entries 100000   # quick
    .venv/bin/python bench/audit_trail.py --proposed         # the proposed fix (README)

Exit status 0 when no plan reads compliance_auditentry with a sequential scan and every median is
at most 100 ms (--max-median-ms), 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import audit_dataset  # noqa: E402  (bench/, next to this script)
import audit_dataset_requests  # noqa: E402
from audit_dataset import verdict  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/patientcare_bench_audit"
SEQ_SCAN = "Seq Scan on compliance_auditentry"
# The searches' date windows, inside the generated year (2025-07-01 .. 2026-07-01).
WEEK = (date(2026, 1, 5), date(2026, 1, 11))
QUARTER = (date(2026, 1, 1), date(2026, 3, 31))
AUDIT_INDEXES: set[str] = set()  # filled in main()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--entries", type=int, default=1_000_000, help="audit entries")
    parser.add_argument("--regenerate", action="store_true", help="generate the trail again")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per search")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs per search")
    parser.add_argument(
        "--max-median-ms", type=float, default=100.0, help="target: median per search"
    )
    parser.add_argument(
        "--proposed",
        action="store_true",
        help="measure the proposed fix instead of trail.py as it is: page() and csv_rows() take "
        "the page's chain indexes from an index-only scan first (patched in this process), and "
        "an actor index that includes action (created in the bench database only); without this "
        "switch that index is dropped if an earlier run created it",
    )
    args = parser.parse_args()
    if args.entries < 10_000:
        parser.error("--entries must be at least 10000")
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be >= 1 and --warmup >= 0")
    return args


# --- what is searched ----------------------------------------------------------------------------


@dataclass
class Subjects:
    patient: int
    patient_entries: int
    user: int
    user_entries: int
    case: int
    case_entries: int
    window_actor: int
    window_start: object
    window_end: object
    departed: int
    departed_entries: int
    departed_last: object


def pick_subjects() -> Subjects:
    """The busiest patient, (still active) user and case, whose searches read the most rows, and
    the busy user who left after two months, whose entries are all old."""
    from django.db import connection

    with connection.cursor() as cursor:
        # the user who left early in the year (audit_dataset_requests.DEPARTED_AFTER)
        cursor.execute(
            "SELECT u.id, count(*), max(a.timestamp) FROM accounts_user u "
            "JOIN compliance_auditentry a ON a.actor_id = u.id WHERE u.username = %s "
            "GROUP BY u.id",
            [f"{audit_dataset_requests.ACTOR_PREFIX}{audit_dataset_requests.ACTOR_COUNT:03d}"],
        )
        departed, departed_entries, departed_last = cursor.fetchone()

        def busiest(column: str, but: int | None = None) -> tuple[int, int]:
            cursor.execute(
                f"SELECT {column}, count(*) FROM compliance_auditentry "  # noqa: S608
                f"WHERE {column} IS NOT NULL AND {column} IS DISTINCT FROM %s "
                "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
                [but],
            )
            return cursor.fetchone()

        patient, patient_entries = busiest("patient_pk")
        user, user_entries = busiest("actor_id", but=departed)  # of those still active
        case, case_entries = busiest("case_pk")
        # a break-the-glass window: the case's most active user, one hour from one of their
        # entries on it
        cursor.execute(
            "SELECT actor_id, min(timestamp) FROM compliance_auditentry WHERE case_pk = %s "
            "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
            [case],
        )
        window_actor, window_start = cursor.fetchone()
    return Subjects(
        patient,
        patient_entries,
        user,
        user_entries,
        case,
        case_entries,
        window_actor,
        window_start - timedelta(minutes=5),
        window_start + timedelta(minutes=55),
        departed,
        departed_entries,
        departed_last,
    )


# --- measuring -----------------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    call: str
    rows: int
    samples: list[float]
    plans: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        if len(self.samples) == 1:
            return self.samples[0]
        return statistics.quantiles(self.samples, n=100, method="inclusive")[94]

    @property
    def seq_scan(self) -> bool:
        return any(SEQ_SCAN in plan for plan in self.plans)

    @property
    def indexes(self) -> str:
        """The audit table's indexes the plans read."""
        found = []
        for plan in self.plans:
            for name in re.findall(r"(?:using|Index Scan on) (\w+)", plan):
                if name in AUDIT_INDEXES and name not in found:
                    found.append(name)
        return ", ".join(found) or "-"


@dataclass
class Captured:
    sql: str
    params: object
    declare: str  # "" for a plain query; the DECLARE … FOR of a server-side cursor


@contextmanager
def capture_audit_queries(into: list[Captured]):
    """Collect the queries on the audit table that run inside: SQL, parameters, and how a
    server-side cursor (``QuerySet.iterator()``) declared them."""
    from django.db import connection

    def wrapper(execute, sql, params, many, context):
        if "compliance_auditentry" in sql:
            raw = getattr(context["cursor"], "cursor", None)
            declare = ""
            if getattr(raw, "name", None):  # psycopg's ServerCursor: DECLARE name … FOR sql
                hold = " WITH HOLD" if raw.withhold else ""
                scroll = {None: "", True: " SCROLL", False: " NO SCROLL"}[raw.scrollable]
                declare = f"DECLARE bench_explain{scroll} CURSOR{hold} FOR "
            into.append(Captured(sql, params, declare))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


def explain(query: Captured) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of a captured query, parameters passed to the driver (what
    ``QuerySet.explain(analyze=True, buffers=True)`` does with its own query). A server-side
    cursor's query is explained as the DECLARE it was: PostgreSQL plans a cursor for its first
    rows (cursor_tuple_fraction), and runs a WITH HOLD cursor's query to the end when the
    declaring transaction commits (autocommit: at once)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query.declare + query.sql, query.params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    return plan


def measure(label: str, call: str, run: Callable[[], int], args) -> Result:
    for _ in range(args.warmup):
        run()
    samples = []
    rows = 0
    for _ in range(args.runs):
        started = time.perf_counter()
        rows = run()
        samples.append((time.perf_counter() - started) * 1000)
    captured: list[Captured] = []
    with capture_audit_queries(captured):
        run()
    result = Result(label, call, rows, samples)
    for query in captured:
        result.plans.append(explain(query))
    print(f"\n{'-' * 78}\n{label}\n  {call}")
    print(
        f"  rows {result.rows:,}; median {result.median:.2f} ms, p95 {result.p95:.2f} ms "
        f"(n={len(samples)}); queries on the audit table: {len(captured)}"
    )
    for query, plan in zip(captured, result.plans, strict=True):
        sql = query.sql if len(query.sql) <= 600 else query.sql[:600] + " …"
        print(f"  SQL: {query.declare}{sql}")
        print(f"  EXPLAIN (ANALYZE, BUFFERS){' of the cursor' if query.declare else ''}:")
        print("\n".join(f"    {line}" for line in plan.splitlines()))
    return result


# --- the searches --------------------------------------------------------------------------------


def cursor_of(next_cursor: str):
    """The next page's cursor as the search form cleans it (what the page link carries)."""
    from compliance.trail import TrailSearchForm

    form = TrailSearchForm({"cursor": next_cursor}, viewer=None)
    if not form.is_valid():
        raise RuntimeError(f"the form refused the cursor {next_cursor!r}: {form.errors}")
    return form.cleaned_data["cursor"]


def run_searches(args, subjects: Subjects) -> list[Result]:
    from compliance import trail
    from compliance.models import AuditEntry

    patient = {"patient": subjects.patient}
    searches: list[tuple[str, str, Callable[[], int]]] = []

    def first_page(label: str, data: dict) -> None:
        shown = ", ".join(f"{key}={value}" for key, value in data.items())
        searches.append((label, f"trail.page({{{shown}}})", lambda: len(trail.page(data).entries)))

    first_page("by patient (busiest)", patient)
    first_page("by user (busiest)", {"user": subjects.user})
    first_page("by user (busy, left after two months)", {"user": subjects.departed})
    first_page("by case (busiest)", {"case": subjects.case})
    first_page("by action (update)", {"action": AuditEntry.Action.UPDATE})
    first_page("by date range (one week)", {"date_from": WEEK[0], "date_to": WEEK[1]})
    first_page(
        "patient + date range (one quarter)",
        {**patient, "date_from": QUARTER[0], "date_to": QUARTER[1]},
    )
    first_page(
        "user + action (busiest user, create)",
        {"user": subjects.user, "action": AuditEntry.Action.CREATE},
    )
    first_page(
        "user + action (busy, left after two months, update)",
        {"user": subjects.departed, "action": AuditEntry.Action.UPDATE},
    )

    next_cursor = trail.page(patient).next_cursor
    if next_cursor is None:
        raise RuntimeError("the busiest patient's search has a single page: more entries needed")
    second = {**patient, "cursor": cursor_of(next_cursor)}
    searches.append(
        (
            "by patient, next page (keyset cursor)",
            f"trail.page({{patient={subjects.patient}, cursor={next_cursor!r}}})",
            lambda: len(trail.page(second).entries),
        )
    )

    def export_first_chunk(data: dict) -> Callable[[], int]:
        def run() -> int:
            rows = trail.csv_rows(trail.search(data))
            try:
                next(rows)  # the header
                next(rows)  # the first entry: the first chunk of the server-side cursor
            finally:
                rows.close()
            return 1

        return run

    for label, key, value in (
        ("CSV export of the patient search, first chunk", "patient", subjects.patient),
        ("CSV export of the departed user's search, first chunk", "user", subjects.departed),
    ):
        searches.append(
            (
                label,
                f"next(trail.csv_rows(trail.search({{{key}={value}}}))) x2",
                export_first_chunk({key: value}),
            )
        )
    searches.append(
        (
            "who accessed this patient (busiest)",
            f"trail.accesses_of_patient({subjects.patient})",
            lambda: len(trail.accesses_of_patient(subjects.patient)),
        )
    )
    entries_during = getattr(trail, "entries_during", None)
    if entries_during is not None:
        window = {
            "actor_id": subjects.window_actor,
            "case_pk": subjects.case,
            "start": subjects.window_start,
            "end": subjects.window_end,
        }
        searches.append(
            (
                "break-the-glass window (user + case + 1 hour)",
                f"trail.entries_during(actor_id={subjects.window_actor}, case_pk={subjects.case},"
                " start, end)",
                lambda: len(entries_during(**window)[0]),
            )
        )

    print(
        f"\nmeasuring: {args.runs} timed runs per search after {args.warmup} warm-up runs",
        flush=True,
    )
    return [measure(label, call, run, args) for label, call, run in searches]


# --- the proposed fix (--proposed) ---------------------------------------------------------------

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


# --- main ----------------------------------------------------------------------------------------


def summary(
    args, dataset, subjects: Subjects, results: list[Result], analyze_s: float, proposed: str
) -> bool:
    from django.db import connection

    line = audit_dataset.LINE
    audit_dataset.print_summary_head("audit_trail.py", args, dataset)
    print(f"  {'ANALYZE compliance_auditentry':<40} {analyze_s:>13.1f}s")
    print("searched:")
    print(
        f"  busiest patient: patient_pk {subjects.patient} ({subjects.patient_entries:,} entries)"
    )
    print(
        f"  busiest user:    actor_id {subjects.user} ({subjects.user_entries:,} entries; "
        "of those still active)"
    )
    print(f"  busiest case:    case_pk {subjects.case} ({subjects.case_entries:,} entries)")
    print(
        f"  departed user:   actor_id {subjects.departed} ({subjects.departed_entries:,} entries,"
        f" the last on {subjects.departed_last:%Y-%m-%d})"
    )
    print(f"  date ranges: {WEEK[0]}..{WEEK[1]} (week), {QUARTER[0]}..{QUARTER[1]} (quarter)")
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"host: {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('shared_buffers'), current_setting('jit')")
        buffers, jit = cursor.fetchone()
    print(
        f"server: PostgreSQL {connection.pg_version // 10000}, shared_buffers {buffers}, jit {jit}"
    )
    print(f"measured code: {proposed}")
    print(f"timings (ms; {args.runs} timed runs each):")
    width = max(len(result.label) for result in results)
    print(f"  {'search':<{width}} {'rows':>5} {'median':>8} {'p95':>8}  seq scan  index")
    for result in results:
        print(
            f"  {result.label:<{width}} {result.rows:>5} {result.median:>8.2f} {result.p95:>8.2f}"
            f"  {'YES' if result.seq_scan else 'no':<8}  {result.indexes}"
        )
    print(f"targets: no '{SEQ_SCAN}' in any plan; median <= {args.max_median_ms:.0f} ms per search")
    passed = True
    for result in results:
        ok_plan = not result.seq_scan
        ok_time = result.median <= args.max_median_ms
        passed = passed and ok_plan and ok_time
        print(
            f"  {verdict(ok_plan and ok_time)}  {result.label}: "
            f"{'sequential scan' if not ok_plan else 'index'}; median {result.median:.2f} ms"
        )
    print(f"RESULT: {verdict(passed)}\n{line}", flush=True)
    return passed


def main() -> int:
    args = parse_args()
    dataset = audit_dataset.open_dataset(args)
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE compliance_auditentry")
    analyze_s = time.perf_counter() - started
    proposed = apply_proposed(args.proposed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'compliance_auditentry'")
        AUDIT_INDEXES.update(row[0] for row in cursor.fetchall())
    subjects = pick_subjects()
    results = run_searches(args, subjects)
    return 0 if summary(args, dataset, subjects, results, analyze_s, proposed) else 1


if __name__ == "__main__":
    sys.exit(main())
