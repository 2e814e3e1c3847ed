"""Benchmark: claim-next with concurrent claimers on PostgreSQL (issue 7, bench (a)).

Four claimer processes (``--workers``; processes, not threads, so the GIL does not serialise
them) claim from one queue at once, first on a fresh queue, then again after 100,000 claims
(``--aging``). Two paths are timed, each per claim and in its own transaction:

* **service**: ``cases.services.case_claim_next(actor=…, queue=…)``, everything a claim does in
  production: the candidate query, ``case_assign`` (row lock, UPDATE, row version, timeline
  event), the sealed audit entries, the live-queue announcement after commit (channels-redis when
  ``--redis-url`` is given, the default), the webhook hook (no outbox row: no case here comes
  from a partner);
* **claim step**: only what contends between claimers: ``claim_next_candidates(...).first()``
  (the service's own query: ``SELECT … FOR UPDATE SKIP LOCKED … LIMIT 1``) and an ``UPDATE`` of
  the case's assignee, then COMMIT, through the ORM as the service issues them;
* **sql**: the same claim as one statement, ``UPDATE … WHERE id = (<that query>) RETURNING id``
  in autocommit, compiled once per process: not a path of the app, but what the database does
  with four claimers when Python is out of the way.

The data (its own database, ``patientcare_bench_claim_next``, dropped and created afresh by each
run): one queue, one category, four agents (Agent role, ``work_queue`` on the queue), 2,000
synthetic patients, and unassigned open cases loaded in bulk with ``INSERT … SELECT FROM
generate_series`` (synthetic filler like bench/audit_dataset.py's trail: no opening timeline
event, no row version, no audit entry; priority, due time and age drawn at random). Before each
measurement the queue is topped up to ``--backlog`` unassigned cases and the database
``ANALYZE``d. The
100,000 aging claims are real claims through the claim step (``--aging-path step``, default) or
the service (``--aging-path service``), by the same four processes; they leave 100,000 claimed
cases in the table (and, for the claim step, 100,000 dead entries in the partial index until
autovacuum cleans them), which is what "after 100,000 claims" means.

Checks: no case is handed to two claimers (the ids every process got are all different; every
claimed case's assignee is the process that got it; no case has two ``assigned`` timeline events)
and the claim-next query's plan uses ``case_claim_next_idx``. It prints ``EXPLAIN (ANALYZE,
BUFFERS)`` of the query on the fresh and the aged table, a cProfile of service claims
(``--profile``), and a summary with PASS/FAIL against issue 16's targets: the full
service ≥ 150 claims/s with 4 claimers on the 2-core host, 0 double claims, aged latency (p50
and p95) at most twice the fresh one. The claim step and the bare SQL statement are reported
(the database's capacity), not gated: issue 16 dropped the earlier 1,000 claims/s target for
the full service (an audited claim costs milliseconds of CPU; 1,000 agents each claiming a case
a minute is ~17 claims/s).

Run from the project root (bench/README.md)::

    .venv/bin/python bench/claim_next.py
    .venv/bin/python bench/claim_next.py --aging 20000 --service-claims 800   # quick

Exit status 0 when every target passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import multiprocessing
import os
import pstats
import queue as queue_module
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from benchdb import recreate_database
from claim_next_checks import (
    Summary,
    check_no_double_claims,
    explain,
    line,
    timeline_double_claims,
    verdict,
)
from claim_next_data import (
    AGENTS,
    PATIENTS,
    World,
    load_cases,
    prepare,
    table_stats,
    top_up,
)
from claim_next_paths import CLAIMERS
from claim_next_probes import _host_cpu, _process_cpu, _statement_label, _time_commits

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/patientcare_bench_claim_next"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/2"
TARGET_CLAIMS_PER_SECOND = 150  # the full service (issue 16)
TARGET_AGED_RATIO = 2.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument(
        "--redis-url",
        default=DEFAULT_REDIS_URL,
        help="channel layer and cache of the service path ('' for the in-memory layer)",
    )
    parser.add_argument("--workers", type=int, default=4, help="concurrent claimer processes")
    parser.add_argument(
        "--backlog", type=int, default=8_000, help="unassigned cases before each measurement"
    )
    parser.add_argument(
        "--service-claims", type=int, default=2_000, help="service claims per measurement"
    )
    parser.add_argument(
        "--step-claims", type=int, default=6_000, help="claim-step claims per measurement"
    )
    parser.add_argument("--aging", type=int, default=100_000, help="claims between the two")
    parser.add_argument("--aging-path", choices=("step", "service"), default="step")
    parser.add_argument(
        "--aging-batch",
        type=int,
        default=10,
        help="aging claims per transaction (claim step only; the measured claims: one each)",
    )
    parser.add_argument(
        "--profile", type=int, default=300, metavar="N", help="cProfile N service claims (0: no)"
    )
    args = parser.parse_args()
    if not 1 <= args.workers <= len(AGENTS):
        parser.error(f"--workers must be 1..{len(AGENTS)}")
    if min(args.service_claims, args.step_claims) < 10 * args.workers:
        parser.error("need at least 10 claims per worker and measurement")
    if args.backlog < max(args.service_claims, args.step_claims) + args.workers:
        parser.error("--backlog must exceed the claims of one measurement")
    return args


# --- database and Django -------------------------------------------------------------------------


def setup_django(args) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "patientcare.settings"
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_ENV"] = "local"
    os.environ["DEBUG"] = "false"  # no query log in the timed loops
    os.environ["REDIS_URL"] = args.redis_url
    os.environ["CHANNEL_LAYER_PREFIX"] = "patientcare-bench-claim"
    os.environ["CACHE_KEY_PREFIX"] = "patientcare-bench-claim"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- the claimers --------------------------------------------------------------------------------


def _worker(kind, agent_id, queue_id, count, batch, barrier, results, profile):
    """One claimer process: ``count`` claims back to back (``batch`` per transaction); sends
    (agent, ids, latencies per transaction, start, end, profile text) to ``results``."""
    from django.db import connections

    from accounts.models import User
    from cases.models import Queue

    connections.close_all()  # never share the parent's connection
    claim = CLAIMERS[kind]
    actor = User.objects.get(pk=agent_id)
    queue = Queue.objects.get(pk=queue_id)
    actor.has_perm("cases.change_case")  # the permission cache, as a worker's long-lived user
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend_pid = cursor.fetchone()[0]
    ids, latencies = [], []
    profiler = cProfile.Profile() if profile else None
    sql_time: Counter = Counter()
    sql_count: Counter = Counter()
    if profile:
        connection = connections["default"]

        def timed(execute, sql, params, many, context):
            t0 = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                label = _statement_label(sql)
                sql_time[label] += time.perf_counter() - t0
                sql_count[label] += 1

        connection.execute_wrappers.append(timed)
        _time_commits(connection, sql_time, sql_count)
    barrier.wait()
    own_cpu, backend_cpu = _process_cpu(os.getpid()), _process_cpu(backend_pid)
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    while len(ids) < count:
        t0 = time.perf_counter()
        pks = claim(actor, queue, min(batch, count - len(ids)))
        latencies.append(time.perf_counter() - t0)
        if not pks:
            break
        ids.extend(pks)
    ended = time.perf_counter()
    own_cpu = _process_cpu(os.getpid()) - own_cpu
    backend_cpu = _process_cpu(backend_pid) - backend_cpu
    text = ""
    if profiler:
        profiler.disable()
        out = io.StringIO()
        claims = max(1, len(latencies))
        total = sum(latencies)
        out.write(
            f"worker of agent {agent_id}: {claims} claims, {total / claims * 1000:.2f} ms each "
            "on average; per claim, by statement (round trip as the process sees it):\n"
        )
        for label, seconds in sql_time.most_common():
            out.write(
                f"  {label:34s} {sql_count[label] / claims:5.2f} x  "
                f"{seconds / claims * 1000:7.3f} ms\n"
            )
        in_db = sum(sql_time.values())
        out.write(
            f"  {'all statements + COMMIT':34s}          {in_db / claims * 1000:7.3f} ms; "
            f"the rest, Python: {(total - in_db) / claims * 1000:.3f} ms\n\n"
        )
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        text = out.getvalue()
    connections.close_all()
    results.put((agent_id, ids, latencies, started, ended, text, own_cpu, backend_cpu))


@dataclass
class Run:
    kind: str
    claims: int
    seconds: float
    latencies: list[float]
    ids_by_agent: dict[int, list[int]]
    profile: str = ""
    duplicates: int = 0
    wrong_holder: int = 0
    cpu_claimers: float = 0.0  # CPU seconds of the claimer processes while they claimed
    cpu_backends: float = 0.0  # ... of their PostgreSQL backends
    cpu_host: float = 0.0  # ... of the whole host (everything: also Redis, WAL writer, ...)
    steal: float = 0.0  # seconds the hypervisor took from this VM meanwhile

    def cpu_ms_per_claim(self, seconds: float) -> float:
        return seconds / self.claims * 1000 if self.claims else 0.0

    @property
    def rate(self) -> float:
        return self.claims / self.seconds if self.seconds else 0.0

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) * 1000


def run_claimers(
    world: World, kind: str, total: int, workers: int, *, batch: int = 1, profile: bool = False
):
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(workers + 1)  # and this process, to read the host's CPU at the start
    results = context.Queue()
    share, extra = divmod(total, workers)
    processes = [
        context.Process(
            target=_worker,
            args=(
                kind,
                world.agent_ids[n],
                world.queue_id,
                share + (n < extra),
                batch,
                barrier,
                results,
                profile and n == 0,
            ),
        )
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    barrier.wait(timeout=600)
    host_cpu, steal = _host_cpu()
    gathered = []
    deadline = time.monotonic() + 1800
    while len(gathered) < len(processes):
        try:
            gathered.append(results.get(timeout=1))
        except queue_module.Empty:
            failed = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
            if failed or time.monotonic() > deadline:
                for process in processes:
                    process.terminate()
                raise SystemExit(f"a claimer process failed (exit codes {failed})") from None
    host_cpu, steal = (
        now - before for now, before in zip(_host_cpu(), (host_cpu, steal), strict=True)
    )
    for process in processes:
        process.join(60)
        if process.exitcode != 0:
            raise SystemExit(f"a claimer process failed (exit code {process.exitcode})")
    start = min(item[3] for item in gathered)
    end = max(item[4] for item in gathered)
    run = Run(
        kind=kind,
        claims=sum(len(item[1]) for item in gathered),
        seconds=end - start,
        latencies=[latency for item in gathered for latency in item[2]],
        ids_by_agent={item[0]: item[1] for item in gathered},
        profile="".join(item[5] for item in gathered),
        cpu_claimers=sum(item[6] for item in gathered),
        cpu_backends=sum(item[7] for item in gathered),
        cpu_host=host_cpu,
        steal=steal,
    )
    check_no_double_claims(run)
    return run


# --- the plan ------------------------------------------------------------------------------------


# --- report --------------------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    began = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - began:6.1f}s] {message}", flush=True)

    recreate_database(args.database_url)
    log(f"database {urlsplit(args.database_url).path.lstrip('/')} created; migrating")
    setup_django(args)
    world = prepare()
    log(
        f"{len(world.agent_ids)} agents, {PATIENTS:,} patients; {args.workers} claimer processes; "
        f"live-queue announcements via {'channels-redis' if args.redis_url else 'in-memory'}"
    )

    runs: dict[tuple[str, str], Run] = {}
    plans: dict[str, str] = {}
    for phase in ("fresh", "aged"):
        if phase == "aged":
            log(f"aging: {args.aging:,} claims through the {args.aging_path} path")
            load_cases(world, args.aging)
            aging = run_claimers(
                world, args.aging_path, args.aging, args.workers, batch=args.aging_batch
            )
            runs[("aging", args.aging_path)] = aging
            log(f"aging done: {line(aging)}")
        for kind, total in (
            ("sql", args.step_claims),
            ("step", args.step_claims),
            ("service", args.service_claims),
        ):
            top_up(world, args.backlog)
            log(f"{phase}: {table_stats()}")
            if kind == "step":
                plans[phase] = explain(world)
            run = run_claimers(world, kind, total, args.workers)
            runs[(phase, kind)] = run
            log(f"{phase} {line(run)}")

    if args.profile:
        top_up(world, args.backlog)
        profiled = run_claimers(
            world, "service", args.profile * args.workers, args.workers, profile=True
        )
        log(f"profiled ({args.workers} processes, cProfile on in one) {line(profiled)}")
        print(profiled.profile)

    for phase in ("fresh", "aged"):
        print(f"\n--- EXPLAIN (ANALYZE, BUFFERS) of the claim-next query, {phase} table ---")
        print(plans[phase])

    timeline_twice = timeline_double_claims()
    print("\n=== summary ===")
    print(
        f"host load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
        f"{os.cpu_count()} CPUs; total {time.perf_counter() - began:.0f} s"
    )
    print(table_stats())
    for key, run in runs.items():
        print(f"  {key[0]:6s} {line(run)}")
    print(
        f"CPU: cores busy for {TARGET_CLAIMS_PER_SECOND:,} claims/s at each path's measured"
        f" whole-host CPU per claim (this host has {os.cpu_count()}; the claims/s a path can reach"
        " here is at most the host's CPUs / CPU per claim):"
    )
    for kind in ("sql", "step", "service"):
        costs = [
            runs[(phase, kind)].cpu_ms_per_claim(runs[(phase, kind)].cpu_host)
            for phase in ("fresh", "aged")
        ]
        print(
            f"  {kind:8s} {min(costs):5.2f}-{max(costs):5.2f} ms per claim ->"
            f" {min(costs) * TARGET_CLAIMS_PER_SECOND / 1000:4.1f}-"
            f"{max(costs) * TARGET_CLAIMS_PER_SECOND / 1000:4.1f} cores;"
            f" ceiling here {os.cpu_count() * 1000 / max(costs):,.0f}-"
            f"{os.cpu_count() * 1000 / min(costs):,.0f} claims/s"
        )
    summary = Summary()
    duplicates = sum(run.duplicates + run.wrong_holder for run in runs.values())
    summary.add(
        f"double claims: {duplicates} over {sum(r.claims for r in runs.values()):,} claims, "
        f"{timeline_twice} cases with two 'assigned' events (target 0)",
        duplicates == 0 and timeline_twice == 0,
    )
    for phase in ("fresh", "aged"):
        summary.add(
            f"plan of claim-next ({phase}) uses case_claim_next_idx",
            "case_claim_next_idx" in plans[phase],
        )
    for kind, label in (
        ("sql", "claim step as one SQL statement (database capacity)"),
        ("step", "claim step (SKIP LOCKED select + UPDATE)"),
        ("service", "full service case_claim_next"),
    ):
        for phase in ("fresh", "aged"):
            run = runs[(phase, kind)]
            if kind != "service":
                print(f"  info  {label}, {phase}: {run.rate:,.0f} claims/s", flush=True)
                continue
            summary.add(
                f"{label}, {phase}: {run.rate:,.0f} claims/s"
                f" (target ≥ {TARGET_CLAIMS_PER_SECOND:,})",
                run.rate >= TARGET_CLAIMS_PER_SECOND,
            )
        fresh, aged = runs[("fresh", kind)], runs[("aged", kind)]
        for name, before, after in (
            ("p50", fresh.p50, aged.p50),
            ("p95", fresh.quantile(0.95), aged.quantile(0.95)),
        ):
            ratio = after / before
            summary.add(
                f"{label}, latency {name} after {args.aging:,} claims {after:.2f} ms vs fresh "
                f"{before:.2f} ms = {ratio:.2f}x (target ≤ {TARGET_AGED_RATIO:.0f}x)",
                ratio <= TARGET_AGED_RATIO,
            )
    passed = all(ok for _label, ok in summary.checks)
    print(
        f"\n{verdict(passed)}: {sum(ok for _l, ok in summary.checks)} of "
        f"{len(summary.checks)} targets met"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
