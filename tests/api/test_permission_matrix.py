"""The permission matrix of the API: every endpoint x every role, written out by hand from
docs/architecture/access.md and docs/architecture/partner-api.md ("Who may do what").

* anonymous → 401 (with a ``WWW-Authenticate: Bearer`` challenge) everywhere;
* a case the role may not see → 404, never 403 (its existence does not leak);
* a case the role sees but may not act on that way → 403;
* an endpoint the role may not use at all (queues for partners, opening cases for the
  compliance officer) → 403.

Each cell also checks the body: 2xx bodies contain the case (or not) as the role may see it,
errors have the API's one error format.
"""

from __future__ import annotations

import pytest

from tests.api.conftest import (
    ADMINISTRATOR,
    AGENT,
    ANONYMOUS,
    COMPLIANCE,
    OTHER_AGENT,
    PARTNER_A,
    PARTNER_B,
    PARTNERS,
    ROLES,
    SUPERUSER,
    SUPERVISOR,
    case_body,
    error_of,
)

pytestmark = pytest.mark.django_db

SEES_CASE = {PARTNER_A, AGENT, SUPERVISOR, COMPLIANCE, SUPERUSER}
WORKS_CASE = {AGENT, SUPERVISOR, SUPERUSER}
SUPERVISES_CASE = {SUPERVISOR, SUPERUSER}
OPENS_CASES = {PARTNER_A, PARTNER_B, AGENT, OTHER_AGENT, SUPERVISOR, ADMINISTRATOR, SUPERUSER}
READS_QUEUES = {AGENT, OTHER_AGENT, SUPERVISOR, COMPLIANCE, ADMINISTRATOR, SUPERUSER}
# cases.set_sensitivity (supervisors, the compliance officer) and sight of the case. The world's
# supervisor is not cleared for sensitive records: once the case is sensitive they no longer see
# it, and the answer is a 204 without the case.
SETS_SENSITIVITY = {SUPERVISOR, COMPLIANCE, SUPERUSER}


def expected_for_case_action(role: str, allowed: set[str], ok: int = 200) -> int:
    """The status of an action on the world's case: allowed → ok; sees it → 403; else 404."""
    if role == ANONYMOUS:
        return 401
    if role in allowed:
        return ok
    return 403 if role in SEES_CASE else 404


def _case_url(world, suffix: str = "") -> str:
    return f"/api/v1/cases/{world.case.reference}/{suffix}"


