"""The data of bench/http_paths.py: its database seeded once (the cases, patients, queues and
agents of ``restrict_queue_page_seed``, loaded in bulk), the agent who works three of the queues
(a password and a confirmed authenticator app, so that its session is a real, verified login),
the partner organisation and a new API token for this run (``partner_intake_data``), and what the
load needs: the references of cases the agent may see, its claims handed back between phases, the
PostgreSQL backends of the server. Imported by that script (bench/README.md)."""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass

from partner_intake_data import prepare as prepare_partner
from restrict_queue_page_seed import AGENT_USERNAME, seed, seed_spec, seeded

SPEC_NAME = "http_paths"  # in the seed marker: a database seeded by another bench is seeded again
AGENT_PASSWORD_BYTES = 24
DEVICE_NAME = "bench http_paths authenticator"
PATIENTS = 5_000
REFERENCES = 2_000  # case pages cycled through by the load


@dataclass
class World:
    """What the load and the in-process requests need, also passed between processes (JSON)."""

    database_url: str
    cases: int
    agent_id: int
    agent_username: str
    agent_password: str
    totp_key: str
    token: str
    category_slugs: list[str]
    references: list[str]
    claimable: int
    seeded_now: bool
    seed_seconds: float

    def as_json(self) -> dict:
        return asdict(self)


class SeedArgs:
    """What ``restrict_queue_page_seed`` reads from its command line."""

    def __init__(self, cases: int, patients: int) -> None:
        self.cases = cases
        self.patients = patients


def prepare(database_url: str, cases: int, reseed: bool, run_id: str) -> World:
    """Seed if the marker says the database holds another size (or ``reseed``), then the agent's
    login, the partner token and the references. Django is set up on ``database_url``."""
    from django.db import connection

    args = SeedArgs(cases, PATIENTS)
    spec = {**seed_spec(args), "bench": SPEC_NAME}
    seeded_now, seconds = False, 0.0
    if reseed or not seeded(spec):
        seconds = seed(args, spec)
        seeded_now = True
        with connection.cursor() as cursor:
            # restrict_queue_page's stock-guardian rows (its comparison); not the app's data.
            cursor.execute(
                "DELETE FROM guardian_userobjectpermission WHERE content_type_id = "
                "(SELECT id FROM django_content_type WHERE app_label = 'cases' AND model = 'case')"
            )
    else:
        print(f"database already seeded with {cases:,} cases (marker); --reseed seeds again")
    agent, password, key = agent_login()
    setup = prepare_partner(run_id)
    release_claims(database_url, agent.pk)
    return World(
        database_url=database_url,
        cases=cases,
        agent_id=agent.pk,
        agent_username=agent.username,
        agent_password=password,
        totp_key=key,
        token=setup.token,
        category_slugs=setup.category_slugs,
        references=visible_references(agent),
        claimable=claimable(agent),
        seeded_now=seeded_now,
        seed_seconds=seconds,
    )


def agent_login():
    """The seeded agent with a new password (each run) and one confirmed authenticator app
    (django-otp's TOTP device, made once): the agent then owes a second factor at every login
    (mfa.policy: enrolled), as a real person who set one up does."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User

    agent = User.objects.get(username=AGENT_USERNAME)
    password = secrets.token_urlsafe(AGENT_PASSWORD_BYTES)
    agent.set_password(password)
    agent.save(update_fields=["password"])
    device = TOTPDevice.objects.filter(user=agent, name=DEVICE_NAME, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=agent, name=DEVICE_NAME, confirmed=True)
    return agent, password, device.key


def totp_code(key_hex: str) -> str:
    """The code the agent's authenticator app shows now (django-otp's public TOTP)."""
    from django_otp.oath import TOTP

    return f"{TOTP(bytes.fromhex(key_hex)).token():06d}"


def visible_references(agent) -> list[str]:
    """Up to ``REFERENCES`` cases the agent may view (``restrict()``, as the case page asks),
    spread over the table: every n-th by id."""
    from cases.access import VIEW
    from cases.models import Case

    visible = Case.objects.restrict(agent, VIEW)
    total = visible.count()
    step = max(1, total // REFERENCES)
    ids = list(visible.order_by("pk").values_list("pk", flat=True)[::step][:REFERENCES])
    by_id = dict(Case.objects.filter(pk__in=ids).values_list("pk", "reference"))
    return [by_id[pk] for pk in ids]


def claimable(agent) -> int:
    """The cases claim-next may hand the agent now."""
    from django.db import transaction

    from cases.selectors import claim_next_candidates

    with transaction.atomic():  # the candidates are a SELECT … FOR UPDATE: in a transaction
        return claim_next_candidates(actor=agent).count()


def release_claims(database_url: str, agent_id: int) -> int:
    """Hand the agent's open cases back to their queues (the bench's own data, one UPDATE): each
    claim-next phase starts with the same backlog, whatever earlier phases and runs claimed."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        cursor = conn.execute(
            "UPDATE cases_case SET assigned_to_id = NULL WHERE assigned_to_id = %s "
            "AND status NOT IN ('resolved', 'closed')",
            [agent_id],
        )
        return cursor.rowcount


def vacuum_analyze() -> None:
    """Tables as a running system keeps them (autovacuum's work, done now): fresh statistics for
    the planner after earlier runs' intakes and claims."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cases_case")
    print(f"VACUUM ANALYZE cases_case: {time.perf_counter() - started:.1f}s", flush=True)
