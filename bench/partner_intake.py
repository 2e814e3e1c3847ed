"""Benchmark: partner case intake (``POST /api/v1/cases/``) on the production server setup.

Sets up its own PostgreSQL database (a partner organisation with a BAA in force, three allowed
categories, a service account and a Bearer token made by ``partners.credentials``), starts the
documented production server (``bin/serve-production``: gunicorn sync workers, ``DJANGO_ENV=
production``, Redis for the cache and the channel layer) on 127.0.0.1, and opens cases the way a
partner system does — a new synthetic patient each time, a unique ``external_reference`` and
``Idempotency-Key`` — with 1, 8 and 32 concurrent clients. Per level: cases/s, p50/p95/p99 latency
and errors (any answer but 201). Then it checks that the database holds exactly one case per 201,
and that retries with the same ``Idempotency-Key`` replay the first answer without a new case. The
server is stopped at the end, whatever happened.

Run from the project root (bench/README.md)::

    .venv/bin/python bench/partner_intake.py
    .venv/bin/python bench/partner_intake.py --levels 1,4 --duration 5 --warmup 1   # quick

Exit status 0 when every intake answered 201 and the counts match (PASS), 1 otherwise. There is
no throughput target: the numbers are printed for information.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchdb import ensure_database
from partner_intake_data import (
    ACCOUNT_USERNAME,
    ORGANISATION_SLUG,
    Intakes,
    database_counts,
    prepare,
    server_connections,
)
from partner_intake_server import (
    RATE_PER_MINUTE,
    REDIS_PREFIX,
    SERVER_LOG,
    free_port,
    log_tail,
    server_environment,
    start_server,
    stop_server,
    usable_cpus,
    wait_for_health,
    wait_for_workers,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/patientcare_bench_intake"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
INTAKE_PATH = "/api/v1/cases/"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument(
        "--levels", default="1,8,32", help="concurrent clients per level, comma-separated"
    )
    parser.add_argument("--duration", type=float, default=20.0, help="timed seconds per level")
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="untimed seconds before each level"
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="GUNICORN_WORKERS (default: the script's)"
    )
    parser.add_argument(
        "--replays", type=int, default=20, help="idempotent retries checked at the end"
    )
    args = parser.parse_args()
    try:
        args.levels = [int(part) for part in args.levels.split(",") if part.strip()]
    except ValueError:
        parser.error("--levels takes whole numbers, e.g. 1,8,32")
    if not args.levels or min(args.levels) < 1:
        parser.error("--levels needs at least one level of 1 client or more")
    if args.duration <= 0 or args.warmup < 0 or args.replays < 0:
        parser.error("--duration must be > 0, --warmup and --replays >= 0")
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be at least 1")
    return args


# --- database and Django (the bench's own process: local settings, same database) ---------------


def setup_django(url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "patientcare.settings"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_ENV"] = "local"
    os.environ["DEBUG"] = "false"
    os.environ.pop("REDIS_URL", None)  # the setup opens no case: nothing to announce or enqueue
    import django

    django.setup()


# --- the partner client ---------------------------------------------------------------------------


@dataclass
class Sample:
    started: float
    seconds: float
    status: int  # 0: no answer (connection error, timeout)
    reference: str = ""
    error: str = ""


@dataclass
class Phase:
    label: str
    clients: int
    samples: list[Sample] = field(default_factory=list)
    elapsed: float = 0.0
    kept: list[tuple[str, bytes, str]] = field(default_factory=list)  # for the replay check

    @property
    def created(self) -> list[Sample]:
        return [s for s in self.samples if s.status == 201]

    @property
    def errors(self) -> list[Sample]:
        return [s for s in self.samples if s.status != 201]


def headers(token: str, key: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Idempotency-Key": key,
    }


def post_intake(conn: http.client.HTTPConnection, token: str, key: str, body: bytes):
    """One intake: (status, parsed body or None, response headers)."""
    conn.request("POST", INTAKE_PATH, body=body, headers=headers(token, key))
    response = conn.getresponse()
    raw = response.read()
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        data = None
    return response.status, data, response


def error_text(status: int, data) -> str:
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        return f"{status} {data['error'].get('code')}"
    return str(status)


def run_phase(label: str, clients: int, seconds: float, port: int, token: str, intakes) -> Phase:
    """``clients`` threads, each with its own connection (http.client reconnects when gunicorn's
    sync workers close it), posting intakes back to back until ``seconds`` have passed."""
    phase = Phase(label, clients)
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    times: dict[str, float] = {}

    def client(number: int) -> None:
        rng = random.Random(f"{intakes.run_id}-{label}-{number}")  # noqa: S311  (synthetic data)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[Sample] = []
        kept: list[tuple[str, bytes, str]] = []
        start.wait()
        deadline = times["deadline"]
        try:
            while time.perf_counter() < deadline:
                key, body = intakes.next(rng)
                began = time.perf_counter()
                try:
                    status, data, _response = post_intake(conn, token, key, body)
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    mine.append(
                        Sample(began, time.perf_counter() - began, 0, error=type(exc).__name__)
                    )
                    continue
                took = time.perf_counter() - began
                if status == 201 and isinstance(data, dict) and data.get("reference"):
                    mine.append(Sample(began, took, status, reference=data["reference"]))
                    if len(kept) < 50:
                        kept.append((key, body, data["reference"]))
                else:
                    mine.append(Sample(began, took, status, error=error_text(status, data)))
        finally:
            conn.close()
            with lock:
                phase.samples.extend(mine)
                phase.kept.extend(kept)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    times["start"] = time.perf_counter()
    times["deadline"] = times["start"] + seconds
    start.wait()
    for thread in threads:
        thread.join()
    phase.elapsed = time.perf_counter() - times["start"]
    return phase


def replay_check(
    port: int, token: str, kept: list[tuple[str, bytes, str]], count: int
) -> list[str]:
    """Retries with the same key and body: the first answer again, marked replayed. Returns the
    problems found."""
    problems = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        chosen = random.Random(7).sample(kept, min(count, len(kept)))  # noqa: S311  (which to retry)
        for key, body, reference in chosen:
            status, data, response = post_intake(conn, token, key, body)
            replayed = response.getheader("Idempotent-Replayed")
            got = data.get("reference") if isinstance(data, dict) else None
            if status != 201 or replayed != "true" or got != reference:
                problems.append(f"{reference}: {status}, replayed={replayed}, reference={got}")
    finally:
        conn.close()
    return problems


# --- reporting ------------------------------------------------------------------------------------


def percentile(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


@dataclass
class LevelRow:
    clients: int
    requests: int
    created: int
    errors: int
    rate: float
    p50: float
    p95: float
    p99: float
    max: float


def level_row(phase: Phase) -> LevelRow:
    ms = sorted(s.seconds * 1000 for s in phase.created)
    if not ms:
        ms = [float("nan")]
    return LevelRow(
        phase.clients,
        len(phase.samples),
        len(phase.created),
        len(phase.errors),
        len(phase.created) / phase.elapsed,
        percentile(ms, 50),
        percentile(ms, 95),
        percentile(ms, 99),
        ms[-1],
    )


def redis_counters(url: str) -> tuple[int, int]:
    """The server's throttle counters in Redis (keys, requests counted): proof the shared cache
    was Redis."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{REDIS_PREFIX}:*api-throttle:*", count=1000))
        values = [int(v) for v in client.mget(keys) if v is not None] if keys else []
    finally:
        client.close()
    return len(keys), sum(values)


