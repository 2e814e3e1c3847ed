"""The case-change actions of the API (``api.views.changes``): what each does, its refusals in the
one error format (never a 500, nothing half written), and a replay with an Idempotency-Key. The
permission matrix is in test_permission_matrix.py."""

from __future__ import annotations

import pytest
from guardian.shortcuts import assign_perm

from billing_inquiries.models import BillingInquiry
from cases.choices import EventKind, Priority, Status
from cases.models import Case, CaseEvent, Patient
from tests.api.conftest import AGENT, COMPLIANCE, SUPERUSER, SUPERVISOR, error_of
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def _url(world, action: str) -> str:
    return f"/api/v1/cases/{world.case.reference}/{action}/"


def _post(world, role, action, body, **headers):
    return world.client(role).post(_url(world, action), body, format="json", headers=headers)


def _fields(response) -> dict[str, str]:
    return {path: items[0]["code"] for path, items in error_of(response)["fields"].items()}


def test_the_compliance_officer_marks_the_case_sensitive(world):
    response = _post(
        world, COMPLIANCE, "sensitivity", {"sensitivity": "substance_use", "reason": "Part 2"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["sensitivity"] == "substance_use"
    # the agent of the queue no longer sees it: a 404 now, as for any case they may not see
    assert world.client(AGENT).get(f"/api/v1/cases/{world.case.reference}/").status_code == 404
    response = _post(world, COMPLIANCE, "sensitivity", {"sensitivity": "", "reason": "Error"})
    assert response.status_code == 200 and response.json()["sensitivity"] == ""
    assert world.client(AGENT).get(f"/api/v1/cases/{world.case.reference}/").status_code == 200


def test_a_supervisor_without_clearance_gets_204_after_marking(world):
    response = _post(world, SUPERVISOR, "sensitivity", {"sensitivity": "hiv", "reason": "HIV"})
    assert response.status_code == 204 and response.content == b""
    assert Case.objects.get(pk=world.case.pk).sensitivity == "hiv"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"sensitivity": "hiv"}, {"reason": "required"}),
        ({"sensitivity": "hiv", "reason": "   "}, {"reason": "blank"}),
        ({"sensitivity": "secret", "reason": "x"}, {"sensitivity": "invalid_choice"}),
        ({"sensitivity": 3, "reason": "x"}, {"sensitivity": "invalid_choice"}),
        ({"sensitivity": "hiv", "reason": "x", "why": "x"}, {"why": "unknown_field"}),
        ({"reason": "x" * 2001, "sensitivity": "hiv"}, {"reason": "max_length"}),
    ],
)
def test_bad_sensitivity_input_is_a_400_naming_the_field(world, body, fields):
    response = _post(world, COMPLIANCE, "sensitivity", body)
    assert response.status_code == 400
    assert _fields(response) == fields
    assert Case.objects.get(pk=world.case.pk).sensitivity == ""


def test_the_patient_sensitivity_action(world):
    response = _post(
        world, COMPLIANCE, "patient-sensitivity", {"sensitivity": "hiv", "reason": "Record"}
    )
    assert response.status_code == 200
    assert Patient.objects.get(pk=world.case.patient_id).sensitivity == "hiv"
    assert world.client(AGENT).get(f"/api/v1/cases/{world.case.reference}/").status_code == 404


def test_move_to_another_queue(world):
    assign_perm("cases.work_queue", world.users[AGENT], world.other_queue)
    response = _post(world, AGENT, "move", {"queue": world.other_queue.slug, "reason": "Wrong"})
    assert response.status_code == 200, response.content
    assert response.json()["queue"] == world.other_queue.slug
    event = CaseEvent.objects.get(case=world.case, kind=EventKind.QUEUE_CHANGED)
    assert event.actor_id == world.users[AGENT].pk


def test_move_refusals(world):
    response = _post(world, AGENT, "move", {"queue": world.other_queue.slug})
    assert response.status_code == 400 and _fields(response) == {"queue": "not_queue_member"}
    response = _post(world, AGENT, "move", {"queue": "no-such-queue-4111111111111111"})
    assert response.status_code == 400 and _fields(response) == {"queue": "does_not_exist"}
    assert "4111111111111111" not in response.content.decode()
    response = _post(world, AGENT, "move", {"queue": 7})
    assert response.status_code == 400 and _fields(response) == {"queue": "invalid"}


def test_a_closed_case_is_a_409(world):
    from cases import services

    for status in (Status.RESOLVED, Status.CLOSED):
        services.case_transition(actor=world.users[SUPERUSER], case=world.case, to_status=status)
    response = _post(world, AGENT, "priority", {"priority": 40})
    assert response.status_code == 409
    assert error_of(response)["code"] == "case_closed"


def test_recategorise_with_details_and_a_clear_400_without_them(world):
    billing = CategoryFactory(
        name="Statement", slug="statement", kind="billing", default_queue=world.queue
    )
    response = _post(world, AGENT, "category", {"category": "statement"})
    assert response.status_code == 400
    assert _fields(response) == {"details.inquiry_type": "required"}
    response = _post(
        world, AGENT, "category", {"category": "statement", "details": {"inquiry_type": "x"}}
    )
    assert response.status_code == 400
    assert _fields(response) == {"details.inquiry_type": "invalid_choice"}
    assert Case.objects.get(pk=world.case.pk).category_id == world.category.pk
    response = _post(
        world,
        AGENT,
        "category",
        {"category": "statement", "details": {"inquiry_type": "refund"}, "reason": "A bill"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["category"] == "statement"
    assert BillingInquiry.objects.get(case_id=world.case.pk).inquiry_type == "refund"
    # within the kind: only the fields to change
    response = _post(
        world, AGENT, "category", {"category": billing.slug, "details": {"account_number": "A9"}}
    )
    assert response.status_code == 200, response.content
    row = BillingInquiry.objects.get(case_id=world.case.pk)
    assert (row.inquiry_type, row.account_number) == ("refund", "A9")


def test_an_unknown_category_is_a_400(world):
    response = _post(world, AGENT, "category", {"category": "nope"})
    assert response.status_code == 400 and _fields(response) == {"category": "does_not_exist"}


@pytest.mark.parametrize(
    "body", [{"priority": "40"}, {"priority": 25}, {"priority": True}, {}, {"priority": None}]
)
def test_bad_priorities_are_a_400(world, body):
    response = _post(world, AGENT, "priority", body)
    assert response.status_code == 400
    assert set(_fields(response)) == {"priority"}


def test_priority_change_is_replayed_with_the_same_key(world):
    first = _post(world, AGENT, "priority", {"priority": 40}, **{"Idempotency-Key": "k-1"})
    second = _post(world, AGENT, "priority", {"priority": 40}, **{"Idempotency-Key": "k-1"})
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["priority"] == Priority.URGENT
    assert CaseEvent.objects.filter(case=world.case, kind=EventKind.PRIORITY_CHANGED).count() == 1
