"""POST /api/v1/cases/{reference}/complaint/acknowledge|respond/ (api.views.complaints): the
answer, the refusals (409 with the service's code, 400 for the body), card data, idempotency,
the live messages. Who may: tests/api/test_permission_matrix.py."""

from __future__ import annotations

import pytest

from cases.choices import EventKind
from complaints.models import Complaint
from tests.api.conftest import AGENT, SUPERVISOR, error_of
from tests.factories import CategoryFactory, make_case

pytestmark = pytest.mark.django_db

VISA = "4111 1111 1111 1111"


@pytest.fixture
def complaint_case(world):
    category = CategoryFactory(
        name="Complaint", slug="complaint-api", kind="complaints", default_queue=world.queue
    )
    return make_case(
        actor=world.users[AGENT],
        category=category,
        details={"complaint_type": "billing", "severity": "high"},
    )


def _post(world, case, action, body=None, role=AGENT, **extra):
    return world.client(role).post(
        f"/api/v1/cases/{case.reference}/complaint/{action}/",
        data=body if body is not None else {},
        format="json",
        **extra,
    )


def test_acknowledge_then_respond(world, complaint_case):
    response = _post(world, complaint_case, "acknowledge")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "response_due"
    assert body["acknowledged_at"] is not None and body["overdue"] is False
    assert complaint_case.events.filter(kind=EventKind.COMPLAINT_ACKNOWLEDGED).exists()

    response = _post(
        world,
        complaint_case,
        "respond",
        {"outcome": "partially_upheld", "summary": "  Refund of the duplicate charge.  "},
        role=SUPERVISOR,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["outcome"]) == ("responded", "partially_upheld")
    complaint = Complaint.objects.get(pk=complaint_case.pk)
    assert complaint.outcome_summary == "Refund of the duplicate charge."
    event = complaint_case.events.get(kind=EventKind.COMPLAINT_RESPONDED)
    assert event.actor == world.users[SUPERVISOR]


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"outcome": "pending", "summary": "x"}, "outcome", "invalid_choice"),
        ({"outcome": "sideways", "summary": "x"}, "outcome", "invalid_choice"),
        ({"outcome": 3, "summary": "x"}, "outcome", "invalid_choice"),
        ({"summary": "x"}, "outcome", "required"),
        ({"outcome": "not_upheld", "summary": ""}, "summary", "blank"),
        ({"outcome": "not_upheld", "summary": 12}, "summary", "invalid"),
        ({"outcome": "not_upheld", "summary": "x" * 20_001}, "summary", "max_length"),
        ({"outcome": "not_upheld", "summary": "x", "colour": "red"}, "colour", "unknown_field"),
    ],
)
def test_a_bad_body_is_a_400_that_names_the_field(world, complaint_case, body, field, code):
    _post(world, complaint_case, "acknowledge")
    response = _post(world, complaint_case, "respond", body)
    assert response.status_code == 400, response.content
    error = error_of(response)
    assert field in error["fields"], error
    assert error["fields"][field][0]["code"] == code
    assert Complaint.objects.get(pk=complaint_case.pk).responded_at is None


def test_withdrawn_needs_no_summary(world, complaint_case):
    _post(world, complaint_case, "acknowledge")
    response = _post(world, complaint_case, "respond", {"outcome": "withdrawn"})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("steps", "action", "code"),
    [
        (["acknowledge"], "acknowledge", "already_acknowledged"),
        ([], "respond", "not_acknowledged"),
        (["acknowledge", "respond"], "respond", "already_responded"),
    ],
)
def test_the_complaints_state_is_a_409(world, complaint_case, steps, action, code):
    respond = {"outcome": "not_upheld", "summary": "Explained the charges."}
    for step in steps:
        done = _post(world, complaint_case, step, respond if step == "respond" else {})
        assert done.status_code == 200
    response = _post(world, complaint_case, action, respond if action == "respond" else {})
    assert response.status_code == 409, response.content
    assert error_of(response)["fields"]["case"][0]["code"] == code


def test_a_case_that_is_no_complaint_is_a_409(world):
    response = _post(world, world.case, "acknowledge")
    assert response.status_code == 409
    assert error_of(response)["fields"]["case"][0]["code"] == "not_a_complaint"


def test_an_acknowledgement_takes_no_body(world, complaint_case):
    response = _post(world, complaint_case, "acknowledge", {"when": "yesterday"})
    assert response.status_code == 400
    assert error_of(response)["fields"]["when"][0]["code"] == "unknown_field"


def test_card_data_in_the_summary_is_never_stored_or_echoed(world, complaint_case):
    _post(world, complaint_case, "acknowledge")
    response = _post(
        world,
        complaint_case,
        "respond",
        {"outcome": "resolved_for_patient", "summary": f"Refunded to card {VISA}, cvv 123."},
    )
    assert response.status_code == 200
    assert "4111111111111111" not in response.content.decode().replace(" ", "")
    stored = Complaint.objects.get(pk=complaint_case.pk).outcome_summary
    assert stored.startswith("Refunded to card")
    assert "4111111111111111" not in stored.replace(" ", "")


def test_an_idempotent_replay_acknowledges_once(world, complaint_case):
    key = {"HTTP_IDEMPOTENCY_KEY": "ack-0001-complaint"}
    first = _post(world, complaint_case, "acknowledge", **key)
    second = _post(world, complaint_case, "acknowledge", **key)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert complaint_case.events.filter(kind=EventKind.COMPLAINT_ACKNOWLEDGED).count() == 1


def test_the_actions_announce_live(world, complaint_case, monkeypatch):
    sent = []
    monkeypatch.setattr("cases.events._send", lambda queue_ids, payload: sent.append(payload))
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        _post(world, complaint_case, "acknowledge")
    names = [(p["type"], p["event"]) for p in sent]
    assert ("case.event", "case.updated") in names
    assert ("complaint.event", "complaint.acknowledged") in names
    message = next(p for p in sent if p["type"] == "complaint.event")
    assert message["queue_id"] == world.queue.pk
    assert message["state"] == "response_due"
