"""Benchmark: the five HTTP paths agents and partners use most, on the production server setup
(issue 18's acceptance).

Sets up its own PostgreSQL database (100,000 seeded cases over 40 queues, an agent who works
three of them with a password and an authenticator app, a partner with an API token), serves the
project with gunicorn (2 sync workers, production settings: DEBUG off, sessions, the second
factor, read auditing — every page that shows a case writes its ACCESS entries) and drives it in a
closed loop at 1 and 8 clients: the case page, API create, API list, the queue page and
claim-next. Per path and client count: req/s, p50, p95, errors, the app's and PostgreSQL's CPU per
request; per path the statements of one request with their EXPLAIN (ANALYZE) planning times. Then
the scale rows on a second database of 1,000,000 cases: the queue page's time and claim-next's
time against its time at 100,000.

Run from the project root (bench/README.md)::

    .venv/bin/python bench/http_paths.py
    .venv/bin/python bench/http_paths.py --cases 5000 --scale-cases 20000 --seconds 5   # quick

Exit status 0 when every target of the issue passes, 1 otherwise (a target not measured, as with
``--no-scale``, does not pass).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from benchdb import database_name, ensure_database
from http_paths_load import Browser, Paths, cpu_of, cpu_spent, run_phase
from http_paths_report import Targets, print_phase, print_scale, print_summary
from partner_intake_data import Intakes
from partner_intake_server import (
    free_port,
    server_environment,
    wait_for_health,
    wait_for_workers,
    worker_pids,
)
from servers import start_logged, stop_group

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/patientcare_bench_http_paths"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
REDIS_PREFIX = "patientcare-bench-http-paths"
STATIC_ROOT = ROOT / "var" / "bench" / "http_paths_static"
LOG_DIR = ROOT / "var" / "bench"
WORKERS = 2
SETTLE_SECONDS = 300  # at most, for the workers' start-up work
PRIME_REQUESTS = 3  # per worker and path, before any phase
PATHS = ("case_page", "api_create", "api_list", "queue_page", "claim_next")
SCALE_PATHS = ("queue_page", "claim_next")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument(
        "--scale-database-url", default=None, help="default: the database's name + '_scale'"
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--scale-cases", type=int, default=1_000_000)
    parser.add_argument("--no-scale", action="store_true", help="skip the 1,000,000-case rows")
    parser.add_argument("--seconds", type=float, default=20.0, help="timed seconds per phase")
    parser.add_argument("--warmup", type=float, default=3.0, help="untimed seconds first")
    parser.add_argument("--clients", default="1,8", help="client counts, comma-separated")
    parser.add_argument("--paths", default=",".join(PATHS), help="a subset, comma-separated")
    parser.add_argument("--reseed", action="store_true", help="seed again from scratch")
    # Internal: the scale database is prepared by a child process (Django serves one database).
    parser.add_argument("--prepare-only", metavar="WORLD_FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    try:
        args.clients = [int(n) for n in args.clients.split(",") if n.strip()]
    except ValueError:
        parser.error("--clients takes whole numbers, e.g. 1,8")
    args.paths = [p.strip() for p in args.paths.split(",") if p.strip()]
    if not args.clients or min(args.clients) < 1:
        parser.error("--clients needs counts of 1 or more")
    if unknown := set(args.paths) - set(PATHS):
        parser.error(f"unknown paths {sorted(unknown)}; the paths are {', '.join(PATHS)}")
    if args.cases < 1000 or args.scale_cases < 1000:
        parser.error("--cases and --scale-cases must be at least 1000")
    if args.seconds <= 0 or args.warmup < 0:
        parser.error("--seconds must be > 0 and --warmup >= 0")
    if args.scale_database_url is None:
        name = database_name(args.database_url)
        args.scale_database_url = args.database_url.rsplit("/", 1)[0] + f"/{name}_scale"
    return args


def environment(database_url: str, redis_url: str, port: int) -> dict[str, str]:
    """The production server's environment (partner_intake_server's: DJANGO_ENV=production, a
    random SECRET_KEY, the Redis cache and channel layer, the API rate limit out of the way,
    plain HTTP on loopback), with this bench's Redis prefix, 2 workers and collected static
    files (the console's pages need WhiteNoise's manifest in production)."""
    args = SimpleNamespace(database_url=database_url, redis_url=redis_url, workers=WORKERS)
    env = server_environment(args, port)
    env.update(
        CACHE_KEY_PREFIX=REDIS_PREFIX,
        CHANNEL_LAYER_PREFIX=REDIS_PREFIX,
        STATIC_ROOT=str(STATIC_ROOT),
    )
    return env


def setup_django(database_url: str, redis_url: str) -> None:
    """This process on the same settings as the server (the statements counted are the
    server's), plus the test client's host name."""
    env = environment(database_url, redis_url, 0)
    env["ALLOWED_HOSTS"] = "127.0.0.1,testserver"
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "patientcare.settings"
    import django

    django.setup()
    from django.core.management import call_command

    print("migrating, collecting static files", flush=True)
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def prepare_world(database_url: str, cases: int, reseed: bool, run_id: str):
    from http_paths_data import prepare, vacuum_analyze

    ensure_database(database_url)
    world = prepare(database_url, cases, reseed, run_id)
    if not world.seeded_now:
        vacuum_analyze()
    return world


def prepare_scale(args, run_id: str):
    """The scale database, prepared by a child process of this script; its World back as JSON."""
    from http_paths_data import World

    with tempfile.NamedTemporaryFile("r", suffix=".json") as world_file:
        command = [sys.executable, __file__, "--prepare-only", world_file.name]
        command += ["--database-url", args.scale_database_url, "--redis-url", args.redis_url]
        command += ["--cases", str(args.scale_cases)] + (["--reseed"] if args.reseed else [])
        subprocess.run(command, check=True, cwd=ROOT)  # noqa: S603  (this very script)
        return World(**json.load(world_file))


class Server:
    """bin/serve-production on a free loopback port; its workers; its PostgreSQL backends."""

    def __init__(self, world, redis_url: str, label: str) -> None:
        self.port = free_port()
        self.world = world
        self.log = LOG_DIR / f"http_paths_server_{label}.log"
        env = environment(world.database_url, redis_url, self.port)
        self.proc = start_logged([str(ROOT / "bin" / "serve-production")], env, self.log)
        self.database = database_name(world.database_url)

    def __enter__(self):
        try:
            wait_for_health(self.proc, self.port)
            wait_for_workers(self.proc, WORKERS)
            self.settle()
        except Exception:
            self.stop()
            raise
        return self

    def settle(self, seconds: float = SETTLE_SECONDS) -> None:
        """Wait until the workers are idle: each trains the red-flag model in a background thread
        when it starts (patientcare/wsgi.py, ``learned.warm_up``), several CPU seconds that would
        otherwise be counted against the first phases' requests."""
        started = time.monotonic()
        quiet = 0
        while quiet < 2 and time.monotonic() - started < seconds:
            before = cpu_of(self.workers())
            time.sleep(1.0)
            quiet = quiet + 1 if cpu_spent(before, cpu_of(self.workers())) < 0.05 else 0
        waited = time.monotonic() - started
        state = "idle" if quiet >= 2 else "STILL BUSY (measuring anyway)"
        print(f"server workers {state} after {waited:.0f}s (start-up work)", flush=True)

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        status = stop_group(self.proc, timeout=40)
        print(f"server stopped (exit status {status}); log {self.log.relative_to(ROOT)}")

    def workers(self) -> list[int]:
        return worker_pids(self.proc.pid)

    def backends(self) -> list[int]:
        import psycopg

        with psycopg.connect(self.world.database_url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
                "AND backend_type = 'client backend'",
                [self.database],
            ).fetchall()
        return [row[0] for row in rows]


def drive(server: Server, names, clients_list, args, run_id: str, label: str) -> dict:
    """Log the agent in through the pages, then each path at each client count (warm-up, timed);
    claims handed back before each claim-next phase."""
    from http_paths_data import release_claims, totp_code

    world = server.world
    browser = Browser(server.port)
    browser.login(world.agent_username, world.agent_password, lambda: totp_code(world.totp_key))
    paths = Paths(browser, world.token, world.references, Intakes(run_id, world.category_slugs))
    phases = {}
    for name in names:  # each worker's first requests (imports, templates, caches): untimed
        run_phase(paths, name, WORKERS, 120, server.port, server.workers, list, PRIME_REQUESTS)
    release_claims(world.database_url, world.agent_id)
    for name in names:
        for clients in clients_list:
            if name == "claim_next":
                release_claims(world.database_url, world.agent_id)
            if args.warmup > 0:
                run_phase(
                    paths, name, clients, args.warmup, server.port, server.workers, lambda: []
                )
            phase = run_phase(
                paths, name, clients, args.seconds, server.port, server.workers, server.backends
            )
            phases[(name, clients)] = phase
            print_phase(label, phase)
    return phases


def main() -> int:
    args = parse_args()
    run_id = secrets.token_hex(3)
    if args.prepare_only:
        ensure_database(args.database_url)
        setup_django(args.database_url, args.redis_url)
        world = prepare_world(args.database_url, args.cases, args.reseed, run_id)
        Path(args.prepare_only).write_text(json.dumps(world.as_json()))
        return 0

    ensure_database(args.database_url)
    setup_django(args.database_url, args.redis_url)
    from django.db import connection
    from http_paths_data import release_claims
    from http_paths_sql import capture, print_captures

    world = prepare_world(args.database_url, args.cases, args.reseed, run_id)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM cases_case")
        total_cases = cursor.fetchone()[0]
    targets = Targets()
    line = "=" * 100
    print(f"\n{line}\nbench/http_paths.py  run {run_id}\n{line}")
    print(
        f"host: {os.cpu_count()} CPUs, load average "
        f"{', '.join(f'{v:.2f}' for v in os.getloadavg())}; PostgreSQL {pg_version}"
    )
    print(
        f"database {database_name(args.database_url)}: {total_cases:,} cases "
        f"({args.cases:,} seeded{', seeded now' if world.seeded_now else ''}), "
        f"{len(world.references):,} case pages cycled, {world.claimable:,} cases to claim"
    )
    print(
        f"server: bin/serve-production (gunicorn, {WORKERS} sync workers), DJANGO_ENV=production,"
        f" Redis {args.redis_url} (prefix {REDIS_PREFIX}); agent {world.agent_username} logged "
        "in through the login page and the code step"
    )
    print(
        f"load: {', '.join(map(str, args.clients))} clients (threads, http.client), "
        f"{args.warmup:g}s warm-up + {args.seconds:g}s timed per path and client count\n",
        flush=True,
    )

    intakes = Intakes(f"{run_id}x", world.category_slugs)
    captures = capture(args.paths, world, intakes)
    print_captures(captures)
    release_claims(world.database_url, world.agent_id)
    connection.close()  # idle during the load: no backend of this process in the counts

    print("\nload (CPU per request: gunicorn workers = app, their PostgreSQL backends = db)")
    with Server(world, args.redis_url, "main") as server:
        print(f"server up: {len(server.workers())} workers", flush=True)
        phases = drive(server, args.paths, args.clients, args, run_id, f"{args.cases:,}")

    scale_phases: dict = {}
    if not args.no_scale:
        scale_world = prepare_scale(args, run_id)
        print(f"\nscale rows: {scale_world.cases:,} cases, 1 client")
        with Server(scale_world, args.redis_url, "scale") as server:
            names = [n for n in SCALE_PATHS if n in args.paths]
            scale_phases = drive(server, names, [1], args, run_id, f"{scale_world.cases:,}")
        print_scale(phases, scale_phases, args.cases, scale_world.cases)

    targets.evaluate(phases, captures, scale_phases, args)
    return print_summary(
        run_id, world, args, phases, captures, scale_phases, targets, total_cases, line
    )


if __name__ == "__main__":
    sys.exit(main())
