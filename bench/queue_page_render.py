"""Benchmark: the agents' live queue page (``/console/``) rendered whole, in process.

Seeds its own PostgreSQL database with bench/restrict_queue_page_seed.py (40 queues; the bench
agent works 3 of them; 60,000 synthetic cases by default, so a few thousand open cases in the
agent's queues), then requests ``/console/`` — and the next page of the list, ``?after=…`` — with
Django's test client as the bench agent (logged in with ``force_login``), and prints for each the
median and p95 wall time, the process CPU time per request, the statements per request and the
response size. No HTTP server: the numbers are the view, its queries and its templates (plus the
middleware), which is what issue 18's "≤ 50 ms server time" is about; bench/http_paths.py (issue
18, another build) measures the served paths.

Run from the project root (bench/README.md)::

    .venv/bin/python bench/queue_page_render.py
    .venv/bin/python bench/queue_page_render.py --cases 200000 --runs 100
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

from benchdb import ensure_database
from restrict_queue_page_seed import AGENT_USERNAME, seed, seed_spec, seeded

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/patientcare_bench_queue_page"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--cases", type=int, default=60_000, help="cases to seed")
    parser.add_argument("--patients", type=int, default=None, help="default: cases/200, ≤ 5000")
    parser.add_argument("--runs", type=int, default=60, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page")
    parser.add_argument("--reseed", action="store_true", help="seed again from scratch")
    args = parser.parse_args()
    if args.patients is None:
        args.patients = min(5000, max(1, args.cases // 200))
    return args


def setup_django(url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "patientcare.settings"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_ENV"] = "local"
    os.environ["DEBUG"] = "false"
    import django

    django.setup()


def measure(client, path: str, args) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(args.warmup):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
    walls, cpus = [], []
    for _ in range(args.runs):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    html = response.content.decode()
    walls.sort()
    return {
        "path": path,
        "median_ms": statistics.median(walls),
        "p95_ms": walls[int(0.95 * (len(walls) - 1))],
        "cpu_ms": statistics.median(cpus),
        "statements": len(queries.captured_queries),
        "sql_ms": 1000 * sum(float(query["time"]) for query in queries.captured_queries),
        "bytes": len(response.content),
        "rows": len(re.findall(r"<tr data-case-id=", html)),
        "forms": html.count("<form"),
        "html": html,
    }


def main() -> int:
    args = parse_args()
    ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.test import Client

    from accounts.models import User
    from cases.models import Case
    from cases.workflow import OPEN_STATUSES

    print("migrating", flush=True)
    call_command("migrate", verbosity=0)
    spec = seed_spec(args)
    if args.reseed or not seeded(spec):
        print(f"seeded in {seed(args, spec):.1f}s", flush=True)
    agent = User.objects.get(username=AGENT_USERNAME)
    open_cases = Case.objects.filter(
        queue__slug__in=["bench-q05", "bench-q17", "bench-q29"], status__in=OPEN_STATUSES
    ).count()
    print(f"{Case.objects.count():,} cases; {open_cases:,} open in the bench agent's 3 queues")
    client = Client()
    client.force_login(agent)
    results = [measure(client, "/console/", args)]
    more = re.search(r'<a [^>]*href="(/console/\?[^"]*after=[^"]+)"', results[0]["html"])
    if more:
        results.append(measure(client, more.group(1).replace("&amp;", "&"), args))
    print(
        f"\n{'page':<32} {'median':>8} {'p95':>8} {'CPU':>8} {'SQL':>4} {'SQL time':>8} "
        f"{'bytes':>9} rows forms"
    )
    for r in results:
        print(
            f"{r['path'][:32]:<32} {r['median_ms']:6.1f}ms {r['p95_ms']:6.1f}ms "
            f"{r['cpu_ms']:6.1f}ms {r['statements']:>4} {r['sql_ms']:6.1f}ms {r['bytes']:>9,} "
            f"{r['rows']:>4} {r['forms']:>5}"
        )
    print(
        "median/p95: wall time of the request in process (the host's other load included); "
        "CPU: this process's CPU per request (view, templates, middleware; not PostgreSQL's); "
        "SQL time: the statements of one request as the client waited for them"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
