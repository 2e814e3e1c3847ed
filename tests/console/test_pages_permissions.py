"""Who may use the console pages and actions (docs/architecture/live-queue.md, "Pages").

Every page and POST action x every role. The console is for people whose role may work cases
(``cases.change_case``): agents, supervisors, administrators — a superuser only through such a
role (issue 17). Anonymous users are sent
to the login page. Service accounts, compliance officers (they read cases read-only through the
admin and their own pages) and staff without a support role get a 404 on every page. A case the
user may not see — another queue's — is a 404 on its page and every action, and changes nothing;
the supervisor page is a 404 to anyone who supervises no queue; assigning needs a supervisor of
the case's queue. Never a 403."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.urls import reverse

from cases.models import Case, CaseEvent
from compliance.models import AuditEntry
from tests.console.pages_world import assert_login_redirect, case_url, login, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
AGENT = "agent"
FOREIGN = "foreign_agent"
SUPERVISOR = "supervisor"
ADMINISTRATOR = "administrator"
OFFICER = "compliance_officer"
PARTNER = "partner_service_account"
NOBODY = "staff_without_role"
SUPERUSER = "superuser"
ROLES = (ANONYMOUS, AGENT, FOREIGN, SUPERVISOR, ADMINISTRATOR, OFFICER, PARTNER, NOBODY, SUPERUSER)
# A superuser without a support role has no console either (issue 17).
NO_CONSOLE = {OFFICER, PARTNER, NOBODY, SUPERUSER}


@dataclass(frozen=True)
class Page:
    url: str  # a URL name; "case" pages take the Billing case's reference
    method: str = "get"
    data: dict = field(default_factory=dict)
    on_case: bool = False
    allowed: frozenset = frozenset({AGENT, SUPERVISOR})  # who gets the success status
    success: int = 200

    def resolve(self, world) -> str:
        return reverse(self.url, args=[world.case.reference] if self.on_case else [])


EVERY_CONSOLE_USER = frozenset({AGENT, FOREIGN, SUPERVISOR, ADMINISTRATOR})
PAGES = {
    "queue": Page("console:queue", allowed=EVERY_CONSOLE_USER),
    "mine": Page("console:mine", allowed=EVERY_CONSOLE_USER),
    "supervisor": Page("console:supervisor", allowed=frozenset({SUPERVISOR})),
    "case": Page("console:case", on_case=True),
    "case-row": Page("console:case-row", on_case=True),
    "claim": Page("console:case-claim", "post", on_case=True, success=302),
    "release": Page("console:case-release", "post", on_case=True, success=302),
    "reply": Page("console:case-reply", "post", {"body": "We are on it."}, True, success=302),
    "note": Page("console:case-note", "post", {"body": "Called back."}, True, success=302),
    "transition": Page(
        "console:case-transition", "post", {"to_status": "triaged"}, True, success=302
    ),
    "assign": Page(
        "console:case-assign",
        "post",
        {"assignee": ""},  # nobody: valid for every supervisor of the queue
        True,
        allowed=frozenset({SUPERVISOR}),
        success=302,
    ),
    "claim-next": Page("console:claim-next", "post", allowed=EVERY_CONSOLE_USER, success=302),
    # Issue 15's case changes (console.views.changes). Sensitivity: who holds
    # cases.set_sensitivity and sees the case (the supervisor; the compliance officer has no
    # console); the others who see the case get a 404 too, never a 403.
    "sensitivity": Page(
        "console:case-sensitivity",
        "post",
        {"case-sensitivity-sensitivity": "hiv", "case-sensitivity-reason": "Clinical record"},
        True,
        allowed=frozenset({SUPERVISOR}),
        success=302,
    ),
    "patient-sensitivity": Page(
        "console:case-patient-sensitivity",
        "post",
        {"patient-sensitivity-sensitivity": "hiv", "patient-sensitivity-reason": "Record"},
        True,
        allowed=frozenset({SUPERVISOR}),
        success=302,
    ),
    "priority": Page(
        "console:case-priority", "post", {"priority-priority": "30"}, True, success=302
    ),
    # No queue here is a target every allowed role works: the form refuses (400) after access.
    "move": Page("console:case-move", "post", {"move-queue": "999999"}, True, success=400),
    "category": Page(
        "console:case-category", "post", {"category-category": "999999"}, True, success=400
    ),
}


def user_of(world, role):
    return {
        ANONYMOUS: None,
        AGENT: world.agent,
        FOREIGN: world.foreign,
        SUPERVISOR: world.supervisor,
        ADMINISTRATOR: world.administrator,
        OFFICER: world.officer,
        PARTNER: world.partner,
        NOBODY: world.nobody,
        SUPERUSER: world.superuser,
    }[role]


def state_of(case: Case) -> tuple:
    case = Case.objects.get(pk=case.pk)
    return (
        case.status,
        case.assigned_to_id,
        case.sensitivity,
        case.patient.sensitivity,
        case.priority,
        case.queue_id,
        case.category_id,
        CaseEvent.objects.filter(case=case).count(),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", PAGES)
def test_permission_matrix(client, world, name, role):
    page = PAGES[name]
    user = user_of(world, role)
    login(client, user)
    url = page.resolve(world)
    before = state_of(world.case)
    entries_before = AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS).count()

    response = getattr(client, page.method)(url, page.data)

    if role == ANONYMOUS:
        assert_login_redirect(response, url)
    elif role in page.allowed:
        assert response.status_code == page.success, response.content[:800]
    else:
        assert response.status_code == 404, (name, role, response.status_code)
    assert response.status_code != 403
    if role not in page.allowed:
        # Nothing happened: no change, no timeline event, nothing read (nothing logged).
        assert state_of(world.case) == before
        assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS).count() == entries_before


def test_a_404_says_nothing_about_the_case(client, world):
    login(client, world.foreign)
    response = client.get(case_url(world.case))
    assert response.status_code == 404
    html = response.content.decode()
    assert world.case.reference not in html
    assert "Ownqueuepatient" not in html


@pytest.mark.parametrize("role", sorted(NO_CONSOLE))
def test_who_may_not_use_the_console_gets_404_even_for_a_case_assigned_to_them(client, world, role):
    """A person without a support role reaches no case whatever is assigned to them
    (cases.access); the console agrees, and so it does for a compliance officer, who reads every
    case through the admin and the compliance pages, but works none."""
    user = user_of(world, role)
    login(client, user)
    for name in ("console:queue", "console:mine"):
        assert client.get(reverse(name)).status_code == 404


def test_an_inactive_user_is_not_served(client, world):
    login(client, world.agent)
    world.agent.is_active = False
    world.agent.save(update_fields=["is_active"])
    response = client.get(reverse("console:queue"))
    # The session's user is no longer active: Django logs them out; the login page follows.
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_a_view_only_grant_shows_the_case_but_not_its_actions(client, world):
    """Break-the-glass gives ``view_case`` on one case: its page opens (read-only, logged),
    every work action is a 404 — the same answer as for a case one may not see at all."""
    from accounts.roles import Role, ensure_role_groups
    from oversight.services import break_glass_open

    world.foreign.groups.add(ensure_role_groups()[Role.CLINICIAN])  # may break the glass
    break_glass_open(
        actor=world.foreign,
        reference=world.case.reference,
        reason="Patient on the line reports a reaction; the billing case has the pharmacy.",
    )
    login(client, world.foreign)
    response = client.get(case_url(world.case))
    assert response.status_code == 200
    html = response.content.decode()
    assert "You may read this case but not work on it." in html
    assert 'action="' + case_url(world.case, "reply") not in html
    assert 'action="' + case_url(world.case, "claim") not in html
    before = state_of(world.case)
    for action in ("claim", "reply", "note", "transition", "release", "assign"):
        response = client.post(case_url(world.case, action), {"body": "x", "to_status": "triaged"})
        assert response.status_code == 404, action
    assert state_of(world.case) == before


def test_posts_need_the_csrf_token(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.agent)
    response = client.post(case_url(world.case, "claim"))
    assert response.status_code == 403  # Django's CSRF failure, before any view code
    assert Case.objects.get(pk=world.case.pk).assigned_to_id is None


@pytest.mark.parametrize("name", ["claim", "reply", "claim-next"])
def test_actions_refuse_get(client, world, name):
    login(client, world.agent)
    assert client.get(PAGES[name].resolve(world)).status_code == 405


@pytest.mark.parametrize("name", ["queue", "case", "supervisor"])
def test_pages_refuse_post(client, world, name):
    login(client, world.supervisor)
    assert client.post(PAGES[name].resolve(world)).status_code == 405


def test_a_malformed_reference_is_a_404(client, world):
    login(client, world.agent)
    assert client.get("/console/cases/PC%00-1/").status_code == 404
    assert client.get("/console/cases/" + "X" * 40 + "/").status_code == 404


def test_pages_are_not_cached(client, world):
    login(client, world.agent)
    for url in (reverse("console:queue"), case_url(world.case), reverse("console:mine")):
        assert "no-store" in client.get(url)["Cache-Control"]


# --- complaints (console.views.complaints) ----------------------------------------------------
# On a complaint in Billing: who works Billing may acknowledge and respond; everybody else gets a
# 404 and nothing changes. The overdue-alerts fragment is a console page like the queue.

COMPLAINT_ACTIONS = {
    "complaint-acknowledge": {},
    "complaint-respond": {"outcome": "not_upheld", "summary": "Reviewed and explained."},
}


def _complaint_in_billing(world):
    from tests.factories import CategoryFactory, make_case

    category = CategoryFactory(name="Complaint", kind="complaints", default_queue=world.queue)
    return make_case(
        actor=world.intake,
        category=category,
        details={"complaint_type": "care", "severity": "moderate"},
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(COMPLAINT_ACTIONS))
def test_complaint_action_matrix(client, world, name, role):
    from complaints.models import Complaint
    from complaints.services import complaint_acknowledge

    case = _complaint_in_billing(world)
    if name == "complaint-respond":
        complaint_acknowledge(actor=world.intake, case=case)
    user = user_of(world, role)
    login(client, user)
    url = reverse(f"console:case-{name}", args=[case.reference])
    before = (Complaint.objects.filter(pk=case.pk).values().get(), case.events.count())

    response = client.post(url, COMPLAINT_ACTIONS[name])

    if role == ANONYMOUS:
        assert_login_redirect(response, url)
    elif role in {AGENT, SUPERVISOR}:
        assert response.status_code == 302, response.content[:800]
        assert response["Location"] == reverse("console:case", args=[case.reference])
        complaint = Complaint.objects.get(pk=case.pk)
        assert (
            complaint.responded_at if name == "complaint-respond" else complaint.acknowledged_at
        ) is not None
        return
    else:
        assert response.status_code == 404, (name, role, response.status_code)
        assert case.reference not in response.content.decode()
    assert (Complaint.objects.filter(pk=case.pk).values().get(), case.events.count()) == before


@pytest.mark.parametrize("role", ROLES)
def test_complaint_alerts_matrix(client, world, role):
    user = user_of(world, role)
    login(client, user)
    url = reverse("console:complaint-alerts")
    response = client.get(url)
    if role == ANONYMOUS:
        assert_login_redirect(response, url)
    elif role in EVERY_CONSOLE_USER:
        assert response.status_code == 200
    else:
        assert response.status_code == 404
