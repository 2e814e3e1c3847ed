"""The searches of bench/audit_trail.py: whom they search for (the busiest patient, user and
case, the departed user), how each is measured (timed runs, then the ``EXPLAIN (ANALYZE,
BUFFERS)`` of the SQL it sent, captured with ``connection.execute_wrapper``), and the list of
searches the compliance pages make, through ``oversight/trail.py`` itself.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

import audit_dataset_requests

SEQ_SCAN = "Seq Scan on compliance_auditentry"
# The searches' date windows, inside the generated year (2025-07-01 .. 2026-07-01).
WEEK = (date(2026, 1, 5), date(2026, 1, 11))
QUARTER = (date(2026, 1, 1), date(2026, 3, 31))
AUDIT_INDEXES: set[str] = set()  # the audit table's indexes: filled by audit_trail.main()


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
    from oversight.trail import TrailSearchForm

    form = TrailSearchForm({"cursor": next_cursor}, viewer=None)
    if not form.is_valid():
        raise RuntimeError(f"the form refused the cursor {next_cursor!r}: {form.errors}")
    return form.cleaned_data["cursor"]


def run_searches(args, subjects: Subjects) -> list[Result]:
    from compliance.models import AuditEntry
    from oversight import trail

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
