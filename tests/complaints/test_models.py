"""Database constraints and configuration models."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from cases.details import detail_for
from complaints.models import Complaint, Department, GrievancePeriod, GrievanceTrack
from tests.complaints.helpers import open_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint(actor, complaints_category, department):
    return detail_for(open_complaint(actor, complaints_category, department=department))


def _violates(complaint, **values):
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(**values)


@pytest.mark.parametrize(
    "values",
    [
        {"complaint_type": "rudeness"},
        {"severity": "extreme"},
        {"outcome": "lost"},
        {"severity": "critical", "formal_grievance": False},
        {"complaint_type": "privacy", "formal_grievance": False},
        {"acknowledged_at": timezone.now(), "responded_at": timezone.now()},  # outcome pending
        {"outcome": "not_upheld", "responded_at": timezone.now()},  # never acknowledged
        {"acknowledgement_due_at": None},
        {"response_due_at": None},
    ],
    ids=lambda values: ",".join(values),
)
def test_the_database_refuses_inconsistent_rows(complaint, values):
    _violates(complaint, **values)


def test_the_database_accepts_a_complete_response(complaint):
    now = timezone.now()
    Complaint.objects.filter(pk=complaint.pk).update(
        acknowledged_at=now, responded_at=now, outcome="withdrawn"
    )


def test_a_department_in_use_cannot_be_deleted(complaint, department):
    with pytest.raises(ProtectedError):
        department.delete()
    department.active = False  # deactivate instead
    department.save()
    complaint.refresh_from_db()
    assert complaint.department == department


def test_department_names_are_unique_and_trimmed(department):
    duplicate = Department(name="  Emergency department ")
    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert [error.code for error in caught.value.error_dict["name"]] == ["unique"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.create(name="Emergency department")


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"acknowledgement_days": 0}, "acknowledgement_days", "min_value"),
        ({"response_days": 0}, "response_days", "min_value"),
        ({"response_days": 400}, "response_days", "max_value"),
        (
            {"acknowledgement_days": 10, "response_days": 7},
            "acknowledgement_days",
            "acknowledgement_after_response",
        ),
    ],
)
def test_grievance_period_rules(values, field, code):
    period = GrievancePeriod.objects.get(applies_to=GrievanceTrack.FORMAL_GRIEVANCE)
    for name, value in values.items():
        setattr(period, name, value)
    with pytest.raises(ValidationError) as caught:
        period.full_clean()
    assert [error.code for error in caught.value.error_dict[field]] == [code]


def test_one_grievance_period_per_track():
    with pytest.raises(ValidationError) as caught:
        GrievancePeriod(
            applies_to=GrievanceTrack.FORMAL_GRIEVANCE, acknowledgement_days=1, response_days=2
        ).full_clean()
    assert [error.code for error in caught.value.error_dict["applies_to"]] == ["unique"]


@pytest.mark.parametrize(
    "values",
    [
        {"acknowledgement_days": 0},
        {"acknowledgement_days": 8, "response_days": 7},
        {"applies_to": "whatever"},
    ],
)
def test_the_database_refuses_bad_periods(values):
    with pytest.raises(IntegrityError), transaction.atomic():
        GrievancePeriod.objects.filter(applies_to=GrievanceTrack.FORMAL_GRIEVANCE).update(**values)


def test_str(complaint):
    assert str(complaint) == f"complaint of case {complaint.case_id}"
    assert str(GrievancePeriod.objects.get(applies_to="formal_grievance")) == (
        "Formal grievance: acknowledge in 5 days, respond in 7 days"
    )
