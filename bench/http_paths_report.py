"""What bench/http_paths.py prints: a line per phase, the scale rows, the targets of issue 18 and
the SUMMARY. Imported by that script (bench/README.md)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

from http_paths_sql import PLANNING_LIMIT_MS

CASE_PAGE_RATE, CASE_PAGE_STATEMENTS = 75.0, 12
API_CREATE_RATE, API_CREATE_STATEMENTS = 100.0, 20
QUEUE_PAGE_MS = 50.0
CLAIM_RATIO = 1.3
LOADED = 8  # the client count the rate targets are quoted at


def fmt(value: float, spec: str = ".1f") -> str:
    return "n/a" if value is None or math.isnan(value) else format(value, spec)


def print_phase(label: str, phase) -> None:
    print(
        f"  {label:>11} cases  {phase.path:<11} {phase.clients:>2} clients: "
        f"{phase.requests:>6} requests {phase.rate:7.1f} req/s  p50 {fmt(phase.percentile(50)):>7}"
        f" ms  p95 {fmt(phase.percentile(95)):>7} ms  CPU/request app "
        f"{fmt(phase.per_request_ms(phase.app_cpu)):>6} ms, db "
        f"{fmt(phase.per_request_ms(phase.db_cpu)):>6} ms ({phase.db_backends} backends)  "
        f"host busy {phase.host_busy:.0%} steal {phase.host_steal:.0%}  errors {phase.errors}",
        flush=True,
    )
    if phase.first_error:
        print(f"      first error: {phase.first_error}", flush=True)


def claim_ratio(phases: dict, scale_phases: dict) -> float:
    base, big = phases.get(("claim_next", 1)), scale_phases.get(("claim_next", 1))
    if base is None or big is None:
        return float("nan")
    return big.percentile(50) / base.percentile(50)


def print_scale(phases: dict, scale_phases: dict, cases: int, scale_cases: int) -> None:
    print("\nscale (1 client, p50 latency on loopback = server time + ~1 ms of HTTP):")
    for name in ("queue_page", "claim_next"):
        base, big = phases.get((name, 1)), scale_phases.get((name, 1))
        if base is None or big is None:
            continue
        print(
            f"  {name:<11} {cases:>11,} cases p50 {fmt(base.percentile(50)):>7} ms;  "
            f"{scale_cases:>11,} cases p50 {fmt(big.percentile(50)):>7} ms;  ratio "
            f"{fmt(big.percentile(50) / base.percentile(50), '.2f')}"
        )


@dataclass
class Targets:
    rows: list[tuple[str, bool | None, str]] = field(default_factory=list)

    def add(self, name: str, ok: bool | None, measured: str) -> None:
        self.rows.append((name, ok, measured))

    def evaluate(self, phases: dict, captures: list, scale_phases: dict, args) -> None:
        by_path = {c.path: c for c in captures}
        for path, rate, most in (
            ("case_page", CASE_PAGE_RATE, CASE_PAGE_STATEMENTS),
            ("api_create", API_CREATE_RATE, API_CREATE_STATEMENTS),
        ):
            phase = phases.get((path, LOADED))
            self.add(
                f"{path} >= {rate:g} req/s at {LOADED} clients",
                None if phase is None else phase.rate >= rate and not phase.errors,
                "not measured"
                if phase is None
                else f"{phase.rate:.1f} req/s, {phase.errors} errors",
            )
            found = by_path.get(path)
            self.add(
                f"{path} <= {most} statements per request",
                None if found is None else found.count <= most,
                "not measured"
                if found is None
                else f"{found.count} ({found.savepoints} savepoint statements)",
            )
        queue = scale_phases.get(("queue_page", 1))
        scale = f"at {args.scale_cases:,} cases"
        self.add(
            f"queue_page <= {QUEUE_PAGE_MS:g} ms server time {scale}",
            None if queue is None else queue.percentile(50) <= QUEUE_PAGE_MS and not queue.errors,
            "not measured (--no-scale)"
            if queue is None
            else f"p50 {fmt(queue.percentile(50))} ms, {queue.errors} errors",
        )
        ratio = claim_ratio(phases, scale_phases)
        claim_errors = sum(p.errors for (n, _), p in scale_phases.items() if n == "claim_next")
        self.add(
            f"claim_next {scale} <= {CLAIM_RATIO:g} x at {args.cases:,}",
            None if math.isnan(ratio) else ratio <= CLAIM_RATIO and not claim_errors,
            "not measured" if math.isnan(ratio) else f"{ratio:.2f} x (p50 at 1 client)",
        )
        worst = max(captures, key=lambda c: c.max_planning, default=None)
        slow = sum(len(c.slow_planning) for c in captures)
        self.add(
            f"no statement planning > {PLANNING_LIMIT_MS:g} ms",
            None if worst is None else slow == 0,
            "not measured"
            if worst is None
            else f"{slow} over; worst {worst.max_planning:.2f} ms ({worst.path})",
        )
        errors = sum(p.errors for p in [*phases.values(), *scale_phases.values()])
        self.add(
            "every request answered as expected (200, 201, a claim's 302)",
            errors == 0,
            f"{errors} errors",
        )

    @property
    def passed(self) -> bool:
        return all(ok is True for _name, ok, _m in self.rows)


def print_summary(
    run_id, world, args, phases, captures, scale_phases, targets, total_cases, line
) -> int:
    statements = {c.path: c for c in captures}
    print(f"\n{line}\nSUMMARY  bench/http_paths.py  (run {run_id})\n{line}")
    print(
        f"host: {os.cpu_count()} CPUs, load average "
        f"{', '.join(f'{v:.2f}' for v in os.getloadavg())}; gunicorn 2 sync workers, "
        "production settings, read auditing on, agent session verified (second factor)"
    )
    print(
        f"dataset: {total_cases:,} cases in the database ({args.cases:,} seeded); "
        f"scale rows: {'skipped' if args.no_scale else f'{args.scale_cases:,} cases'}; "
        f"{args.seconds:g}s timed per phase"
    )
    print(
        f"\n  {'path':<16} {'clients':>7} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'app ms/req':>10} {'db ms/req':>9} {'stmts':>5} {'max plan':>8} {'errors':>6} "
        f"{'busy':>5} {'steal':>5}"
    )
    for (name, clients), phase in list(phases.items()) + [
        ((f"{n}@scale", c), p) for (n, c), p in scale_phases.items()
    ]:
        found = statements.get(name)
        print(
            f"  {name:<16} {clients:>7} {phase.rate:>7.1f} {fmt(phase.percentile(50)):>8} "
            f"{fmt(phase.percentile(95)):>8} {fmt(phase.per_request_ms(phase.app_cpu)):>10} "
            f"{fmt(phase.per_request_ms(phase.db_cpu)):>9} "
            f"{found.count if found else '':>5} "
            f"{f'{found.max_planning:.2f}' if found else '':>8} {phase.errors:>6} "
            f"{phase.host_busy:>5.0%} {phase.host_steal:>5.0%}"
        )
    print(
        "  (app/db ms/req: CPU time of the gunicorn workers / of their PostgreSQL backends per "
        "request; on a busy\n  shared host (busy, steal) CPU times grow too: compare runs at "
        "similar load. stmts, max plan: one\n  warm in-process request of the path at "
        f"{args.cases:,} cases. @scale: p50 at 1 client = server time + ~1 ms of loopback HTTP)"
    )
    print("\ntargets (issue 18):")
    for name, ok, measured in targets.rows:
        verdict = {True: "PASS", False: "FAIL", None: "FAIL"}[ok]
        print(f"  {verdict}  {name:<62} {measured}")
    result = "PASS" if targets.passed else "FAIL"
    print(f"RESULT: {result}\n{line}", flush=True)
    return 0 if targets.passed else 1
