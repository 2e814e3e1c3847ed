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
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchdb import ensure_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/patientcare_bench"
SEED_VERSION = 1  # bump when the seeded data changes shape: the next run re-seeds
QUEUE_COUNT = 40
AGENT_QUEUE_NUMBERS = (5, 17, 29)  # the agent works bench-q05, bench-q17, bench-q29
PEER_COUNT = 39  # other agents, so that the grant tables hold more than one person's rows
PAGE_SIZE = 50
BATCH_ROWS = 100_000
TARGET_MEDIAN_MS = 60.0
TARGET_RATIO = 0.25

AGENT_USERNAME = "bench-agent"
INTAKE_USERNAME = "bench-intake"


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


# --- seeding -------------------------------------------------------------------------------------

MARKER_DDL = """
CREATE TABLE IF NOT EXISTS bench_seed_marker (
    name text PRIMARY KEY,
    spec jsonb NOT NULL,
    seconds double precision NOT NULL,
    seeded_at timestamptz NOT NULL DEFAULT now()
)
"""

PATIENTS_SQL = """
INSERT INTO cases_patient (mrn, given_name, family_name, date_of_birth, phone, email,
    preferred_language, preferred_contact_channel, sms_consent, interpreter_needed, sensitivity,
    created_at, updated_at)
SELECT 'BENCH-' || lpad(g::text, 6, '0'), 'Bench' || lpad(g::text, 4, '0'), 'Patient',
    date '1940-01-01' + (g * 7919 %% 25000), '', '',
    CASE WHEN g %% 5 = 0 THEN 'es' ELSE 'en' END, 'phone', false, false,
    CASE WHEN g %% 100 = 0 THEN 'behavioral_health' ELSE '' END,
    now() - interval '2 years', now() - interval '2 years'
FROM generate_series(1, %(patients)s) AS g
"""

# One batch of cases [lo, hi]. Random draws are materialised once per row so that the status and
# the timestamps that depend on it agree (the CHECK constraints: closed_at iff closed, resolved_at
# iff resolved or closed, closed_at >= resolved_at).
CASES_SQL = """
WITH r AS MATERIALIZED (
    SELECT g, random() AS r_status, random() AS r_queue, random() AS r_priority,
        random() AS r_channel, random() AS r_patient, random() AS r_sensitive,
        random() AS r_assign, random() AS r_time, random() AS r_language
    FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS g
), s AS (
    SELECT r.*,
        CASE WHEN r_status < 0.22 THEN 'new' WHEN r_status < 0.36 THEN 'triaged'
            WHEN r_status < 0.56 THEN 'in_progress' WHEN r_status < 0.68 THEN 'waiting_on_patient'
            WHEN r_status < 0.75 THEN 'waiting_on_third_party'
            WHEN r_status < 0.85 THEN 'resolved' ELSE 'closed' END AS status,
        %(start)s::timestamptz + (g - 1) * %(step)s::interval AS created_at
    FROM r
), t AS (
    SELECT s.*,
        CASE WHEN status IN ('resolved', 'closed')
            THEN created_at + interval '1 hour' + r_time * interval '10 days' END AS resolved_at
    FROM s
)
INSERT INTO cases_case (reference, patient_id, category_id, queue_id, channel, status, priority,
    subject, description, language, assigned_to_id, created_by_id, source_organisation_id,
    external_reference, sensitivity, sla_policy_id, first_response_due_at, resolution_due_at,
    sla_paused_at, first_response_at, resolved_at, closed_at, created_at, updated_at)
SELECT
    'PC-' || to_char(created_at AT TIME ZONE %(tz)s, 'YYYY') || '-' || lpad(g::text, 7, '0'),
    (%(patient_ids)s::bigint[])[1 + floor(r_patient * %(n_patients)s)::int],
    %(category_id)s,
    (%(queue_ids)s::bigint[])[1 + floor(r_queue * %(n_queues)s)::int],
    (ARRAY['voice', 'chat', 'email', 'sms', 'portal'])[1 + floor(r_channel * 5)::int],
    status,
    (ARRAY[10, 20, 30, 40])[1 + floor(r_priority * 4)::int],
    'Bench case ' || g,
    repeat('Synthetic benchmark case text. ', 10),
    CASE WHEN r_language < 0.8 THEN 'en' WHEN r_language < 0.95 THEN 'es' ELSE 'zh' END,
    CASE WHEN status NOT IN ('new', 'triaged') AND r_assign < 0.7
        THEN (%(peer_ids)s::bigint[])[1 + floor(r_assign / 0.7 * %(n_peers)s)::int] END,
    %(intake_id)s, NULL, '',
    CASE WHEN r_sensitive < 0.02 THEN (ARRAY['behavioral_health', 'substance_use', 'hiv',
        'reproductive_health'])[1 + floor(r_sensitive * 200)::int] ELSE '' END,
    NULL, NULL, NULL, NULL,
    CASE WHEN status <> 'new' THEN created_at + r_time * interval '8 hours' END,
    resolved_at,
    CASE WHEN status = 'closed' THEN resolved_at + interval '7 days' END,
    created_at,
    coalesce(resolved_at, created_at)
FROM t
"""

