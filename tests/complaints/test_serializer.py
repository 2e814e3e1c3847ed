import pytest

from accounts.roles import Role, ensure_role_groups
from cases.details import detail_for
from complaints.models import Complaint, Department
from complaints.serializers import ComplaintSerializer
from tests.complaints.helpers import open_complaint
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_fields_are_the_input_fields():
    assert list(ComplaintSerializer().fields) == [
        "complaint_type",
        "severity",
        "formal_grievance",
        "department",
    ]
    assert Complaint.input_fields() == list(ComplaintSerializer().fields)


def test_valid_data(department):
    serializer = ComplaintSerializer(
        data={"complaint_type": "access", "severity": "high", "department": department.pk}
    )
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == {
        "complaint_type": "access",
        "severity": "high",
        "department": department,
    }


def test_department_is_optional():
    serializer = ComplaintSerializer(
        data={"complaint_type": "care", "severity": "low", "department": None}
    )
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["department"] is None


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"severity": "low"}, "complaint_type", "required"),
        ({"complaint_type": "rudeness", "severity": "low"}, "complaint_type", "invalid_choice"),
        ({"complaint_type": "care", "severity": "extreme"}, "severity", "invalid_choice"),
        (
            {"complaint_type": "care", "severity": "low", "department": 999999},
            "department",
            "does_not_exist",
        ),
    ],
)
def test_invalid_data(data, field, code):
    serializer = ComplaintSerializer(data=data)
    assert not serializer.is_valid()
    assert [error.code for error in serializer.errors[field]] == [code]


def test_an_inactive_department_cannot_be_chosen():
    closed = Department.objects.create(name="Closed ward", active=False)
    serializer = ComplaintSerializer(
        data={"complaint_type": "care", "severity": "low", "department": closed.pk}
    )
    assert not serializer.is_valid()
    assert [error.code for error in serializer.errors["department"]] == ["does_not_exist"]


def test_system_fields_are_ignored_on_input():
    serializer = ComplaintSerializer(
        data={
            "complaint_type": "care",
            "severity": "low",
            "outcome": "withdrawn",
            "acknowledged_at": "2026-01-01T00:00:00Z",
        }
    )
    assert serializer.is_valid(), serializer.errors
    assert set(serializer.validated_data) == {"complaint_type", "severity"}


def test_representation(actor, complaints_category, department):
    complaint = detail_for(
        open_complaint(actor, complaints_category, complaint_type="privacy", department=department)
    )
    # Minimum necessary: without a user allowed to see them, no fields leave the server.
    assert ComplaintSerializer(complaint).data == {}
    # A role that sees every detail field (a superuser's flag alone would show none: issue 17).
    reader = UserFactory(username="complaint-reader")
    reader.groups.add(ensure_role_groups()[Role.COMPLIANCE_OFFICER])
    assert ComplaintSerializer(complaint, context={"user": reader}).data == {
        "complaint_type": "privacy",
        "severity": "moderate",
        "formal_grievance": True,
        "department": department.pk,
    }
