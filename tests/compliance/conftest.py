"""Fixtures of the compliance officer pages' tests (tests/compliance/test_pages_*.py)."""

from __future__ import annotations

import pytest
from guardian.shortcuts import assign_perm

from accounts.models import User
from accounts.roles import Role, ensure_role_groups
from oversight.services import break_glass_open
from tests.factories import PartnerFactory, QueueFactory, UserFactory, make_case, make_patient

REASON = "Patient on the line reports a medication reaction; need the open refill case."

ANONYMOUS = "anonymous"
AGENT = "agent"
SUPERVISOR = "supervisor"
ADMINISTRATOR = "administrator"
PARTNER = "partner"
COMPLIANCE = "compliance"
SUPERUSER = "superuser"
ROLES = (ANONYMOUS, AGENT, SUPERVISOR, ADMINISTRATOR, PARTNER, COMPLIANCE, SUPERUSER)
# A superuser without a role is no exception: the pages show PHI (issue 17).
ALLOWED = {COMPLIANCE}


@pytest.fixture
def role_groups(db):
    return ensure_role_groups()


@pytest.fixture
def role_users(role_groups, queue) -> dict[str, User | None]:
    """One user per role of the permission matrix (anonymous: None)."""

    def person(name, role=None, **fields):
        user = UserFactory(username=f"pages-{name}", **fields)
        if role is not None:
            user.groups.add(role_groups[role])
        return user

    users = {
        ANONYMOUS: None,
        AGENT: person(AGENT, Role.AGENT),
        SUPERVISOR: person(SUPERVISOR, Role.SUPERVISOR),
        ADMINISTRATOR: person(ADMINISTRATOR, Role.ADMINISTRATOR),
        PARTNER: person(
            PARTNER,
            Role.PARTNER_SYSTEM,
            is_staff=False,
            kind=User.Kind.SERVICE,
            organisation=PartnerFactory(),
        ),
        COMPLIANCE: person(COMPLIANCE, Role.COMPLIANCE_OFFICER),
        SUPERUSER: person(SUPERUSER, is_superuser=True),
    }
    assign_perm("cases.work_queue", users[AGENT], queue)
    assign_perm("cases.supervise_queue", users[SUPERVISOR], queue)
    return users


@pytest.fixture
def officer(role_users) -> User:
    return role_users[COMPLIANCE]


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def night_agent(role_groups) -> User:
    """A clinician of another queue (a role that may break the glass): needs break-the-glass to
    see the cases of ``queue``."""
    agent = UserFactory(username="night-agent", first_name="Night", last_name="Agent")
    agent.groups.add(role_groups[Role.CLINICIAN])
    assign_perm("cases.work_queue", agent, QueueFactory(name="Elsewhere", slug="elsewhere"))
    return agent


@pytest.fixture
def patient(actor):
    return make_patient(actor, mrn="PAGES-0001")


@pytest.fixture
def case(actor, category, patient):
    return make_case(actor=actor, category=category, patient=patient)


@pytest.fixture
def emergency(night_agent, case):
    """An emergency access awaiting review."""
    return break_glass_open(actor=night_agent, reference=case.reference, reason=REASON)