def main() -> int:
    args = parse_args()
    run_id = secrets.token_hex(3)
    line = "=" * 78
    ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    print("migrating", flush=True)
    call_command("migrate", verbosity=0)
    setup = prepare(run_id)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM cases_case")
        cases_before = cursor.fetchone()[0]

    cpus, usable = os.cpu_count(), usable_cpus()
    workers = args.workers or 2 * usable + 1
    port = free_port()
    env = server_environment(args, port)
    intakes = Intakes(run_id, setup.category_slugs)

    print(f"\n{line}\nbench/partner_intake.py  run {run_id}\n{line}")
    print(
        f"host: {cpus} CPUs ({usable} usable by this process), shared with other work; "
        f"load average {', '.join(f'{v:.2f}' for v in os.getloadavg())} (1, 5, 15 min)"
    )
    print(
        f"server: bin/serve-production -> gunicorn patientcare.wsgi:application, {workers} sync "
        f"workers{' (2 x ' + str(usable) + ' + 1)' if args.workers is None else ''}, 1 thread "
        f"each, bind 127.0.0.1:{port}"
    )
    print(
        f"        DJANGO_ENV=production, DATABASE_CONN_MAX_AGE 60 (production default), "
        f"REDIS_URL {args.redis_url} (cache: throttle counters; channel layer), "
        f"API_RATE_PER_MINUTE={RATE_PER_MINUTE:,}, SECURE_SSL_REDIRECT=0"
    )
    print(
        f"database: {args.database_url} (PostgreSQL {pg_version}); {cases_before:,} cases "
        "before this run"
    )
    print(
        f"partner: {ORGANISATION_SLUG} (BAA in force), account {ACCOUNT_USERNAME}, a new "
        f"token; categories {', '.join(setup.category_slugs)}"
    )
    print(
        f"load: {', '.join(map(str, args.levels))} concurrent clients (threads, http.client), "
        f"{args.warmup:g}s warm-up + {args.duration:g}s timed per level"
    )
    print(f"server log: {SERVER_LOG.relative_to(ROOT)}\n", flush=True)

    phases: list[Phase] = []
    rows: list[LevelRow] = []
    problems: list[str] = []
    replay_problems: list[str] = []
    connections = None
    proc = start_server(env)
    try:
        wait_for_health(proc, port)
        pids = wait_for_workers(proc, workers)
        print(f"server up: master pid {proc.pid}, {len(pids)} workers running", flush=True)
        if len(pids) != workers:
            problems.append(f"{len(pids)} workers running, {workers} expected")
        for clients in args.levels:
            if args.warmup > 0:
                warm = run_phase(
                    f"warm-up {clients}", clients, args.warmup, port, setup.token, intakes
                )
                phases.append(warm)
                print(
                    f"  warm-up  {clients:>3} clients: {len(warm.samples):>6} requests, "
                    f"{len(warm.errors)} errors",
                    flush=True,
                )
            phase = run_phase(
                f"level {clients}", clients, args.duration, port, setup.token, intakes
            )
            phases.append(phase)
            row = level_row(phase)
            rows.append(row)
            print(
                f"  measured {clients:>3} clients: {row.requests:>6} requests, "
                f"{row.rate:7.1f} cases/s, p50 {row.p50:7.1f} ms, p95 {row.p95:7.1f} ms, "
                f"p99 {row.p99:7.1f} ms, {row.errors} errors",
                flush=True,
            )
        kept = [item for phase in phases for item in phase.kept]
        replay_problems = replay_check(port, setup.token, kept, args.replays)
        connections = server_connections(args.database_url)
    except Exception as exc:  # report, then stop the server in finally
        problems.append(f"the run stopped: {type(exc).__name__}: {exc}")
    finally:
        status = stop_server(proc)
        print(f"server stopped (exit status {status})", flush=True)

    created = [s for phase in phases for s in phase.created]
    errors = [s for phase in phases for s in phase.errors]
    returned = [s.reference for s in created]
    stored = database_counts(setup.organisation_id, run_id)
    in_db = stored["references"]
    counts_match = (
        len(in_db) == len(returned)
        and len(set(returned)) == len(returned)
        and set(in_db) == set(returned)
        and stored["patients"] == len(returned)
    )
    keys, counted = redis_counters(args.redis_url)

    print(f"\n{line}\nSUMMARY  bench/partner_intake.py  (run {run_id})\n{line}")
    print(
        f"host: {cpus} CPUs ({usable} usable), load average "
        f"{', '.join(f'{v:.2f}' for v in os.getloadavg())}; server: gunicorn, {workers} sync "
        f"workers x 1 thread; clients in this process (threads)"
    )
    print("dataset:")
    print(f"  {'cases in the database before the run':<44} {cases_before:>10,}")
    print(f"  {'intakes sent (warm-ups included)':<44} {sum(len(p.samples) for p in phases):>10,}")
    print(f"  {'201 Created':<44} {len(returned):>10,}")
    print(f"  {'cases of this run in the database':<44} {len(in_db):>10,}")
    print(f"  {'distinct references in the 201s':<44} {len(set(returned)):>10,}")
    print(f"  {'patients of this run in the database':<44} {stored['patients']:>10,}")
    if connections is not None:
        print(f"  {'PostgreSQL connections held by the server':<44} {connections:>10,}")
    print(
        f"  {'throttle counters in Redis (live windows)':<44} {keys:>4} keys, {counted:,} counted"
    )
    print("results (timed part of each level; latency of the 201s, ms; n = requests):")
    print(
        f"  {'clients':>7} {'n':>7} {'201':>7} {'errors':>6} {'cases/s':>8} "
        f"{'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}"
    )
    for row in rows:
        print(
            f"  {row.clients:>7} {row.requests:>7} {row.created:>7} {row.errors:>6} "
            f"{row.rate:>8.1f} {row.p50:>8.1f} {row.p95:>8.1f} {row.p99:>8.1f} {row.max:>8.1f}"
        )
    if errors:
        kinds: dict[str, int] = {}
        for sample in errors:
            kinds[sample.error] = kinds.get(sample.error, 0) + 1
        print("  errors by kind: " + ", ".join(f"{k} x{v}" for k, v in sorted(kinds.items())))
    print("checks:")

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    no_errors = not errors and not problems
    print(f"  {verdict(no_errors)}  every intake answered 201 ({len(errors)} errors)")
    for problem in problems:
        print(f"        {problem}")
    print(
        f"  {verdict(counts_match)}  one case and one patient per 201: {len(in_db):,} cases, "
        f"{stored['patients']:,} patients, {len(returned):,} 201s"
    )
    replays_ok = not replay_problems and (args.replays == 0 or bool(created))
    print(
        f"  {verdict(replays_ok)}  {min(args.replays, len(created))} retries with the same "
        "Idempotency-Key replayed the first 201 (Idempotent-Replayed: true), no new case"
    )
    for problem in replay_problems[:5]:
        print(f"        {problem}")
    passed = no_errors and counts_match and replays_ok and bool(rows)
    if not passed:
        print(f"\nlast lines of the server log:\n{log_tail()}")
    print(f"RESULT: {verdict(passed)}\n{line}", flush=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
