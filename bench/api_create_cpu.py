"""Benchmark: the statements and the app CPU of one API create (``POST /api/v1/cases/``), in
process, with production settings.

No server: Django's test client drives the whole request (middleware, authentication, throttling,
idempotency, intake, audit, history, the after-commit live event on Redis) in this process, so
``time.process_time()`` per create is the application's CPU; PostgreSQL's own CPU is not in it.
Two ways in, as in production: a partner system (``Authorization: Bearer`` + a new
``Idempotency-Key`` each time, the bodies of bench/partner_intake.py) and a staff session (an
agent logged in, no key). For each: the statements of one create (their shape, savepoints
marked), then ``--creates`` creates timed (after ``--warmup`` untimed ones): CPU and wall time
per create, median and mean.

Run from the project root (bench/README.md)::

    .venv/bin/python bench/api_create_cpu.py
    .venv/bin/python bench/api_create_cpu.py --creates 50 --warmup 10   # quick
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import statistics
import sys
import time
import uuid
from pathlib import Path

from benchdb import ensure_database
from partner_intake_data import Intakes, prepare

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/patientcare_bench_api_create"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
INTAKE_PATH = "/api/v1/cases/"
AGENT_USERNAME = "bench-create-agent"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--creates", type=int, default=200, help="timed creates per way in")
    parser.add_argument("--warmup", type=int, default=20, help="untimed creates first")
    return parser.parse_args()


def setup_django(args: argparse.Namespace) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "patientcare.settings",
            "DJANGO_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "CACHE_KEY_PREFIX": "bench-api-create",
            "CHANNEL_LAYER_PREFIX": "bench-api-create",
            "API_RATE_PER_MINUTE": "0",  # no limit (the throttle's counting still runs: off)
        }
    )
    os.environ.pop("DEBUG", None)
    import django

    django.setup()


def shape(sql: str) -> str:
    sql = re.sub(r"'[^']*'", "?", sql)
    sql = re.sub(r"\b\d+\b", "N", sql)
    return sql[:110]


def print_statements(label: str, queries) -> None:
    statements = [q["sql"] for q in queries.captured_queries]
    savepoints = [s for s in statements if "SAVEPOINT" in s]
    print(f"\n{label}: {len(statements)} statements ({len(savepoints)} SAVEPOINT/RELEASE)")
    for number, sql in enumerate(statements, 1):
        print(f"  {number:2d}. {shape(sql)}")


def agent_client(setup):
    from django.test import Client
    from guardian.shortcuts import assign_perm

    from accounts.models import User
    from accounts.roles import Role, ensure_role_groups
    from cases.models import Queue

    groups = ensure_role_groups()
    agent, _ = User.objects.get_or_create(
        username=AGENT_USERNAME, defaults={"kind": User.Kind.PERSON, "is_staff": True}
    )
    agent.groups.add(groups[Role.AGENT])
    for queue in Queue.objects.filter(slug__startswith="bench-"):
        assign_perm("cases.work_queue", agent, queue)
    client = Client()
    client.force_login(agent)
    return client


def run(label: str, post, bodies, args) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(args.warmup):
        post(*bodies())
    with CaptureQueriesContext(connection) as queries:
        response = post(*bodies())
    if response.status_code != 201:
        raise SystemExit(f"{label}: {response.status_code} {response.content[:300]!r}")
    print_statements(label, queries)
    cpu, wall = [], []
    for _ in range(args.creates):
        key, body = bodies()
        started_cpu, started = time.process_time(), time.perf_counter()
        response = post(key, body)
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
        if response.status_code != 201:
            raise SystemExit(f"{label}: {response.status_code} {response.content[:300]!r}")
    print(
        f"{label}: {args.creates} creates; app CPU per create median {statistics.median(cpu):.1f} "
        f"ms, mean {statistics.fmean(cpu):.1f} ms; wall median {statistics.median(wall):.1f} ms"
    )


def main() -> int:
    args = parse_args()
    ensure_database(args.database_url)
    setup_django(args)
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    run_id = uuid.uuid4().hex[:8]
    setup = prepare(run_id)
    intakes = Intakes(run_id, setup.category_slugs)
    rng = random.Random(18)  # noqa: S311 - synthetic bodies, not secrets

    partner = Client(HTTP_AUTHORIZATION=f"Bearer {setup.token}")

    def partner_post(key, body):
        return partner.post(
            INTAKE_PATH, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
        )

    run("partner (token + Idempotency-Key)", partner_post, lambda: intakes.next(rng), args)

    staff = agent_client(setup)
    staff_intakes = Intakes(f"{run_id}s", setup.category_slugs)

    def staff_body():
        import json

        key, body = staff_intakes.next(rng)
        data = json.loads(body)
        data.pop("external_reference")
        data["channel"] = "voice"
        return key, json.dumps(data)

    def staff_post(_key, body):
        return staff.post(INTAKE_PATH, body, content_type="application/json")

    run("staff (session, no key)", staff_post, staff_body, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
