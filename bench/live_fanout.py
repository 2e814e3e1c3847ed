"""Benchmark: live-queue fan-out — commit-to-socket latency with 200 agents' sockets.

Sets up its own PostgreSQL database (one queue, one category, 200 agents with the Agent role and
``work_queue`` on the queue, a session for each as a login makes it), starts a real ASGI server
(daphne, ``patientcare.asgi:application``, ``DJANGO_ENV=production``, channels-redis and the Redis
cache) on 127.0.0.1, and connects 200 authenticated WebSocket clients to ``ws/console/live/``
from a process of their own (autobahn's asyncio client, which daphne already depends on). Once
every client has its snapshot, this process makes case changes through the services — a case
opened, then moved to in progress, and so on — each in its own transaction, stamping the time
right after COMMIT (an ``on_commit`` callback registered before the service's own, so it runs
first, before the event is numbered and sent). Every client stamps each frame as it arrives. The
latency of every (event, socket) pair is receipt minus commit (both ``time.time_ns()`` on the same
host).

Run from the project root (bench/README.md)::

    .venv/bin/python bench/live_fanout.py
    .venv/bin/python bench/live_fanout.py --clients 50 --changes 60   # quick

Exit status 0 when the p95 over every expected (event, socket) pair is at most 100 ms — a
delivery that never arrived counts as infinitely late — and 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

from benchdb import ensure_database
from live_fanout_processes import (
    client_process,
    cpu_seconds,
    free_port,
    start_server,
    stop_server,
    wait_for_health,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/patientcare_bench_live_fanout"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
# Redis key prefixes (cache and channel layer) of the server and this process: apart from anyone
# else's keys.
REDIS_PREFIX = "patientcare-bench-fanout"
TARGET_P95_MS = 100.0
QUEUE_SLUG = "bench-fanout"
CATEGORY_SLUG = "bench-fanout-question"
AGENT_PREFIX = "bench-fanout-agent-"
INTAKE_USERNAME = "bench-fanout-intake"
PATIENT_MRN = "BENCH-FANOUT-1"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--clients", type=int, default=200, help="agent sockets")
    parser.add_argument("--changes", type=int, default=200, help="case changes (events)")
    parser.add_argument(
        "--interval",
        type=float,
        default=0.1,
        help="seconds between the end of one change "
        "and the start of the next (default 0.1: about 7 events/s with the changes' own time)",
    )
    parser.add_argument("--warmup", type=int, default=10, help="first changes left out")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds after connecting")
    parser.add_argument(
        "--servers", type=int, default=1, help="daphne processes (sockets spread evenly)"
    )
    args = parser.parse_args()
    if args.clients < 1 or args.changes < 1 or args.warmup < 0 or args.warmup >= args.changes:
        parser.error("need --clients >= 1, --changes >= 1 and 0 <= --warmup < --changes")
    if args.interval < 0 or args.settle < 0:
        parser.error("--interval and --settle must be >= 0")
    return args


# --- database and Django --------------------------------------------------------------------------


def environment(args) -> dict[str, str]:
    """The production configuration both processes share: the server reads the sessions this
    process writes (same SECRET_KEY), and both send through the same Redis prefixes."""
    dropped = {"DEBUG", "DATABASE_CONN_MAX_AGE", "CELERY_TASK_ALWAYS_EAGER", "CACHE_REDIS_URL"}
    return {
        **{k: v for k, v in os.environ.items() if k not in dropped},
        "DJANGO_SETTINGS_MODULE": "patientcare.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),  # 64 random characters, new every run
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "CACHE_KEY_PREFIX": REDIS_PREFIX,
        "CHANNEL_LAYER_PREFIX": REDIS_PREFIX,
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback for /healthz
    }


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def prepare(clients: int):
    """Queue, category, intake agent, patient and the agents; made once, reused by later runs.
    Returns (category, intake, patient, agents)."""
    from django.core.management import call_command
    from guardian.shortcuts import assign_perm

    from accounts.models import User
    from accounts.roles import Role, ensure_role_groups
    from accounts.services import system_user
    from cases import services
    from cases.models import Category, Patient, Queue, QueueLanguage
    from compliance.audit import acting_as

    call_command("migrate", verbosity=0)
    groups = ensure_role_groups()
    with acting_as(system_user()):
        queue, _ = Queue.objects.get_or_create(slug=QUEUE_SLUG, defaults={"name": "Bench fan-out"})
        QueueLanguage.objects.get_or_create(queue=queue, language="en")
        category, _ = Category.objects.get_or_create(
            slug=CATEGORY_SLUG,
            defaults={
                "name": "Bench fan-out question",
                "kind": "general_information",
                "default_queue": queue,
            },
        )
        existing = set(
            User.objects.filter(username__startswith=AGENT_PREFIX).values_list(
                "username", flat=True
            )
        )
        wanted = [f"{AGENT_PREFIX}{n:03d}" for n in range(1, clients + 1)]
        for username in wanted:
            if username in existing:
                continue
            user = User.objects.create(
                username=username,
                first_name="Bench",
                last_name=username.removeprefix(AGENT_PREFIX),
                email=f"{username}@example.org",
                is_staff=True,
            )
            user.groups.add(groups[Role.AGENT])
            assign_perm("cases.work_queue", user, queue)
        intake, created = User.objects.get_or_create(
            username=INTAKE_USERNAME,
            defaults={"first_name": "Intake", "last_name": "Bench", "is_staff": True},
        )
        if created:
            intake.groups.add(groups[Role.AGENT])
            assign_perm("cases.work_queue", intake, queue)
        patient = Patient.objects.filter(mrn=PATIENT_MRN).first()
        if patient is None:  # synthetic: invented name, no contact details
            patient = services.patient_create(
                actor=intake,
                mrn=PATIENT_MRN,
                given_name="Benchy",
                family_name="Fanout",
                date_of_birth="1980-01-01",
                preferred_language="en",
            )
    agents = list(User.objects.filter(username__in=wanted).order_by("username"))
    return category, intake, patient, agents


def login_sessions(agents) -> list[str]:
    """One session per agent, as ``django.contrib.auth.login`` writes it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    keys = []
    for agent in agents:
        store = store_class()
        store[SESSION_KEY] = agent._meta.pk.value_to_string(agent)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = agent.get_session_auth_hash()
        store.create()
        keys.append(store.session_key)
    return keys


