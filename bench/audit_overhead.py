"""Benchmark: the audit trail's overhead on the case-update path (auditing on vs off).

Sets up its own PostgreSQL database: an audit table pre-filled with 200,000 generated, chained
entries (bench/audit_dataset.py), a queue, a category, two agents (Agent role, ``work_queue`` on
the queue) and a few hundred open cases made through the services. Then times the two calls an
agent makes all day, each in its own transaction as in production (autocommit; the services are
atomic):

* ``cases.services.case_assign`` (the assignee alternates between the two agents);
* ``cases.services.case_transition`` (in progress <-> waiting on patient);

with auditing ON (as shipped) and OFF (``auditlog.context.disable_auditlog()`` around the call).
Row history (simple-history) stays on in both variants. The variants alternate call by call
(blocks of one call each, ABBA order) after a warm-up, so that drift of the host affects both
alike. Besides the wall time of each call, the CPU time of this thread is recorded: what the
process itself spends, as opposed to waiting for the server (and, on a busy host, for a CPU).

Run from the project root (bench/README.md)::

    .venv/bin/python bench/audit_overhead.py
    .venv/bin/python bench/audit_overhead.py --rounds 100 --entries 50000   # quick

Then, with ``--writers`` (8) concurrent writer processes, case intake (a new patient and its
case through the services, bench/audit_intake.py) for ``--intake-seconds`` per phase, auditing on
and off alternately (on, off, on, off): intakes per second of each variant. Writers take no lock
on the audit trail (the sealer chains the entries afterwards), so the audited throughput should
stay close to the unaudited one.

Exit status 0 when the ratio of medians (on/off) is at most 1.3 for each call and for both
together, and the audited intake reaches at least 0.8 of the unaudited throughput; 1 otherwise.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import audit_dataset  # noqa: E402  (bench/, next to this script)
import audit_intake  # noqa: E402
from audit_dataset import verdict  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/patientcare_bench_audit_overhead"
TARGET_RATIO = 1.3
TARGET_INTAKE_RATIO = 0.8
QUEUE_SLUG = "bench-overhead"
AGENTS = ("bench-overhead-agent-a", "bench-overhead-agent-b")
IN_PROGRESS, WAITING = "in_progress", "waiting_on_patient"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument(
        "--entries", type=int, default=200_000, help="audit entries to pre-fill (at least)"
    )
    parser.add_argument("--regenerate", action="store_true", help="generate the trail again")
    parser.add_argument("--cases", type=int, default=300, help="open cases to work on")
    parser.add_argument(
        "--rounds", type=int, default=500, help="rounds; each round runs one block per variant"
    )
    parser.add_argument("--block", type=int, default=1, help="calls of each service per block")
    parser.add_argument(
        "--warmup", type=int, default=50, help="untimed calls per service and variant"
    )
    parser.add_argument("--writers", type=int, default=8, help="concurrent intake writers")
    parser.add_argument(
        "--intake-seconds", type=float, default=15.0, help="seconds per intake phase"
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also profile N calls of each service per variant with cProfile",
    )
    args = parser.parse_args()
    if args.entries < 10_000:
        parser.error("--entries must be at least 10000")
    if args.cases < 10 or args.rounds < 2 or args.block < 1 or args.warmup < 0:
        parser.error("need --cases >= 10, --rounds >= 2, --block >= 1, --warmup >= 0")
    return args


# --- the people, queue and cases -----------------------------------------------------------------


@dataclass
class Setup:
    agents: list  # two Users
    queue: object
    cases: list  # Case instances, current state kept up to date by the loop
    created: int  # cases made by this run


def prepare(args) -> Setup:
    """Agents, queue, category and open cases; made once, reused by later runs."""
    from guardian.shortcuts import assign_perm

    from accounts.models import User
    from accounts.roles import Role, ensure_role_groups
    from accounts.services import system_user
    from cases import services
    from cases.models import Case, Category, Queue, QueueLanguage
    from compliance.audit import acting_as

    groups = ensure_role_groups()
    system = system_user()
    with acting_as(system):  # the set-up's own audit entries: by the system account
        agents = []
        for n, username in enumerate(AGENTS):
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": f"Agent{'AB'[n]}",
                    "last_name": "Bench",
                    "email": f"{username}@example.org",
                    "is_staff": True,
                },
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            user.groups.add(groups[Role.AGENT])
            agents.append(user)
        queue, _ = Queue.objects.get_or_create(
            slug=QUEUE_SLUG, defaults={"name": "Bench overhead queue"}
        )
        QueueLanguage.objects.get_or_create(queue=queue, language="en")
        category, _ = Category.objects.get_or_create(
            slug=QUEUE_SLUG,
            defaults={
                "name": "Bench overhead",
                "kind": "general_information",
                "default_queue": queue,
            },
        )
        for agent in agents:
            assign_perm("cases.work_queue", agent, queue)

    open_cases = Case.objects.filter(queue=queue, status__in=[IN_PROGRESS, WAITING])
    have = open_cases.count()
    created = 0
    if have < args.cases:
        started = time.perf_counter()
        intake = agents[0]
        for n in range(have, args.cases):
            patient = services.patient_create(
                actor=intake,
                mrn=f"BENCH-OH-{n:05d}",
                given_name="Bench",
                family_name=f"Overhead{n:05d}",
                date_of_birth=date(1950, 1, 1) + timedelta(days=37 * n % 25_000),
                phone=f"+1202555{n % 10000:04d}",
                preferred_language="en",
            )
            case = services.case_open(
                actor=intake,
                patient=patient,
                category=category,
                subject="Question about a statement",
                description="Synthetic benchmark case.",
                channel="voice",
                queue=queue,
            )
            case = services.case_transition(actor=intake, case=case, to_status=IN_PROGRESS)
            services.case_assign(actor=intake, case=case, assignee=agents[n % 2])
            created += 1
        print(
            f"made {created} open cases through the services in "
            f"{time.perf_counter() - started:.1f}s",
            flush=True,
        )
    cases = list(open_cases.order_by("pk")[: args.cases])
    return Setup(agents, queue, cases, created)


# --- the calls -----------------------------------------------------------------------------------


class Work:
    """The next call of each service, each on the next case (round robin)."""

    def __init__(self, setup: Setup):
        from cases import services

        self.services = services
        self.agents = setup.agents
        self.actor = setup.agents[0]
        self.cases = setup.cases
        self.next = {"assign": 0, "transition": 0}

    def _case(self, op: str) -> int:
        index = self.next[op]
        self.next[op] = (index + 1) % len(self.cases)
        return index

    def assign(self) -> None:
        index = self._case("assign")
        case = self.cases[index]
        a, b = self.agents
        assignee = b if case.assigned_to_id == a.pk else a
        self.cases[index] = self.services.case_assign(
            actor=self.actor, case=case, assignee=assignee
        )

    def transition(self) -> None:
        index = self._case("transition")
        case = self.cases[index]
        to_status = WAITING if case.status == IN_PROGRESS else IN_PROGRESS
        self.cases[index] = self.services.case_transition(
            actor=self.actor, case=case, to_status=to_status
        )


def variant_context(variant: str):
    from auditlog.context import disable_auditlog

    return disable_auditlog() if variant == "off" else nullcontext()


# CPU time of this thread per call, beside the wall time: what the process itself spends (Python,
# psycopg), as opposed to waiting for the server and for a CPU (bench/README.md).
CPU_MS: dict[tuple[str, str], list[float]] = {}


def timed(work: Callable[[], None], variant: str, key: tuple[str, str] | None = None) -> float:
    started, cpu = time.perf_counter(), time.thread_time()
    with variant_context(variant):
        work()
    if key is not None:
        CPU_MS.setdefault(key, []).append((time.thread_time() - cpu) * 1000)
    return (time.perf_counter() - started) * 1000


OPS = ("assign", "transition")
VARIANTS = ("on", "off")


def run_loop(args, work: Work) -> dict[tuple[str, str], list[float]]:
    calls = {"assign": work.assign, "transition": work.transition}
    print(f"warm-up: {args.warmup} calls of each service per variant", flush=True)
    for _ in range(args.warmup):
        for variant in VARIANTS:
            for op in OPS:
                timed(calls[op], variant)
    samples: dict[tuple[str, str], list[float]] = {(v, op): [] for v in VARIANTS for op in OPS}
    print(
        f"measuring: {args.rounds} rounds x {args.block} calls of each service per variant "
        "(blocks alternate on/off, ABBA)",
        flush=True,
    )
    for round_no in range(args.rounds):
        order = VARIANTS if round_no % 2 == 0 else VARIANTS[::-1]
        for variant in order:
            for _ in range(args.block):
                for op in OPS:
                    samples[(variant, op)].append(timed(calls[op], variant, (variant, op)))
        if (round_no + 1) % max(1, args.rounds // 4) == 0 or round_no + 1 == args.rounds:
            medians = "  ".join(
                f"{v}/{op} {statistics.median(samples[(v, op)]):.2f}"
                for v in VARIANTS
                for op in OPS
            )
            print(f"  round {round_no + 1:>3}/{args.rounds}: medians (ms) {medians}", flush=True)
    return samples


# --- where the difference comes from -------------------------------------------------------------

_LITERALS = re.compile(r"'[^']*'|\b\d+(?:\.\d+)?\b")


def _shape(sql: str) -> str:
    return _LITERALS.sub("?", sql)


def query_counts(work: Work) -> dict[tuple[str, str], list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    calls = {"assign": work.assign, "transition": work.transition}
    found = {}
    for op in OPS:
        for variant in VARIANTS:
            with CaptureQueriesContext(connection) as ctx, variant_context(variant):
                calls[op]()
            found[(variant, op)] = [query["sql"] for query in ctx.captured_queries]
    return found


def print_queries(found: dict[tuple[str, str], list[str]]) -> None:
    for op in OPS:
        on, off = found[("on", op)], found[("off", op)]
        print(f"\n--- queries of one case_{op} call: on {len(on)}, off {len(off)}")
        print("    ('+' marks a query that only the audited call makes)")
        remaining = Counter(_shape(sql) for sql in off)
        for n, sql in enumerate(on, start=1):
            shape = _shape(sql)
            mark = " "
            if remaining[shape] > 0:
                remaining[shape] -= 1
            else:
                mark = "+"
            shown = sql if len(sql) <= 150 else sql[:147] + "..."
            print(f"  {mark} {n:>2}. {shown}")
        missing = [shape for shape, count in remaining.items() for _ in range(count)]
        for shape in missing:
            print(f"  - (only when auditing is off) {shape[:140]}")


def profile(args, work: Work) -> None:
    calls = {"assign": work.assign, "transition": work.transition}
    for variant in VARIANTS:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.profile):
            for op in OPS:
                with variant_context(variant):
                    calls[op]()
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(
            r"(compliance|auditlog|cases|simple_history)", 30
        )
        print(f"\n--- cProfile: {args.profile} calls of each service, auditing {variant}")
        print(f"    total {stats.total_tt * 1000 / (2 * args.profile):.2f} ms per call (profiled)")
        print(out.getvalue())


# --- main ----------------------------------------------------------------------------------------


def pct(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def summary(args, dataset, setup: Setup, samples, queries) -> bool:
    from django.db import connection

    from cases.models import Case

    line = audit_dataset.LINE
    audit_dataset.print_summary_head("audit_overhead.py", args, dataset)
    print(f"  {'cases worked on (open, one queue)':<40} {len(setup.cases):>14,}")
    print(f"  {'cases in the database':<40} {Case.objects.count():>14,}")
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"host: {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min)")
    print(
        f"server: PostgreSQL {connection.pg_version // 10000}; each call is its own transaction "
        "(autocommit); row history (simple-history) on in both variants; no SLA policy"
    )
    print("timings per call (ms):")
    print(f"  {'call':<22} {'variant':<8} {'n':>5} {'median':>8} {'p95':>8} {'mean':>8}")
    rows = {}
    for op in OPS:
        for variant in VARIANTS:
            data = samples[(variant, op)]
            rows[(variant, op)] = statistics.median(data)
            print(
                f"  case_{op:<17} {variant:<8} {len(data):>5} {statistics.median(data):>8.2f}"
                f" {pct(data, 95):>8.2f} {statistics.fmean(data):>8.2f}"
            )
    both = {v: samples[(v, "assign")] + samples[(v, "transition")] for v in VARIANTS}
    for variant in VARIANTS:
        data = both[variant]
        print(
            f"  {'both':<22} {variant:<8} {len(data):>5} {statistics.median(data):>8.2f}"
            f" {pct(data, 95):>8.2f} {statistics.fmean(data):>8.2f}"
        )
    print("CPU time of the calling thread per call (ms, median; the rest of a call is waiting):")
    for op in OPS:
        on, off = (statistics.median(CPU_MS[(v, op)]) for v in VARIANTS)
        print(f"  case_{op:<17} on {on:6.2f}   off {off:6.2f}   on/off {on / off:.3f}")
    print("queries per call (CaptureQueriesContext):")
    for op in OPS:
        print(
            f"  case_{op:<17} on {len(queries[('on', op)]):>3}   off {len(queries[('off', op)]):>3}"
        )
    ratios = {op: rows[("on", op)] / rows[("off", op)] for op in OPS}
    ratios["both"] = statistics.median(both["on"]) / statistics.median(both["off"])
    print(f"ratio of medians, auditing on / off (target <= {TARGET_RATIO}):")
    passed = True
    for name, ratio in ratios.items():
        ok = ratio <= TARGET_RATIO
        passed = passed and ok
        label = f"case_{name}" if name != "both" else "both calls together"
        extra = (
            f" (+{rows[('on', name)] - rows[('off', name)]:.2f} ms per call)"
            if name != "both"
            else ""
        )
        print(f"  {verdict(ok)}  {label:<22} {ratio:6.3f}{extra}")
    print(f"RESULT: {verdict(passed)}\n{line}", flush=True)
    return passed


def concurrent_intake(args) -> dict[str, list[float]]:
    """Intakes per second with ``args.writers`` writers, auditing on and off, two phases each."""
    from compliance.sealer import seal_pending

    setup = audit_intake.prepare(args.writers)
    rates: dict[str, list[float]] = {"on": [], "off": []}
    for phase, variant in enumerate(("on", "off", "on", "off")):
        rate, _latencies = audit_intake.run_intake(
            setup,
            writers=args.writers,
            seconds=args.intake_seconds,
            variant=variant,
            tag=f"O{int(time.time())}{phase}",
        )
        rates[variant].append(rate)
        print(f"  intake, {args.writers} writers, auditing {variant}: {rate:.1f}/s", flush=True)
        seal_pending()  # the sealer's work is not part of the writers' time
    return rates


def intake_summary(args, rates) -> bool:
    on, off = statistics.fmean(rates["on"]), statistics.fmean(rates["off"])
    ratio = on / off if off else 0.0
    ok = ratio >= TARGET_INTAKE_RATIO
    print(
        f"concurrent intake, {args.writers} writers, {args.intake_seconds:g}s per phase "
        "(on, off, on, off):"
    )
    print(f"  auditing on  {', '.join(f'{r:.1f}' for r in rates['on'])} intakes/s (mean {on:.1f})")
    print(
        f"  auditing off {', '.join(f'{r:.1f}' for r in rates['off'])} intakes/s (mean {off:.1f})"
    )
    print(
        f"  {verdict(ok)}  audited / unaudited throughput {ratio:.3f} "
        f"(target >= {TARGET_INTAKE_RATIO})\n{audit_dataset.LINE}",
        flush=True,
    )
    return ok


def main() -> int:
    args = parse_args()
    dataset = audit_dataset.open_dataset(args)
    setup = prepare(args)
    work = Work(setup)
    samples = run_loop(args, work)
    queries = query_counts(work)
    print_queries(queries)
    if args.profile:
        profile(args, work)
    print(f"\nconcurrent intake: {args.writers} writers", flush=True)
    rates = concurrent_intake(args)
    passed = summary(args, dataset, setup, samples, queries)
    intake_ok = intake_summary(args, rates)
    return 0 if passed and intake_ok else 1


if __name__ == "__main__":
    sys.exit(main())
