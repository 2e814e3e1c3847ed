"""complaint_acknowledge and complaint_respond."""

import pytest
from django.core.exceptions import ValidationError

from cases.choices import EventKind, Visibility
from cases.details import detail_for
from cases.models import MAX_TEXT_LENGTH, CaseEvent
from cases.services import case_transition
from complaints.models import Complaint
from complaints.services import complaint_acknowledge, complaint_respond
from tests.complaints.helpers import local, open_complaint
from tests.factories import CategoryFactory, UserFactory, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(actor, complaints_category):
    return open_complaint(
        actor, complaints_category, at=local(2026, 3, 6, 10, 0), formal_grievance=True
    )


def _codes(caught) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in caught.value.error_dict.items()}


def _state(case):
    complaint = Complaint.objects.get(pk=case.pk)
    return (
        complaint.acknowledged_at,
        complaint.responded_at,
        complaint.outcome,
        complaint.outcome_summary,
        complaint.updated_at,
        CaseEvent.objects.filter(case=case).count(),
    )


def _refused(case, call, **kwargs) -> dict[str, list[str]]:
    before = _state(case)
    with pytest.raises(ValidationError) as caught:
        call(case=case, **kwargs)
    assert _state(case) == before  # nothing written
    return _codes(caught)


def test_acknowledge(actor, case, time_machine):
    time_machine.move_to(local(2026, 3, 9, 14, 15), tick=False)
    agent = UserFactory(username="grievance-officer")

    complaint = complaint_acknowledge(actor=agent, case=case)

    assert complaint.acknowledged_at == local(2026, 3, 9, 14, 15)
    complaint.refresh_from_db()
    assert complaint.acknowledged_at == local(2026, 3, 9, 14, 15)
    assert complaint.responded_at is None
    note = case.events.order_by("-id").first()
    assert (note.kind, note.visibility, note.body, note.new_value, note.actor) == (
        EventKind.COMPLAINT_ACKNOWLEDGED,
        Visibility.INTERNAL,
        "Grievance acknowledged.",
        "on time",
        agent,
    )


def test_acknowledge_twice_is_refused(actor, case):
    complaint_acknowledge(actor=actor, case=case)
    errors = _refused(case, complaint_acknowledge, actor=actor)
    assert errors == {"case": ["already_acknowledged"]}


def test_respond(actor, case, time_machine):
    time_machine.move_to(local(2026, 3, 9, 9, 0), tick=False)
    complaint_acknowledge(actor=actor, case=case)
    time_machine.move_to(local(2026, 3, 12, 16, 45), tick=False)
    officer = UserFactory(username="grievance-officer")

    complaint = complaint_respond(
        actor=officer,
        case=case,
        outcome=Complaint.Outcome.PARTIALLY_UPHELD,
        summary="  Reviewed the visit with the department; apology and retraining.  ",
    )

    complaint.refresh_from_db()
    assert complaint.responded_at == local(2026, 3, 12, 16, 45)
    assert complaint.acknowledged_at == local(2026, 3, 9, 9, 0)
    assert complaint.outcome == "partially_upheld"
    assert complaint.outcome_summary == (
        "Reviewed the visit with the department; apology and retraining."
    )
    note = case.events.order_by("-id").first()
    assert (note.kind, note.visibility, note.body, note.actor) == (
        EventKind.COMPLAINT_RESPONDED,
        Visibility.INTERNAL,
        "Grievance response recorded: Partially upheld.",
        officer,
    )
    kinds = [EventKind.COMPLAINT_ACKNOWLEDGED, EventKind.COMPLAINT_RESPONDED]
    assert list(case.events.filter(kind__in=kinds).values_list("body", flat=True)) == [
        "Grievance acknowledged.",
        "Grievance response recorded: Partially upheld.",
    ]