# Stock guardian: one generic row per (agent, view_case, case) the agent may see in its queues.
STOCK_GRANTS_SQL = """
INSERT INTO guardian_userobjectpermission (object_pk, content_type_id, permission_id, user_id)
SELECT c.id::text, %(content_type_id)s, %(permission_id)s, %(user_id)s
FROM cases_case c JOIN cases_patient p ON p.id = c.patient_id
WHERE c.queue_id = ANY(%(queue_ids)s::bigint[]) AND c.sensitivity = '' AND p.sensitivity = ''
"""

DROPPABLE_INDEXES_SQL = """
SELECT i.relname, pg_get_indexdef(x.indexrelid)
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
WHERE x.indrelid = 'cases_case'::regclass
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
ORDER BY i.relname
"""

FOREIGN_KEY_CHECK_SQL = """
SELECT count(*) FROM cases_case c
WHERE NOT EXISTS (SELECT 1 FROM cases_patient p WHERE p.id = c.patient_id)
   OR NOT EXISTS (SELECT 1 FROM cases_queue q WHERE q.id = c.queue_id)
   OR NOT EXISTS (SELECT 1 FROM cases_category k WHERE k.id = c.category_id)
   OR NOT EXISTS (SELECT 1 FROM accounts_user u WHERE u.id = c.created_by_id)
   OR (c.assigned_to_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM accounts_user u WHERE u.id = c.assigned_to_id))
"""


def seed_spec(args) -> dict:
    return {
        "version": SEED_VERSION,
        "cases": args.cases,
        "patients": args.patients,
        "queues": QUEUE_COUNT,
        "agent_queues": list(AGENT_QUEUE_NUMBERS),
    }


def seeded(spec: dict) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(MARKER_DDL)
        cursor.execute("SELECT spec FROM bench_seed_marker WHERE name = 'seed'")
        row = cursor.fetchone()
    found = row[0] if row else None
    if isinstance(found, str):
        found = json.loads(found)
    return found == spec


def log(started: float, message: str) -> None:
    print(f"  [{time.perf_counter() - started:7.1f}s] {message}", flush=True)