# endpoint name → (method, url(world), body(world, role) or None, expected(role) → status)
ENDPOINTS = {
    "cases-list": (
        "get",
        lambda w: "/api/v1/cases/",
        None,
        lambda role: 401 if role == ANONYMOUS else 200,
    ),
    "cases-create": (
        "post",
        lambda w: "/api/v1/cases/",
        lambda w, role: case_body(**({} if role in PARTNERS else {"channel": "voice"})),
        lambda role: 401 if role == ANONYMOUS else (201 if role in OPENS_CASES else 403),
    ),
    "cases-retrieve": (
        "get",
        lambda w: _case_url(w),
        None,
        lambda role: expected_for_case_action(role, SEES_CASE),
    ),
    "messages-list": (
        "get",
        lambda w: _case_url(w, "messages/"),
        None,
        lambda role: expected_for_case_action(role, SEES_CASE),
    ),
    "messages-create": (
        "post",
        lambda w: _case_url(w, "messages/"),
        lambda w, role: {"body": "Thank you, we are looking into it."},
        lambda role: expected_for_case_action(role, WORKS_CASE | {PARTNER_A}, ok=201),
    ),
    "claim": (
        "post",
        lambda w: _case_url(w, "claim/"),
        lambda w, role: {},
        lambda role: expected_for_case_action(role, WORKS_CASE),
    ),
    "assign": (
        "post",
        lambda w: _case_url(w, "assign/"),
        lambda w, role: {"assignee": w.users[AGENT].pk},
        lambda role: expected_for_case_action(role, SUPERVISES_CASE),
    ),
    "transition": (
        "post",
        lambda w: _case_url(w, "transition/"),
        lambda w, role: {"to_status": "triaged", "reason": "Checked the request."},
        lambda role: expected_for_case_action(role, WORKS_CASE),
    ),
    "resolve": (
        "post",
        lambda w: _case_url(w, "resolve/"),
        lambda w, role: {"reason": "Answered at first contact."},
        lambda role: expected_for_case_action(role, WORKS_CASE),
    ),
    # Issue 15's case changes (api.views.changes).
    "sensitivity": (
        "post",
        lambda w: _case_url(w, "sensitivity/"),
        lambda w, role: {"sensitivity": "substance_use", "reason": "Part 2 program."},
        lambda role: (
            204 if role == SUPERVISOR else expected_for_case_action(role, SETS_SENSITIVITY)
        ),
    ),
    "patient-sensitivity": (
        "post",
        lambda w: _case_url(w, "patient-sensitivity/"),
        lambda w, role: {"sensitivity": "hiv", "reason": "Clinical record."},
        lambda role: (
            204 if role == SUPERVISOR else expected_for_case_action(role, SETS_SENSITIVITY)
        ),
    ),
    "move": (
        "post",
        lambda w: _case_url(w, "move/"),
        lambda w, role: {"queue": w.queue.slug, "reason": "Stays here."},
        lambda role: expected_for_case_action(role, WORKS_CASE),
    ),
    "category": (
        "post",
        lambda w: _case_url(w, "category/"),
        lambda w, role: {"category": w.category.slug},
        lambda role: expected_for_case_action(role, WORKS_CASE),
    ),
    "priority": (
        "post",
        lambda w: _case_url(w, "priority/"),
        lambda w, role: {"priority": 30, "reason": "New symptoms."},
        lambda role: expected_for_case_action(role, WORKS_CASE),
    ),
    "categories-list": (
        "get",
        lambda w: "/api/v1/categories/",
        None,
        lambda role: 401 if role == ANONYMOUS else 200,
    ),
    "queues-list": (
        "get",
        lambda w: "/api/v1/queues/",
        None,
        lambda role: 401 if role == ANONYMOUS else (200 if role in READS_QUEUES else 403),
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_permission_matrix(module_world, db, endpoint, role):
    world = module_world
    method, url, body, expected = ENDPOINTS[endpoint]
    client = world.client(role)
    data = body(world, role) if body is not None else None
    response = getattr(client, method)(url(world), data=data, format="json")

    assert response.status_code == expected(role), (endpoint, role, response.content[:500])
    if response.status_code >= 400:
        error = error_of(response)
        assert (
            error["code"]
            == {
                401: "not_authenticated",
                403: "permission_denied",
                404: "not_found",
            }[response.status_code]
        )
        if response.status_code == 401:
            assert response["WWW-Authenticate"].startswith("Bearer")
        return
    if response.status_code == 204:
        assert response.content == b""
        assert (
            not world.case.__class__.objects.restrict(world.users[role], "view")
            .filter(pk=world.case.pk)
            .exists()
        )
        return
    payload = response.json()
    if endpoint == "cases-list":
        references = [item["reference"] for item in payload["results"]]
        assert (world.case.reference in references) == (role in SEES_CASE), references
    elif endpoint in {"cases-retrieve", "claim", "assign", "transition", "resolve"}:
        assert payload["reference"] == world.case.reference
    elif endpoint in {"sensitivity", "patient-sensitivity", "move", "category", "priority"}:
        assert payload["reference"] == world.case.reference
        if endpoint == "priority":
            assert payload["priority"] == 30
    elif endpoint == "categories-list":
        assert [item["slug"] for item in payload] == ["hours-and-locations"]


@pytest.mark.parametrize("role", [PARTNER_A, AGENT, SUPERVISOR, COMPLIANCE, SUPERUSER])
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_no_updates_or_deletes_of_cases(module_world, db, role, method):
    world = module_world
    """State changes are action endpoints; nothing is PATCHed or deleted: 405 for who sees it."""
    response = getattr(world.client(role), method)(
        f"/api/v1/cases/{world.case.reference}/", data={"status": "closed"}, format="json"
    )
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


def test_a_person_without_a_role_sees_nothing_and_may_do_nothing(module_world, db):
    world = module_world
    from rest_framework.test import APIClient

    from tests.factories import UserFactory

    nobody = UserFactory(username="api-nobody", is_staff=False)
    client = APIClient()
    client.force_authenticate(nobody)
    assert client.get("/api/v1/cases/").json()["results"] == []
    assert client.get(f"/api/v1/cases/{world.case.reference}/").status_code == 404
    assert client.get("/api/v1/categories/").status_code == 403
    assert client.get("/api/v1/queues/").status_code == 403
    response = client.post("/api/v1/cases/", case_body(channel="voice"), format="json")
    assert response.status_code == 403


def test_a_partner_sees_only_what_minimum_necessary_allows(module_world, db):
    world = module_world
    case = world.client(PARTNER_A).get(f"/api/v1/cases/{world.case.reference}/").json()
    for hidden in ("queue", "assigned_to", "sensitivity", "first_response_due_at"):
        assert hidden not in case
    assert set(case["patient"]) == {
        "id",
        "mrn",
        "given_name",
        "family_name",
        "date_of_birth",
        "preferred_language",
    }
    staff = world.client(AGENT).get(f"/api/v1/cases/{world.case.reference}/").json()
    assert staff["queue"] == "queue-a"
    assert "phone" in staff["patient"]


def test_partner_queue_filter_is_an_unknown_parameter(module_world, db):
    world = module_world
    response = world.client(PARTNER_A).get("/api/v1/cases/?queue=queue-a")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "unknown_field"
    assert list(error["fields"]) == ["queue"]


# --- the complaint actions (api.views.complaints) ---------------------------------------------
# On a complaint in queue A that an agent opened (no partner submitted it): the partners do not
# see it (404); the compliance officer sees it but works no case (403); who works queue A may.

COMPLAINT_SEES = {AGENT, SUPERVISOR, COMPLIANCE, SUPERUSER}


def _complaint_case(world):
    from tests.factories import CategoryFactory, make_case

    category = CategoryFactory(
        name="Complaint", slug="complaint-matrix", kind="complaints", default_queue=world.queue
    )
    return make_case(
        actor=world.users[AGENT],
        category=category,
        details={"complaint_type": "care", "severity": "moderate"},
    )


def _complaint_expected(role: str) -> int:
    if role == ANONYMOUS:
        return 401
    if role in WORKS_CASE:
        return 200
    return 403 if role in COMPLAINT_SEES else 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["acknowledge", "respond"])
def test_complaint_action_matrix(module_world, db, action, role):
    from complaints.models import Complaint
    from complaints.services import complaint_acknowledge

    world = module_world
    case = _complaint_case(world)
    body = {}
    if action == "respond":
        complaint_acknowledge(actor=world.users[AGENT], case=case)
        body = {"outcome": "not_upheld", "summary": "Reviewed with the ward; explained."}
    before = Complaint.objects.filter(pk=case.pk).values().get()
    events = case.events.count()

    response = world.client(role).post(
        f"/api/v1/cases/{case.reference}/complaint/{action}/", data=body, format="json"
    )

    expected = _complaint_expected(role)
    assert response.status_code == expected, (action, role, response.content[:500])
    if expected >= 400:
        error = error_of(response)
        assert error["code"] == {401: "not_authenticated", 403: "permission_denied"}.get(
            expected, "not_found"
        )
        assert case.reference not in response.content.decode() or expected == 403
        # Nothing written.
        assert Complaint.objects.filter(pk=case.pk).values().get() == before
        assert case.events.count() == events
        return
    payload = response.json()
    assert payload["reference"] == case.reference
    assert payload["state"] == ("responded" if action == "respond" else "response_due")