def clear_redis(url: str) -> int:
    """Delete this benchmark's own keys (its prefix only) left by an earlier run: group members
    of a server that is gone would be sent every event, and old counters are not wanted."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{REDIS_PREFIX}*", count=1000))
        if keys:
            client.delete(*keys)
        return len(keys)
    finally:
        client.close()


# --- the changes ----------------------------------------------------------------------------------


def make_changes(args, category, intake, patient) -> dict[tuple[int, str], int]:
    """Open a case, then move it to in progress, and so on: ``--changes`` events in all, each in
    its own transaction. Returns the commit time of each (case id, event name)."""
    from django.db import transaction

    from cases import services
    from cases.choices import Channel, Status
    from cases.events import CaseEventName

    stamps: dict[tuple[int, str], int] = {}

    def committed(work):
        stamp = {}
        with transaction.atomic():
            # Registered before the service's own callback: runs first, right after COMMIT.
            transaction.on_commit(lambda: stamp.setdefault("at", time.time_ns()))
            result = work()
        return result, stamp["at"]

    case = None
    for n in range(args.changes):
        if n % 2 == 0:
            case, at = committed(
                lambda: services.case_open(
                    actor=intake,
                    patient=patient,
                    category=category,
                    subject="Bench fan-out question",
                    description="Synthetic case for the fan-out benchmark.",
                    channel=Channel.VOICE,
                )
            )
            stamps[(case.pk, CaseEventName.OPENED)] = at
        else:
            case, at = committed(
                lambda case=case: services.case_transition(
                    actor=intake, case=case, to_status=Status.IN_PROGRESS
                )
            )
            stamps[(case.pk, CaseEventName.STATUS_CHANGED)] = at
        if args.interval:
            time.sleep(args.interval)
    return stamps


# --- the numbers ----------------------------------------------------------------------------------


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return math.nan
    index = min(len(sorted_values) - 1, max(0, math.ceil(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def main() -> int:
    args = parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"host: {cores} CPUs, load average {os.getloadavg()[0]:.2f} at start", flush=True)
    ensure_database(args.database_url)
    env = environment(args)
    setup_django(env)
    from django.conf import settings
    from django.db import connection

    category, intake, patient, agents = prepare(args.clients)
    keys = login_sessions(agents)
    cleared = clear_redis(args.redis_url)
    if cleared:
        print(f"deleted {cleared} Redis keys of an earlier run ({REDIS_PREFIX}*)", flush=True)
    connection.close()  # the server and this process each use their own connections
    ports = [free_port() for _ in range(args.servers)]
    servers = [start_server(env, port, n) for n, port in enumerate(ports)]
    ctx = multiprocessing.get_context("spawn")
    parent_conn, child_conn = ctx.Pipe()
    clients = None
    try:
        for server, port in zip(servers, ports, strict=True):
            wait_for_health(server, port)
            print(f"daphne on 127.0.0.1:{port} (pid {server.pid})", flush=True)
        clients = ctx.Process(
            target=client_process,
            args=(ports, settings.SESSION_COOKIE_NAME, keys, child_conn),
            daemon=True,
        )
        clients.start()
        if not parent_conn.poll(180):
            raise RuntimeError("the clients did not connect within 180 s")
        ready = parent_conn.recv()
        print(
            f"{ready['connected']} sockets connected in {ready['seconds']:.1f}s, each with its "
            "snapshot",
            flush=True,
        )
        time.sleep(args.settle)  # the presence broadcasts of 200 arrivals die down
        load_before = os.getloadavg()[0]
        cpu_before = sum(cpu_seconds(server.pid) for server in servers)
        wall_before = time.monotonic()
        client_cpu_before = cpu_seconds(clients.pid)
        stamps = make_changes(args, category, intake, patient)
        changes_seconds = time.monotonic() - wall_before
        time.sleep(2.0)  # the last deliveries
        elapsed = time.monotonic() - wall_before
        server_cpu = (sum(cpu_seconds(server.pid) for server in servers) - cpu_before) / elapsed
        client_cpu = (cpu_seconds(clients.pid) - client_cpu_before) / elapsed
        load_after = os.getloadavg()[0]
        parent_conn.send("stop")
        if not parent_conn.poll(120):
            raise RuntimeError("the clients did not report within 120 s")
        results = parent_conn.recv()
    finally:
        if clients is not None:
            clients.join(timeout=10)
            if clients.is_alive():
                clients.terminate()
        for server in servers:
            stop_server(server)

    ordered = sorted(stamps.items(), key=lambda item: item[1])
    measured = {key for key, _ in ordered[args.warmup :]}
    latencies: list[float] = []
    duplicates = 0
    for result in results:
        seen = set()
        for case_id, event, _seq, at in result["events"]:
            key = (case_id, event)
            if key not in stamps:
                continue
            if key in seen:
                duplicates += 1
                continue
            seen.add(key)
            if key in measured:
                latencies.append((at - stamps[key]) / 1e6)
    expected = len(measured) * len(results)
    missing = expected - len(latencies)
    closed = sum(1 for result in results if result["closed"] is not None)
    other: dict[str, int] = {}
    for result in results:
        for kind, count in result["other"].items():
            other[kind] = other.get(kind, 0) + count
    per_change: dict[tuple[int, str], list[float]] = {}
    for result in results:
        for case_id, event, _seq, at in result["events"]:
            if (case_id, event) in measured:
                per_change.setdefault((case_id, event), []).append(
                    (at - stamps[(case_id, event)]) / 1e6
                )
    timeline = [
        statistics.median(per_change[key]) for key, _ in ordered[args.warmup :] if key in per_change
    ]
    latencies.sort()
    with_missing = latencies + [math.inf] * missing
    p95_all = percentile(with_missing, 0.95)

    print()
    print("=== live fan-out: commit -> socket ===")
    print(f"sockets           {len(results)} (closed by the server during the run: {closed})")
    print(
        f"changes           {len(stamps)} ({args.warmup} warm-up left out) in "
        f"{changes_seconds:.1f}s = {len(stamps) / changes_seconds:.1f} events/s, "
        f"{len(stamps) * len(results) / changes_seconds:.0f} socket messages/s"
    )
    print(
        f"n                 {len(latencies)} of {expected} expected (missing {missing}, "
        f"duplicates {duplicates})"
    )
    if latencies:
        print(f"p50               {percentile(latencies, 0.50):8.1f} ms")
        print(f"p95               {percentile(latencies, 0.95):8.1f} ms")
        print(f"p99               {percentile(latencies, 0.99):8.1f} ms")
        print(f"max               {latencies[-1]:8.1f} ms")
        print(f"mean              {statistics.fmean(latencies):8.1f} ms")
    if per_change:
        firsts = [min(values) for values in per_change.values()]
        spreads = [max(values) - min(values) for values in per_change.values()]
        print(
            f"per change        first socket {statistics.median(firsts):.1f} ms, first to last "
            f"socket {statistics.median(spreads):.1f} ms (medians)"
        )
    by_event: dict[str, list[float]] = {}
    for (_case_id, event), values in per_change.items():
        by_event.setdefault(event, []).extend(values)
    for event, values in sorted(by_event.items()):
        values.sort()
        print(
            f"{event:<17} p50 {percentile(values, 0.5):.1f} ms, p95 {percentile(values, 0.95):.1f} "
            f"ms (n {len(values)})"
        )
    if timeline:
        step = max(1, len(timeline) // 10)
        print(
            "median per change, in order (every "
            f"{step}th): " + " ".join(f"{value:.0f}" for value in timeline[::step]) + " ms"
        )
    print(f"other messages    {json.dumps(other, sort_keys=True)}")
    print(
        f"CPU               daphne ({len(servers)}) {server_cpu * 100:.0f} %, the clients' process "
        f"{client_cpu * 100:.0f} % of one core during the changes"
    )
    print(
        f"host load         {load_before:.2f} before the changes, {load_after:.2f} after "
        f"({cores} CPUs)"
    )
    ok = p95_all <= TARGET_P95_MS
    print(
        f"{'PASS' if ok else 'FAIL'}: p95 {p95_all:.1f} ms (missing deliveries count as "
        f"infinitely late) against the target p95 <= {TARGET_P95_MS:.0f} ms"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
