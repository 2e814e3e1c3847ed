"""Benchmark: an agent's queue page through ``Case.objects.restrict()`` against stock guardian.

Seeds its own PostgreSQL database (40 queues, 1,000,000 synthetic cases by default; bulk SQL), gives
one agent ``work_queue`` on 3 queues (direct-FK ``QueueUserObjectPermission``), and times the first
page of 50 open cases ordered by ``-priority, created_at``:

* restrict: ``Case.objects.restrict(agent, "view")`` for one queue, and for all the agent's queues;
* stock:    the same agent holding ``cases.view_case`` on every case it may see in those queues, in
            guardian's generic ``UserObjectPermission`` table, read with
            ``guardian.shortcuts.get_objects_for_user(…, accept_global_perms=False)``.

Run from the project root (bench/README.md)::

    .venv/bin/python bench/restrict_queue_page.py              # full size
    .venv/bin/python bench/restrict_queue_page.py --cases 50000 --runs 50

Exit status 0 when the targets are met (restrict one-queue median <= 60 ms and <= 0.25x stock),
1 when they are not.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchdb import ensure_database
from restrict_queue_page_seed import AGENT_QUEUE_NUMBERS, AGENT_USERNAME, seed, seed_spec, seeded

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/patientcare_bench"
PAGE_SIZE = 50
TARGET_MEDIAN_MS = 60.0
TARGET_RATIO = 0.25


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases to seed")
    parser.add_argument(
        "--patients", type=int, default=None, help="patients to seed (default: cases/200, ≤ 5000)"
    )
    parser.add_argument("--runs", type=int, default=200, help="timed runs per variant")
    parser.add_argument("--warmup", type=int, default=20, help="untimed runs per variant")
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=90.0,
        help="time budget per variant (warm-up included); a slow variant stops early "
        "after at least 5 timed runs",
    )
    parser.add_argument(
        "--proposed-indexes",
        action="store_true",
        help="measure with the proposed partial indexes (created in the bench database only); "
        "without this switch they are dropped if an earlier run created them",
    )
    parser.add_argument("--reseed", action="store_true", help="seed even if the marker matches")
    parser.add_argument(
        "--explain-all", action="store_true", help="also print the plans of the other variants"
    )
    args = parser.parse_args()
    if args.cases < 1000:
        parser.error("--cases must be at least 1000")
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be >= 1 and --warmup >= 0")
    if args.patients is None:
        args.patients = max(100, min(5000, args.cases // 200))
    return args


# --- database and Django -------------------------------------------------------------------------


def setup_django(url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "patientcare.settings"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_ENV"] = "local"
    os.environ["DEBUG"] = "false"  # no query log in the timed loops
    import django

    django.setup()


# --- the proposed indexes (bench database only) ------------------------------------------------

# Open cases in page order: per queue (one queue's page), and across queues (the "all my queues"
# page, filtered by restrict() while walking the index). Named bench_* so that the script never
# touches an index the app's own migrations create.
OPEN_PREDICATE = (
    "status IN ('new', 'triaged', 'in_progress', 'waiting_on_patient', 'waiting_on_third_party')"
)
PROPOSED_INDEXES = {
    "bench_proposed_case_queue_open_idx": "(queue_id, priority DESC, created_at)",
    "bench_proposed_case_open_idx": "(priority DESC, created_at)",
}


def apply_proposed_indexes(wanted: bool) -> list[str]:
    """Create (``wanted``) or drop the proposed indexes; returns the names now present."""
    from django.db import connection

    with connection.cursor() as cursor:
        for name, columns in PROPOSED_INDEXES.items():
            quoted = connection.ops.quote_name(name)
            if wanted:
                started = time.perf_counter()
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {quoted} ON cases_case {columns} "
                    f"WHERE {OPEN_PREDICATE}"
                )
                print(f"proposed index {name} ready ({time.perf_counter() - started:.1f}s)")
            else:
                cursor.execute(f"DROP INDEX IF EXISTS {quoted}")
        if wanted:
            cursor.execute("ANALYZE cases_case")
    return list(PROPOSED_INDEXES) if wanted else []


# --- measuring -----------------------------------------------------------------------------------


MIN_TIMED_RUNS = 5


@dataclass
class Result:
    label: str
    median_ms: float
    p95_ms: float
    runs: int
    rows: int
    ids: list[int]


def measure(label: str, make_queryset: Callable, args) -> Result:
    """Build and evaluate the page (building the queryset is part of what a view pays): warm-up
    runs, then up to ``args.runs`` timed runs, within ``args.max_seconds`` for the variant."""
    deadline = time.perf_counter() + args.max_seconds
    warmup_deadline = time.perf_counter() + args.max_seconds / 4
    for _ in range(args.warmup):
        list(make_queryset())
        if time.perf_counter() > warmup_deadline:
            break
    samples: list[float] = []
    page: list = []
    while len(samples) < args.runs:
        started = time.perf_counter()
        page = list(make_queryset())
        samples.append((time.perf_counter() - started) * 1000)
        if len(samples) >= MIN_TIMED_RUNS and time.perf_counter() > deadline:
            break
    if len(samples) > 1:
        p95 = statistics.quantiles(samples, n=100, method="inclusive")[94]
    else:
        p95 = samples[0]
    result = Result(
        label, statistics.median(samples), p95, len(samples), len(page), [c.pk for c in page]
    )
    cut = "" if len(samples) == args.runs else "  (stopped by --max-seconds)"
    print(
        f"  {label:<32} median {result.median_ms:8.2f} ms   p95 {result.p95_ms:8.2f} ms"
        f"   n={len(samples)}{cut}",
        flush=True,
    )
    return result


@contextmanager
def stock_guardian() -> Iterator[None]:
    """Make guardian ignore the direct-FK ``CaseUserObjectPermission`` (guardian's own switch:
    ``enabled = False``), so that ``get_objects_for_user`` reads the generic
    ``UserObjectPermission`` table, as a project without direct-FK case grants would."""
    from cases.models import CaseUserObjectPermission

    CaseUserObjectPermission.enabled = False
    try:
        yield
    finally:
        del CaseUserObjectPermission.enabled


def explain(label: str, queryset) -> None:
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    print(f"\n--- SQL: {label}\n{connection.ops.compose_sql(sql, params)}")
    print(f"\n--- EXPLAIN (ANALYZE, BUFFERS): {label}")
    print(queryset.explain(analyze=True, buffers=True))


def dataset_sizes(agent, queue, agent_queue_ids) -> dict[str, int]:
    from django.db import connection

    from cases.workflow import OPEN_STATUSES

    open_statuses = sorted(OPEN_STATUSES)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM cases_case),"
            " (SELECT count(*) FROM cases_case WHERE status = ANY(%s)),"
            " (SELECT count(*) FROM cases_case WHERE sensitivity <> ''),"
            " (SELECT count(*) FROM cases_patient),"
            " (SELECT count(*) FROM cases_queue),"
            " (SELECT count(*) FROM cases_case WHERE queue_id = %s AND status = ANY(%s)),"
            " (SELECT count(*) FROM cases_case WHERE queue_id = ANY(%s) AND status = ANY(%s)),"
            " (SELECT count(*) FROM cases_queueuserobjectpermission),"
            " (SELECT count(*) FROM guardian_userobjectpermission WHERE user_id = %s)",
            [
                open_statuses,
                queue.pk,
                open_statuses,
                agent_queue_ids,
                open_statuses,
                agent.pk,
            ],
        )
        row = cursor.fetchone()
    keys = [
        "cases",
        "open cases",
        "sensitive cases",
        "patients",
        "queues",
        "open cases in the measured queue",
        "open cases in the agent's 3 queues",
        "queue grants (direct FK)",
        "agent's stock case grants (generic)",
    ]
    return dict(zip(keys, row, strict=True))


def run_benchmark(args, seed_seconds: float | None) -> bool:
    from guardian.shortcuts import get_objects_for_user

    from accounts.models import User
    from cases.access_scope import forget_access
    from cases.models import Case, Queue
    from cases.workflow import OPEN_STATUSES

    open_statuses = sorted(OPEN_STATUSES)
    agent = User.objects.get(username=AGENT_USERNAME)
    agent_queues = list(
        Queue.objects.filter(slug__in=[f"bench-q{n:02d}" for n in AGENT_QUEUE_NUMBERS])
    )
    queue = min(agent_queues, key=lambda q: q.slug)
    agent_queue_ids = [q.pk for q in agent_queues]

    def restrict_one():
        return (
            Case.objects.restrict(agent, "view")
            .filter(queue=queue, status__in=open_statuses)
            .order_by("-priority", "created_at")[:PAGE_SIZE]
        )

    def restrict_all():
        return (
            Case.objects.restrict(agent, "view")
            .filter(status__in=open_statuses)
            .order_by("-priority", "created_at")[:PAGE_SIZE]
        )

    def restrict_one_fresh_scope():
        # As a new request pays it: the agent's access scope (issue 18) read again each run.
        forget_access(agent)
        return restrict_one()

    def stock(base):
        return get_objects_for_user(
            agent, "cases.view_case", klass=base, accept_global_perms=False
        ).order_by("-priority", "created_at")[:PAGE_SIZE]

    def stock_one():
        return stock(Case.objects.filter(queue=queue, status__in=open_statuses))

    def stock_all():
        return stock(Case.objects.filter(status__in=open_statuses))

    indexes = apply_proposed_indexes(args.proposed_indexes)
    print(
        f"\nmeasuring: up to {args.runs} runs per variant after {args.warmup} warm-up runs, "
        f"at most {args.max_seconds:.0f}s per variant",
        flush=True,
    )
    results = {
        "restrict_one": measure("restrict, one queue", restrict_one, args),
        "restrict_all": measure("restrict, all 3 queues", restrict_all, args),
        "restrict_one_fresh": measure(
            "restrict, one queue, new scope", restrict_one_fresh_scope, args
        ),
    }
    with stock_guardian():
        results["stock_one"] = measure("stock guardian, one queue", stock_one, args)
        results["stock_all"] = measure("stock guardian, all 3 queues", stock_all, args)
        if args.explain_all:
            explain("stock guardian, one queue", stock_one())
            explain("stock guardian, all 3 queues", stock_all())
    explain("restrict, one queue (the measured page)", restrict_one())
    if args.explain_all:
        explain("restrict, all 3 queues", restrict_all())

    sizes = dataset_sizes(agent, queue, agent_queue_ids)
    return summary(args, sizes, results, queue, indexes, seed_seconds)


def summary(args, sizes: dict, results, queue, indexes: list[str], seed_seconds) -> bool:
    one, every = results["restrict_one"], results["restrict_all"]
    stock_one, stock_all = results["stock_one"], results["stock_all"]
    ratio_one = one.median_ms / stock_one.median_ms
    ratio_all = every.median_ms / stock_all.median_ms
    median_ok = one.median_ms <= TARGET_MEDIAN_MS
    ratio_ok = ratio_one <= TARGET_RATIO
    same_one = one.ids == stock_one.ids
    same_all = every.ids == stock_all.ids

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    line = "=" * 78
    print(f"\n{line}\nSUMMARY  bench/restrict_queue_page.py  (PostgreSQL, {args.database_url})")
    print(line)
    print("dataset:")
    for key, value in sizes.items():
        print(f"  {key:<40} {value:>12,}")
    if seed_seconds is not None:
        print(f"  {'seeding time (this run)':<40} {seed_seconds:>11.1f}s")
    print(f"measured queue: {queue.slug}; page: {PAGE_SIZE} open cases by -priority, created_at")
    print(f"proposed indexes: {', '.join(indexes) if indexes else 'none (the app schema as is)'}")
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"host: {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min)")
    print(f"timings (ms; n = timed runs after up to {args.warmup} warm-up runs):")
    print(f"  {'variant':<32} {'median':>9} {'p95':>9} {'n':>5} {'rows':>5}")
    for result in results.values():
        print(
            f"  {result.label:<32} {result.median_ms:>9.2f} {result.p95_ms:>9.2f}"
            f" {result.runs:>5} {result.rows:>5}"
        )
    print(f"  ratio restrict/stock, one queue    {ratio_one:>8.3f}")
    print(f"  ratio restrict/stock, all queues   {ratio_all:>8.3f}")
    print(f"  same page from restrict and stock: one queue {same_one}, all queues {same_all}")
    print("targets:")
    print(
        f"  {verdict(median_ok)}  restrict one-queue median {one.median_ms:.2f} ms"
        f" <= {TARGET_MEDIAN_MS:.0f} ms"
    )
    print(f"  {verdict(ratio_ok)}  restrict/stock one-queue {ratio_one:.3f} <= {TARGET_RATIO}")
    passed = median_ok and ratio_ok and same_one and same_all
    print(f"RESULT: {verdict(passed)}\n{line}", flush=True)
    return passed


def main() -> int:
    args = parse_args()
    ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command

    print("migrating", flush=True)
    call_command("migrate", verbosity=0)
    spec = seed_spec(args)
    seed_seconds = None
    if args.reseed or not seeded(spec):
        seed_seconds = seed(args, spec)
        print(f"seeded in {seed_seconds:.1f}s", flush=True)
    else:
        print(f"already seeded: {spec} (use --reseed to seed again)", flush=True)
    return 0 if run_benchmark(args, seed_seconds) else 1


if __name__ == "__main__":
    sys.exit(main())
