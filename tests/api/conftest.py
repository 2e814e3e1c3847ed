"""Fixtures of the REST API's tests (tests/api/test_*.py, except the idempotency suites).

``world``: two queues (A, where the case lives, and B), a category routed to A, two partner
organisations (A submitted the case, B did not) and one user per role of the permission matrix,
all made through factories and services. Requests authenticate with
``APIClient.force_authenticate`` (the Bearer token itself is tested in tests/partners/).
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass, field

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.test.utils import override_settings
from guardian.shortcuts import assign_perm
from rest_framework.test import APIClient

from accounts.models import User
from accounts.roles import Role, ensure_role_groups
from cases.choices import Channel
from cases.models import Case, Category, Queue
from partners.models import PartnerOrganisation
from tests.factories import (
    CategoryFactory,
    PartnerFactory,
    QueueFactory,
    UserFactory,
    make_case,
    patient_fields,
)

ORIGINAL_CACHES = django_settings.CACHES

ANONYMOUS = "anonymous"
PARTNER_A = "partner_a"  # service account of the organisation that submitted the case
PARTNER_B = "partner_b"  # service account of another organisation
AGENT = "agent"  # works queue A, where the case is
OTHER_AGENT = "other_agent"  # works queue B only
SUPERVISOR = "supervisor"  # supervises queue A
COMPLIANCE = "compliance"
ADMINISTRATOR = "administrator"
SUPERUSER = "superuser"
ROLES = (
    ANONYMOUS,
    PARTNER_A,
    PARTNER_B,
    AGENT,
    OTHER_AGENT,
    SUPERVISOR,
    COMPLIANCE,
    ADMINISTRATOR,
    SUPERUSER,
)
PARTNERS = (PARTNER_A, PARTNER_B)
# The world's patient (tests.factories.patient_fields): far from make_patient's counter.
WORLD_PATIENT = 500_001


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """A cache of each test's own: throttling counters never leak between tests (a test that
    wants the configured cache, Redis in CI, sets ``settings.CACHES = ORIGINAL_CACHES``)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"api-tests-{uuid.uuid4().hex}",
        }
    }


def allow_categories(organisation: PartnerOrganisation, *categories: Category) -> None:
    """Let ``organisation`` open cases in ``categories`` (when organisations are limited)."""
    if hasattr(PartnerOrganisation, "allowed_categories"):
        organisation.allowed_categories.add(*categories)


def service_account(username: str, organisation: PartnerOrganisation, group) -> User:
    user = UserFactory(
        username=username, is_staff=False, kind=User.Kind.SERVICE, organisation=organisation
    )
    user.groups.add(group)
    return user


@dataclass
class World:
    queue: Queue
    other_queue: Queue
    category: Category
    org_a: PartnerOrganisation
    org_b: PartnerOrganisation
    users: dict[str, User | None]
    case: Case
    clients: dict[str, APIClient] = field(default_factory=dict)

    def client(self, role: str) -> APIClient:
        """An API client authenticated as ``role`` (a fresh user instance each time, so no
        permission cache carries over between requests)."""
        client = APIClient()
        user = self.users[role]
        if user is not None:
            client.force_authenticate(User.objects.get(pk=user.pk))
        return client


def build_world() -> World:
    role_groups = ensure_role_groups()
    queue = QueueFactory(name="Queue A", slug="queue-a")
    other_queue = QueueFactory(name="Queue B", slug="queue-b")
    category = CategoryFactory(
        name="Hours and locations", slug="hours-and-locations", default_queue=queue
    )
    org_a = PartnerFactory(name="Partner A", slug="partner-a")
    org_b = PartnerFactory(name="Partner B", slug="partner-b")
    allow_categories(org_a, category)
    allow_categories(org_b, category)

    def person(name: str, role: str | None = None, **fields) -> User:
        user = UserFactory(username=f"api-{name}", **fields)
        if role is not None:
            user.groups.add(role_groups[role])
        return user

    users: dict[str, User | None] = {
        ANONYMOUS: None,
        PARTNER_A: service_account("api-partner-a", org_a, role_groups[Role.PARTNER_SYSTEM]),
        PARTNER_B: service_account("api-partner-b", org_b, role_groups[Role.PARTNER_SYSTEM]),
        AGENT: person(AGENT, Role.AGENT),
        OTHER_AGENT: person(OTHER_AGENT, Role.AGENT),
        SUPERVISOR: person(SUPERVISOR, Role.SUPERVISOR),
        COMPLIANCE: person(COMPLIANCE, Role.COMPLIANCE_OFFICER),
        ADMINISTRATOR: person(ADMINISTRATOR, Role.ADMINISTRATOR),
        # Issue 17: a superuser reaches patient data through roles only; this one supervises the
        # world's queue and is a compliance officer (reads every case). A bare superuser sees
        # nothing (tests/api/test_superuser.py).
        SUPERUSER: person(SUPERUSER, Role.SUPERVISOR, is_superuser=True),
    }
    users[SUPERUSER].groups.add(role_groups[Role.COMPLIANCE_OFFICER])
    assign_perm("cases.supervise_queue", users[SUPERUSER], queue)
    assign_perm("cases.work_queue", users[AGENT], queue)
    assign_perm("cases.work_queue", users[OTHER_AGENT], other_queue)
    assign_perm("cases.supervise_queue", users[SUPERVISOR], queue)
    case = make_case(
        actor=users[PARTNER_A],
        patient=patient_fields(WORLD_PATIENT),
        category=category,
        channel=Channel.PARTNER_API,
        source_organisation=org_a,
        external_reference="A-0001",
    )
    return World(queue, other_queue, category, org_a, org_b, users, case)


@pytest.fixture
def world(db) -> World:
    return build_world()


@contextlib.contextmanager
def module_transaction(django_db_blocker):
    """For module-scoped fixtures: a transaction rolled back at the module's end; each test
    (``db``) runs in a savepoint of it, so its own writes are undone after it."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        name = str(connection.settings_dict["NAME"])
        assert "test" in name or "memory" in name, f"not a test database: {name}"
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    """The world, built once per module (``module_transaction``). Tests using it also request
    ``db``, and no test of the module may use ``world``."""
    with module_transaction(django_db_blocker):
        yield build_world()


def case_body(category: str = "hours-and-locations", n: int = 900, **overrides) -> dict:
    """A valid POST /api/v1/cases/ body (staff must add a ``channel``)."""
    patient = patient_fields(n)
    patient["date_of_birth"] = patient["date_of_birth"].isoformat()
    body = {
        "patient": patient,
        "category": category,
        "subject": "Weekend hours",
        "description": "The caller asks whether the clinic is open on Saturdays.",
    }
    body.update(overrides)
    return body


def error_of(response) -> dict:
    """The body's error, after checking it has the one shape."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    for path, errors in body["error"]["fields"].items():
        assert isinstance(path, str)
        for error in errors:
            assert set(error) == {"code", "message"}, (path, error)
    return body["error"]