def test_respond_with_an_empty_summary(actor, case, time_machine):
    time_machine.move_to(local(2026, 3, 7, 9, 0), tick=False)
    complaint_acknowledge(actor=actor, case=case)
    complaint = complaint_respond(actor=actor, case=case, outcome="withdrawn", summary="")
    assert (complaint.outcome, complaint.outcome_summary) == ("withdrawn", "")
    assert case.events.order_by("-id").first().body == "Grievance response recorded: Withdrawn."


def test_respond_before_acknowledging_is_refused(actor, case):
    errors = _refused(case, complaint_respond, actor=actor, outcome="not_upheld", summary="No.")
    assert errors == {"case": ["not_acknowledged"]}


def test_respond_twice_is_refused(actor, case):
    complaint_acknowledge(actor=actor, case=case)
    complaint_respond(actor=actor, case=case, outcome="not_upheld", summary="Reviewed.")
    errors = _refused(case, complaint_respond, actor=actor, outcome="withdrawn", summary="Again.")
    assert errors == {"case": ["already_responded"]}


@pytest.mark.parametrize(
    ("outcome", "summary", "errors"),
    [
        ("pending", "Still looking.", {"outcome": ["outcome_pending"]}),
        ("lost", "Unknown.", {"outcome": ["invalid_choice"]}),
        ("not_upheld", "x" * (MAX_TEXT_LENGTH + 1), {"summary": ["max_length"]}),
    ],
)
def test_respond_argument_rules(actor, case, outcome, summary, errors):
    complaint_acknowledge(actor=actor, case=case)
    assert _refused(case, complaint_respond, actor=actor, outcome=outcome, summary=summary) == (
        errors
    )


@pytest.mark.parametrize("service", ["acknowledge", "respond"])
def test_a_case_without_a_complaint_is_refused(actor, service):
    billing = make_case(
        actor=actor,
        category=CategoryFactory(kind="billing"),
        details={"inquiry_type": "refund"},
    )
    events = billing.events.count()
    with pytest.raises(ValidationError) as caught:
        if service == "acknowledge":
            complaint_acknowledge(actor=actor, case=billing)
        else:
            complaint_respond(actor=actor, case=billing, outcome="withdrawn", summary="")
    assert _codes(caught) == {"case": ["not_a_complaint"]}
    assert billing.events.count() == events


def test_an_inactive_actor_is_refused(case):
    former = UserFactory(username="former-agent", is_active=False)
    assert _refused(case, complaint_acknowledge, actor=former) == {"actor": ["inactive_actor"]}


def test_an_actor_is_required(case):
    with pytest.raises(TypeError):
        complaint_acknowledge(actor=None, case=case)
    with pytest.raises(TypeError):
        complaint_respond(actor=None, case=case, outcome="withdrawn", summary="")


def test_the_services_are_keyword_only(actor, case):
    with pytest.raises(TypeError):
        complaint_acknowledge(actor, case)  # type: ignore[misc]


def test_a_closed_case_still_takes_the_acknowledgement_and_response(actor, case):
    """Closing the case does not end the duty to answer a grievance; internal notes are allowed
    on a closed case (an addendum)."""
    case_transition(actor=actor, case=case, to_status="resolved")
    case_transition(actor=actor, case=case, to_status="closed")
    complaint_acknowledge(actor=actor, case=case)
    complaint = complaint_respond(actor=actor, case=case, outcome="not_upheld", summary="Done.")
    assert complaint.responded_at is not None


def test_services_leave_the_intake_fields_alone(actor, case):
    before = detail_for(case)
    complaint_acknowledge(actor=actor, case=case)
    after = complaint_respond(actor=actor, case=case, outcome="withdrawn", summary="")
    after.refresh_from_db()
    assert (
        after.complaint_type,
        after.severity,
        after.formal_grievance,
        after.acknowledgement_due_at,
        after.response_due_at,
    ) == (
        before.complaint_type,
        before.severity,
        before.formal_grievance,
        before.acknowledgement_due_at,
        before.response_due_at,
    )