def seed(args, spec: dict) -> float:
    """Fill the database in one transaction (a failure leaves it as it was); returns seconds."""
    from django.conf import settings
    from django.db import connection, transaction

    started = time.perf_counter()
    print(f"seeding {args.cases:,} cases, {args.patients:,} patients, {QUEUE_COUNT} queues")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            # Skip the deferred foreign-key triggers (5 per row); FOREIGN_KEY_CHECK_SQL verifies
            # the references once at the end instead. CHECK constraints still apply to every row.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SELECT setseed(0.4242)")
        cursor.execute("TRUNCATE cases_case, cases_patient RESTART IDENTITY CASCADE")
        ids = seed_people_and_queues()
        log(started, "users, queues, category and queue grants ready")

        cursor.execute(PATIENTS_SQL, {"patients": args.patients})
        cursor.execute("SELECT id FROM cases_patient ORDER BY id")
        patient_ids = [row[0] for row in cursor.fetchall()]
        log(started, f"{len(patient_ids):,} patients")

        cursor.execute(DROPPABLE_INDEXES_SQL)
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        log(started, f"dropped {len(indexes)} secondary indexes of cases_case for the bulk load")

        params = {
            "start": "2025-01-01T00:00:00+00:00",
            "step": f"{365 * 86400 / args.cases:.6f} seconds",
            "tz": settings.TIME_ZONE,  # the year in a reference is the local year
            "patient_ids": patient_ids,
            "n_patients": len(patient_ids),
            "queue_ids": ids["queues"],
            "n_queues": len(ids["queues"]),
            "peer_ids": ids["peers"],
            "n_peers": len(ids["peers"]),
            "category_id": ids["category"],
            "intake_id": ids["intake"],
        }
        for lo in range(1, args.cases + 1, BATCH_ROWS):
            hi = min(lo + BATCH_ROWS - 1, args.cases)
            cursor.execute(CASES_SQL, {**params, "lo": lo, "hi": hi})
            log(started, f"cases {hi:>9,} / {args.cases:,}")
        cursor.execute("SELECT setval('cases_case_number_seq', %s)", [args.cases])

        for name, definition in indexes:
            cursor.execute(definition)
            log(started, f"index {name}")

        cursor.execute(FOREIGN_KEY_CHECK_SQL)
        dangling = cursor.fetchone()[0]
        if dangling:
            raise RuntimeError(f"{dangling} seeded cases reference missing rows")
        log(started, "foreign keys verified")

        cursor.execute("ANALYZE cases_case, cases_patient")  # fresh rows: plan the join below
        cursor.execute(
            "DELETE FROM guardian_userobjectpermission WHERE content_type_id = %s",
            [ids["case_content_type"]],
        )
        cursor.execute(
            STOCK_GRANTS_SQL,
            {
                "content_type_id": ids["case_content_type"],
                "permission_id": ids["view_case"],
                "user_id": ids["agent"],
                "queue_ids": ids["agent_queues"],
            },
        )
        log(started, f"{cursor.rowcount:,} stock guardian view_case grants (generic table)")
        seconds = time.perf_counter() - started
        cursor.execute(
            "INSERT INTO bench_seed_marker (name, spec, seconds) VALUES ('seed', %s, %s) "
            "ON CONFLICT (name) DO UPDATE SET spec = EXCLUDED.spec, seconds = EXCLUDED.seconds, "
            "seeded_at = now()",
            [json.dumps(spec), seconds],
        )
    with connection.cursor() as cursor:  # autocommit: VACUUM cannot run in a transaction
        cursor.execute("VACUUM ANALYZE")
    log(started, "VACUUM ANALYZE done")
    return time.perf_counter() - started


def seed_people_and_queues() -> dict:
    """The small rows, through the ORM and guardian: users, role groups, queues, the category and
    the queue grants. Idempotent."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from guardian.shortcuts import assign_perm

    from accounts.models import User
    from accounts.roles import Role, ensure_role_groups
    from cases.models import Case, Category, Queue

    groups = ensure_role_groups()

    def person(username: str, first: str) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": "Bench", "is_staff": True},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        user.groups.add(groups[Role.AGENT])
        return user

    agent = person(AGENT_USERNAME, "Agent")
    peers = [person(f"bench-peer-{n:02d}", f"Peer{n:02d}") for n in range(1, PEER_COUNT + 1)]
    intake, _ = User.objects.get_or_create(
        username=INTAKE_USERNAME, defaults={"kind": User.Kind.SYSTEM}
    )
    queues = []
    for n in range(1, QUEUE_COUNT + 1):
        queue, _ = Queue.objects.get_or_create(
            slug=f"bench-q{n:02d}", defaults={"name": f"Bench queue {n:02d}"}
        )
        queues.append(queue)
    category, _ = Category.objects.get_or_create(
        slug="bench-general",
        defaults={
            "name": "Bench general",
            "kind": "general_information",
            "default_queue": queues[0],
        },
    )
    agent_queues = [queues[n - 1] for n in AGENT_QUEUE_NUMBERS]
    for queue in agent_queues:
        assign_perm("cases.work_queue", agent, queue)
    for i, peer in enumerate(peers):  # each peer works 3 queues, spread over all 40
        for k in range(3):
            assign_perm("cases.work_queue", peer, queues[(3 * i + k) % QUEUE_COUNT])
    return {
        "agent": agent.pk,
        "peers": [peer.pk for peer in peers],
        "intake": intake.pk,
        "queues": [queue.pk for queue in queues],
        "agent_queues": [queue.pk for queue in agent_queues],
        "category": category.pk,
        "case_content_type": ContentType.objects.get_for_model(Case).pk,
        "view_case": Permission.objects.get(
            content_type__app_label="cases", codename="view_case"
        ).pk,
    }


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
