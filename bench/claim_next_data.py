"""The data of bench/claim_next.py: its queue, category, agents and synthetic patients, and the
unassigned open cases it loads in bulk (``INSERT … SELECT FROM generate_series``) and tops up
before each measurement; the table statistics it reports. Imported by that script (run from the
project root: bench/README.md)."""

from __future__ import annotations

from dataclasses import dataclass

QUEUE_SLUG = "bench-claim-next"


AGENTS = tuple(f"bench-claimer-{n}" for n in range(1, 9))


PATIENTS = 2_000


PATIENTS_SQL = """
INSERT INTO cases_patient (mrn, given_name, family_name, date_of_birth, phone, email,
    preferred_language, preferred_contact_channel, sms_consent, interpreter_needed, sensitivity,
    created_at, updated_at)
SELECT 'BENCH-CN-' || lpad(g::text, 6, '0'), 'Bench' || lpad(g::text, 4, '0'), 'Claimer',
    date '1940-01-01' + (g * 7919 %% 25000), '', '', 'en', 'phone', false, false, '',
    now() - interval '1 year', now() - interval '1 year'
FROM generate_series(1, %(patients)s) AS g
"""


# Unassigned open cases [lo, hi] of the bench queue: statuses new / triaged / in progress, the four
# priorities, a resolution due time from 1 hour to 5 days after opening (10 % without one), opened
# over the last 30 days.
CASES_SQL = """
WITH r AS MATERIALIZED (
    SELECT g, random() AS r_status, random() AS r_priority, random() AS r_patient,
        random() AS r_due, random() AS r_time
    FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS g
), s AS (
    SELECT r.*, now() - r_time * interval '30 days' AS created_at FROM r
)
INSERT INTO cases_case (reference, patient_id, category_id, queue_id, channel, status, priority,
    subject, description, language, assigned_to_id, created_by_id, source_organisation_id,
    external_reference, sensitivity, sla_policy_id, first_response_due_at, resolution_due_at,
    sla_paused_at, first_response_at, resolved_at, closed_at, created_at, updated_at)
SELECT
    'BCN-' || lpad(g::text, 9, '0'),
    %(first_patient)s + floor(r_patient * %(patients)s)::bigint,
    %(category_id)s, %(queue_id)s, 'voice',
    CASE WHEN r_status < 0.6 THEN 'new' WHEN r_status < 0.8 THEN 'triaged' ELSE 'in_progress' END,
    (ARRAY[10, 20, 30, 40])[1 + floor(r_priority * 4)::int],
    'Synthetic bench case ' || g, 'Synthetic claim-next benchmark case.', 'en',
    NULL, %(intake_id)s, NULL, '', '', NULL,
    created_at + interval '30 minutes',
    CASE WHEN r_due < 0.1 THEN NULL ELSE created_at + interval '1 hour' + r_due * interval '5 days'
    END,
    NULL, NULL, NULL, NULL, created_at, created_at
FROM s
"""


UNASSIGNED_SQL = """
SELECT count(*) FROM cases_case
WHERE queue_id = %s AND assigned_to_id IS NULL AND status IN ('new', 'triaged', 'in_progress')
"""


TABLE_STATS_SQL = """
SELECT n_live_tup, n_dead_tup, autovacuum_count, autoanalyze_count,
    pg_size_pretty(pg_relation_size('case_claim_next_idx'))
FROM pg_stat_user_tables WHERE relname = 'cases_case'
"""


@dataclass
class World:
    queue_id: int
    category_id: int
    intake_id: int
    agent_ids: list[int]
    first_patient: int
    loaded: int = 0  # filler cases loaded so far (their reference numbers)


def prepare() -> World:
    from django.db import connection
    from guardian.shortcuts import assign_perm

    from accounts.models import User
    from accounts.roles import Role, ensure_role_groups
    from accounts.services import system_user
    from cases.models import Category, Queue, QueueLanguage
    from compliance.audit import acting_as

    groups = ensure_role_groups()
    system = system_user()
    with acting_as(system):
        queue = Queue.objects.create(name="Bench claim-next", slug=QUEUE_SLUG)
        QueueLanguage.objects.create(queue=queue, language="en")
        category = Category.objects.create(
            name="Bench claim-next",
            slug=QUEUE_SLUG,
            kind="general_information",
            default_queue=queue,
        )
        agents = []
        for n, username in enumerate(AGENTS):
            user = User.objects.create(
                username=username,
                first_name=f"Claimer{n + 1}",
                last_name="Bench",
                email=f"{username}@example.org",
                is_staff=True,
            )
            user.groups.add(groups[Role.AGENT])
            assign_perm("cases.work_queue", user, queue)
            agents.append(user.pk)
    with connection.cursor() as cursor:
        cursor.execute(PATIENTS_SQL, {"patients": PATIENTS})
        cursor.execute("SELECT min(id) FROM cases_patient")
        first_patient = cursor.fetchone()[0]
    return World(queue.pk, category.pk, system.pk, agents, first_patient)


def unassigned(world: World) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(UNASSIGNED_SQL, [world.queue_id])
        return cursor.fetchone()[0]


def load_cases(world: World, count: int) -> None:
    """Synthetic filler: ``count`` unassigned open cases, in batches of 50,000."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for lo in range(world.loaded + 1, world.loaded + count + 1, 50_000):
            hi = min(lo + 49_999, world.loaded + count)
            cursor.execute(
                CASES_SQL,
                {
                    "lo": lo,
                    "hi": hi,
                    "first_patient": world.first_patient,
                    "patients": PATIENTS,
                    "category_id": world.category_id,
                    "queue_id": world.queue_id,
                    "intake_id": world.intake_id,
                },
            )
    world.loaded += count


def top_up(world: World, backlog: int) -> None:
    from django.db import connection

    missing = backlog - unassigned(world)
    if missing > 0:
        load_cases(world, missing)
    with connection.cursor() as cursor:
        # Fresh statistics of every table, as autovacuum keeps them in a running system: without
        # any for cases_patient the planner misjudges the sensitivity join of the candidate query.
        cursor.execute("ANALYZE")


def table_stats() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(TABLE_STATS_SQL)
        live, dead, vacuums, analyzes, index_size = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM cases_case WHERE assigned_to_id IS NOT NULL")
        claimed = cursor.fetchone()[0]
    return (
        f"cases_case: {live:,} live rows ({claimed:,} claimed), {dead:,} dead; "
        f"autovacuum runs {vacuums}, autoanalyze runs {analyzes}; "
        f"case_claim_next_idx {index_size}"
    )
