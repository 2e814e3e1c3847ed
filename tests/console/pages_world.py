"""The world the console page tests (tests/console/test_pages_*.py) share: queues, people of every
role, and cases built through the services.

* ``queue`` (Billing) and ``other`` (Pharmacy); a category routing to each;
* ``agent`` (Ada) and ``agent2`` (Bo) work Billing; ``foreign`` (Fay) works Pharmacy;
* ``supervisor`` (Sam) supervises Billing; ``administrator`` (Agent role model permissions,
  no queue); ``officer`` (compliance officer); ``partner`` (a partner's service account);
  ``superuser`` (no role: no console, issue 17); ``root`` (a superuser in the Supervisor role
  supervising both queues, cleared for sensitive records: the all-seeing actor of some tests);
  ``nobody`` (staff, no role);
* ``case`` in Billing and ``foreign_case`` in Pharmacy, whose patients have recognisable names.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from accounts.models import User
from accounts.roles import Role, ensure_role_groups
from cases.models import Case, Category, Queue
from tests.factories import (
    CategoryFactory,
    PartnerFactory,
    QueueFactory,
    UserFactory,
    make_case,
    make_patient,
)

# Recognisable, synthetic patient names: a page must never show the foreign one.
OWN_PATIENT = ("Quentin", "Ownqueuepatient")
FOREIGN_PATIENT = ("Zebulon", "Foreignqueuepatient")


@dataclass
class World:
    queue: Queue
    other: Queue
    category: Category
    other_category: Category
    agent: User
    agent2: User
    foreign: User
    supervisor: User
    administrator: User
    officer: User
    partner: User
    superuser: User
    root: User
    nobody: User
    intake: User
    case: Case
    foreign_case: Case


def build_world() -> World:
    groups = ensure_role_groups()

    def person(username, first, role=None, **fields):
        user = UserFactory(username=username, first_name=first, last_name="Tester", **fields)
        if role is not None:
            user.groups.add(groups[role])
        return user

    queue = QueueFactory(name="Billing", slug="billing")
    other = QueueFactory(name="Pharmacy", slug="pharmacy")
    category = CategoryFactory(name="Statement question", default_queue=queue)
    other_category = CategoryFactory(name="Refill question", default_queue=other)
    intake = person("pages-intake", "Ivy", Role.AGENT)
    world = World(
        queue=queue,
        other=other,
        category=category,
        other_category=other_category,
        agent=person("pages-agent", "Ada", Role.AGENT),
        agent2=person("pages-agent2", "Bo", Role.AGENT),
        foreign=person("pages-foreign", "Fay", Role.AGENT),
        supervisor=person("pages-supervisor", "Sam", Role.SUPERVISOR),
        administrator=person("pages-administrator", "Abe", Role.ADMINISTRATOR),
        officer=person("pages-officer", "Olga", Role.COMPLIANCE_OFFICER),
        partner=person(
            "pages-partner",
            "Partner",
            Role.PARTNER_SYSTEM,
            is_staff=False,
            kind=User.Kind.SERVICE,
            organisation=PartnerFactory(),
        ),
        superuser=person("pages-superuser", "Root", is_superuser=True),
        root=person("pages-root", "Rory", Role.SUPERVISOR, is_superuser=True),
        nobody=person("pages-nobody", "Nell"),
        intake=intake,
        case=make_case(
            actor=intake,
            category=category,
            patient=make_patient(intake, given_name=OWN_PATIENT[0], family_name=OWN_PATIENT[1]),
            subject="Own queue subject line",
        ),
        foreign_case=make_case(
            actor=intake,
            category=other_category,
            patient=make_patient(
                intake, given_name=FOREIGN_PATIENT[0], family_name=FOREIGN_PATIENT[1]
            ),
            subject="Foreign queue subject line",
        ),
    )
    for user in (world.agent, world.agent2):
        assign_perm("cases.work_queue", user, queue)
    assign_perm("cases.work_queue", world.foreign, other)
    assign_perm("cases.supervise_queue", world.supervisor, queue)
    for supervised in (queue, other):
        assign_perm("cases.supervise_queue", world.root, supervised)
    world.root.groups.add(groups[Role.SENSITIVE_RECORDS])
    return world


@pytest.fixture(name="world")
def world_fixture(db) -> World:
    """Import ``world_fixture`` into a test module; tests ask for ``world``."""
    return build_world()


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


def case_url(case: Case, action: str = "") -> str:
    name = f"console:case-{action}" if action else "console:case"
    return reverse(name, args=[case.reference])


def assert_login_redirect(response, url: str) -> None:
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == reverse("admin:login")
    assert parse_qs(target.query)["next"] == [url]


def page_text(response) -> str:
    return response.content.decode()
