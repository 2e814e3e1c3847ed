"""The data of bench/restrict_queue_page.py, seeded once into its own database and re-seeded only
when its shape changes (``SEED_VERSION``): queues, agents and their grants, synthetic patients and
cases loaded in bulk (``INSERT … SELECT FROM generate_series``). Imported by that script."""

from __future__ import annotations

import json
import time

SEED_VERSION = 1  # bump when the seeded data changes shape: the next run re-seeds


QUEUE_COUNT = 40


AGENT_QUEUE_NUMBERS = (5, 17, 29)  # the agent works bench-q05, bench-q17, bench-q29


PEER_COUNT = 39  # other agents, so that the grant tables hold more than one person's rows


BATCH_ROWS = 100_000


AGENT_USERNAME = "bench-agent"


INTAKE_USERNAME = "bench-intake"


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
    reconciliation, submitted_mrn, created_at, updated_at)
SELECT 'BENCH-' || lpad(g::text, 6, '0'), 'Bench' || lpad(g::text, 4, '0'), 'Patient',
    date '1940-01-01' + (g * 7919 %% 25000), '', '',
    CASE WHEN g %% 5 = 0 THEN 'es' ELSE 'en' END, 'phone', false, false,
    CASE WHEN g %% 100 = 0 THEN 'behavioral_health' ELSE '' END, '', '',
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
