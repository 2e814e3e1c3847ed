"""Every intake rule refuses through case_open with ``details.<field>`` and writes nothing."""

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.choices import Channel
from cases.details import detail_for
from cases.models import Case, CaseEvent
from complaints.models import Complaint, Department
from tests.factories import CategoryFactory, make_patient

pytestmark = pytest.mark.django_db

VALID = {"complaint_type": "care", "severity": "moderate"}


def _open(actor, category, details, patient=None):
    return services.case_open(
        actor=actor,
        patient=patient or make_patient(actor),
        category=category,
        subject="Complaint",
        description="A complaint about a visit.",
        channel=Channel.PORTAL,
        details=details,
    )


def _refused(actor, category, details) -> dict[str, list[str]]:
    patient = make_patient(actor)
    counts = (Case.objects.count(), CaseEvent.objects.count(), Complaint.objects.count())
    with pytest.raises(ValidationError) as caught:
        _open(actor, category, details, patient=patient)
    assert (Case.objects.count(), CaseEvent.objects.count(), Complaint.objects.count()) == counts
    return {field: [e.code for e in errors] for field, errors in caught.value.error_dict.items()}


def test_valid_details_are_stored(actor, complaints_category, department):
    case = _open(actor, complaints_category, {**VALID, "department": department})
    complaint = detail_for(case)
    assert isinstance(complaint, Complaint)
    complaint.refresh_from_db()
    assert (complaint.complaint_type, complaint.severity, complaint.department) == (
        "care",
        "moderate",
        department,
    )
    assert complaint.formal_grievance is False
    assert complaint.outcome == Complaint.Outcome.PENDING
    assert complaint.outcome_summary == ""
    assert complaint.acknowledged_at is None and complaint.responded_at is None
    assert complaint.acknowledgement_due_at and complaint.response_due_at


def test_department_may_be_left_empty_at_intake(actor, complaints_category):
    complaint = detail_for(_open(actor, complaints_category, VALID))
    assert complaint.department is None


@pytest.mark.parametrize(
    ("details", "field", "code"),
    [
        ({"severity": "low"}, "complaint_type", "blank"),
        ({**VALID, "complaint_type": "rudeness"}, "complaint_type", "invalid_choice"),
        ({"complaint_type": "care"}, "severity", "blank"),
        ({**VALID, "severity": "extreme"}, "severity", "invalid_choice"),
        ({**VALID, "formal_grievance": "perhaps"}, "formal_grievance", "invalid"),
    ],
)
def test_field_rules(actor, complaints_category, details, field, code):
    assert _refused(actor, complaints_category, details) == {f"details.{field}": [code]}


def test_no_details_at_all_is_refused(actor, complaints_category):
    errors = _refused(actor, complaints_category, None)
    assert errors == {"details.complaint_type": ["blank"], "details.severity": ["blank"]}


def test_an_inactive_department_is_refused(actor, complaints_category):
    closed = Department.objects.create(name="Closed ward", active=False)
    errors = _refused(actor, complaints_category, {**VALID, "department": closed})
    assert errors == {"details.department": ["invalid"]}


@pytest.mark.parametrize(
    "field",
    [
        "outcome",
        "outcome_summary",
        "acknowledgement_due_at",
        "response_due_at",
        "acknowledged_at",
        "responded_at",
        "case",
        "created_at",
    ],
)
def test_system_fields_are_not_input(actor, complaints_category, field):
    errors = _refused(actor, complaints_category, {**VALID, field: "x"})
    assert errors == {f"details.{field}": ["unknown_field"]}


def test_details_of_another_kind_are_refused(actor, complaints_category):
    billing = {"inquiry_type": "refund", "account_number": "DEMO-1"}
    errors = _refused(actor, complaints_category, {**VALID, **billing})
    assert errors == {
        "details.account_number": ["unknown_field"],
        "details.inquiry_type": ["unknown_field"],
    }


def test_complaint_details_on_a_case_of_another_kind_are_refused(actor):
    billing = CategoryFactory(kind="billing")
    errors = _refused(actor, billing, {"inquiry_type": "refund", **VALID})
    assert errors == {
        "details.complaint_type": ["unknown_field"],
        "details.severity": ["unknown_field"],
    }
