"""Refill request details: stored through case_open, refused by field, same rules everywhere."""

import random
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.details import detail_for, validate_details
from cases.registry import registry
from prescription_refills.admin import RefillRequestInline
from prescription_refills.models import RefillRequest
from prescription_refills.samples import sample_details
from prescription_refills.serializers import RefillRequestSerializer
from tests.category_helpers import details_opener
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

VALID = {
    "request_type": "refill",
    "medication": "lisinopril",
    "strength": "10 mg",
    "pharmacy": "Demo Pharmacy #12",
    "prescriber": "Demo Prescriber 4",
    "last_fill_date": date(2025, 3, 1),
    "clinical_question": False,
}


@pytest.fixture
def category(db):
    return CategoryFactory(kind="refills")


open_case, refused = details_opener(RefillRequest, subject="Refill request")


def test_valid_details_are_stored_and_read_back(actor, category):
    case = open_case(actor, category, VALID)
    detail = detail_for(case)
    assert isinstance(detail, RefillRequest)
    assert {name: getattr(detail, name) for name in VALID} == VALID


def test_last_fill_today_is_accepted(actor, category):
    case = open_case(actor, category, {**VALID, "last_fill_date": timezone.localdate()})
    assert detail_for(case).last_fill_date == timezone.localdate()


def test_side_effect_question_is_always_clinical(actor, category):
    details = {"request_type": "side_effect", "medication": "metformin", "clinical_question": False}
    case = open_case(actor, category, details)
    assert detail_for(case).clinical_question is True


def test_transfer_with_destination_pharmacy_is_stored(actor, category):
    details = {"request_type": "transfer", "medication": "atorvastatin", "pharmacy": "Demo #3"}
    assert detail_for(open_case(actor, category, details)).pharmacy == "Demo #3"


@pytest.mark.parametrize(
    ("details", "field"),
    [
        ({"medication": "lisinopril"}, "request_type"),
        ({"request_type": "refill_please", "medication": "lisinopril"}, "request_type"),
        ({"request_type": "refill"}, "medication"),
        ({"request_type": "transfer", "medication": "lisinopril"}, "pharmacy"),
        ({"request_type": "transfer", "medication": "lisinopril", "pharmacy": ""}, "pharmacy"),
    ],
)
def test_rules_are_refused_by_field(actor, category, details, field):
    error = refused(actor, category, details)
    assert f"details.{field}" in error.error_dict


def test_last_fill_date_in_the_future_is_refused(actor, category):
    tomorrow = timezone.localdate() + timedelta(days=1)
    error = refused(actor, category, {**VALID, "last_fill_date": tomorrow})
    assert set(error.error_dict) == {"details.last_fill_date"}


def test_details_of_another_kind_are_unknown_fields(actor, category):
    error = refused(actor, category, {**VALID, "inquiry_type": "statement_question"})
    assert [e.code for e in error.error_dict["details.inquiry_type"]] == ["unknown_field"]


def test_database_refuses_a_side_effect_question_that_is_not_clinical(actor, category):
    case = open_case(actor, category, {"request_type": "side_effect", "medication": "metformin"})
    with pytest.raises(IntegrityError), transaction.atomic():
        RefillRequest.objects.filter(pk=case.pk).update(clinical_question=False)


def test_serializer_validates_the_same_data():
    assert RefillRequestSerializer(data=VALID).is_valid()
    serializer = RefillRequestSerializer(data={**VALID, "request_type": "refill_please"})
    assert not serializer.is_valid()
    assert set(serializer.errors) == {"request_type"}
    tomorrow = timezone.localdate() + timedelta(days=1)
    serializer = RefillRequestSerializer(data={**VALID, "last_fill_date": tomorrow})
    assert not serializer.is_valid()
    assert set(serializer.errors) == {"last_fill_date"}


def test_app_registered_its_kind():
    spec = registry.get("refills")
    assert spec.label == "Prescription refills and medication"
    assert spec.detail_model is RefillRequest
    assert spec.serializer is RefillRequestSerializer
    assert spec.admin_inline is RefillRequestInline


@pytest.mark.parametrize("seed", range(20))
def test_sample_details_are_valid(category, seed):
    details = sample_details(random.Random(seed), "en")
    assert isinstance(validate_details(category, details), RefillRequest)
