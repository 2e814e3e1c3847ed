"""Benchmark: the compliance searches of the audit trail use indexes on 1,000,000 entries.

Loads (or reuses) the synthetic trail of bench/audit_dataset.py in its own PostgreSQL database and
runs each search the compliance pages make, through ``oversight/trail.py`` itself:

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

Exit status 0 when no plan reads compliance_auditentry with a sequential scan and every median is
at most 100 ms (--max-median-ms), 1 otherwise.
The searches and their measurement are in bench/audit_trail_searches.py.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import audit_dataset  # noqa: E402  (bench/, next to this script)
from audit_dataset import verdict  # noqa: E402
from audit_trail_searches import (  # noqa: E402
    AUDIT_INDEXES,
    QUARTER,
    SEQ_SCAN,
    WEEK,
    Result,
    Subjects,
    pick_subjects,
    run_searches,
)

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/patientcare_bench_audit"


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
    args = parser.parse_args()
    if args.entries < 10_000:
        parser.error("--entries must be at least 10000")
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be >= 1 and --warmup >= 0")
    return args


# --- main ----------------------------------------------------------------------------------------


def summary(args, dataset, subjects: Subjects, results: list[Result], analyze_s: float) -> bool:
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
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'compliance_auditentry'")
        AUDIT_INDEXES.update(row[0] for row in cursor.fetchall())
    subjects = pick_subjects()
    results = run_searches(args, subjects)
    return 0 if summary(args, dataset, subjects, results, analyze_s) else 1


if __name__ == "__main__":
    sys.exit(main())
