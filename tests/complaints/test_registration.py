"""The kind's registration, its admin and its demo data."""

import random

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from cases.models import Case
from cases.registry import registry
from complaints.admin import ComplaintInline
from complaints.models import Complaint, Department, GrievancePeriod
from complaints.samples import sample_details
from complaints.serializers import ComplaintSerializer


def test_the_kind_is_registered():
    spec = registry.get("complaints")
    assert spec is not None
    assert spec.label == "Complaints and feedback"
    assert spec.detail_model is Complaint
    assert spec.serializer is ComplaintSerializer
    assert spec.admin_inline is ComplaintInline
    assert spec.sample_details is sample_details
    assert ("complaints", "Complaints and feedback") in registry.choices()


def test_the_inline_is_read_only_and_shows_the_system_fields(admin_user):
    request = RequestFactory().get("/")
    request.user = admin_user
    inline = ComplaintInline(Case, admin.site)
    readonly = set(inline.get_readonly_fields(request))
    assert {
        *Complaint.input_fields(),
        "acknowledgement_due_at",
        "response_due_at",
        "acknowledged_at",
        "responded_at",
        "outcome",
        "outcome_summary",
    } <= readonly
    assert set(inline.get_fields(request)) == readonly
    assert not inline.has_add_permission(request)
    assert not inline.has_change_permission(request)
    assert inline.can_delete is False


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["department", "grievanceperiod"])
def test_configuration_admin_pages(admin_client, department, model):
    changelist = reverse(f"admin:complaints_{model}_changelist")
    assert admin_client.get(changelist).status_code == 200
    assert admin_client.get(changelist, {"q": "emergency"}).status_code == 200
    assert admin_client.get(reverse(f"admin:complaints_{model}_add")).status_code == 200


@pytest.mark.django_db
def test_grievance_periods_are_edited_in_the_admin(admin_client):
    period = GrievancePeriod.objects.get(applies_to="formal_grievance")
    url = reverse("admin:complaints_grievanceperiod_change", args=[period.pk])
    response = admin_client.post(
        url,
        {"applies_to": "formal_grievance", "acknowledgement_days": 3, "response_days": 2},
    )
    assert response.status_code == 200  # redisplayed with the error
    assert "cannot be longer than the response period" in response.content.decode()
    response = admin_client.post(
        url,
        {"applies_to": "formal_grievance", "acknowledgement_days": 3, "response_days": 10},
    )
    assert response.status_code == 302
    period.refresh_from_db()
    assert (period.acknowledgement_days, period.response_days) == (3, 10)


@pytest.mark.django_db
def test_sample_details_without_departments():
    details = sample_details(random.Random(1), "en")
    assert details["department"] is None
    complaint = Complaint(**details)
    complaint.full_clean(exclude=["case"])
    assert complaint.formal_grievance == details["formal_grievance"]


@pytest.mark.django_db
def test_sample_details_pick_an_active_department():
    names = {"Cardiology", "Emergency department", "Radiology"}
    for name in names:
        Department.objects.create(name=name)
    Department.objects.create(name="Closed ward", active=False)

    samples = [sample_details(random.Random(seed), "es") for seed in range(40)]
    assert {details["department"].name for details in samples} == names
    assert samples[:5] == [sample_details(random.Random(seed), "es") for seed in range(5)]
    for details in samples:
        complaint = Complaint(**details)
        complaint.full_clean(exclude=["case"])  # already consistent: nothing to force
        assert complaint.formal_grievance == details["formal_grievance"]
