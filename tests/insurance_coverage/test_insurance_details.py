"""Insurance inquiry details: stored through case_open, refused by field, same rules everywhere."""

import random

import pytest
from django.db import IntegrityError, transaction

from cases.details import detail_for, validate_details
from cases.registry import registry
from insurance_coverage.admin import InsuranceInquiryInline
from insurance_coverage.models import InsuranceInquiry
from insurance_coverage.samples import sample_details
from insurance_coverage.serializers import InsuranceInquirySerializer
from tests.category_helpers import details_opener
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

VALID = {
    "inquiry_type": "eligibility",
    "payer": "Demo Health Plan 3",
    "plan": "Demo PPO",
    "member_id": "DEMO-1234 5678",
    "group_number": "GRP-0042",
    "third_party_contact": "Demo rep, call reference DEMO-77",
}


@pytest.fixture
def category(db):
    return CategoryFactory(kind="insurance")


open_case, refused = details_opener(InsuranceInquiry, subject="Coverage question")


def test_valid_details_are_stored_and_read_back(actor, category):
    case = open_case(actor, category, VALID)
    detail = detail_for(case)
    assert isinstance(detail, InsuranceInquiry)
    assert {name: getattr(detail, name) for name in VALID} == VALID
    assert detail.prior_authorization_status == "not_applicable"


def test_prior_authorization_inquiry_defaults_to_not_requested(actor, category):
    case = open_case(actor, category, {"inquiry_type": "prior_authorization"})
    assert detail_for(case).prior_authorization_status == "not_requested"


def test_claim_status_inquiry_with_claim_number_is_stored(actor, category):
    case = open_case(actor, category, {"inquiry_type": "claim_status", "claim_number": "CLM-9"})
    assert detail_for(case).claim_number == "CLM-9"


@pytest.mark.parametrize(
    ("details", "field"),
    [
        ({"payer": "Demo Health Plan 1"}, "inquiry_type"),
        ({"inquiry_type": "coverage_gossip"}, "inquiry_type"),
        (
            {"inquiry_type": "prior_authorization", "prior_authorization_status": "not_applicable"},
            "prior_authorization_status",
        ),
        (
            {"inquiry_type": "eligibility", "prior_authorization_status": "maybe"},
            "prior_authorization_status",
        ),
        ({"inquiry_type": "claim_status"}, "claim_number"),
        ({"inquiry_type": "eligibility", "member_id": "ABC_123!"}, "member_id"),
        ({"inquiry_type": "eligibility", "member_id": "A" * 33}, "member_id"),
        ({"inquiry_type": "eligibility", "group_number": "GRP/42"}, "group_number"),
        ({"inquiry_type": "eligibility", "group_number": "1" * 33}, "group_number"),
    ],
)
def test_rules_are_refused_by_field(actor, category, details, field):
    error = refused(actor, category, details)
    assert f"details.{field}" in error.error_dict


def test_details_of_another_kind_are_unknown_fields(actor, category):
    error = refused(actor, category, {**VALID, "account_number": "DEMO-1"})
    assert [e.code for e in error.error_dict["details.account_number"]] == ["unknown_field"]


def test_masked_member_id_shows_only_the_last_four_characters():
    assert InsuranceInquiry(member_id="DEMO12345678").masked_member_id == "****5678"
    assert InsuranceInquiry(member_id="1234").masked_member_id == "****"
    assert InsuranceInquiry(member_id="").masked_member_id == ""


def test_database_refuses_a_prior_authorization_inquiry_without_status(actor, category):
    case = open_case(actor, category, {"inquiry_type": "prior_authorization"})
    with pytest.raises(IntegrityError), transaction.atomic():
        InsuranceInquiry.objects.filter(pk=case.pk).update(
            prior_authorization_status="not_applicable"
        )


def test_serializer_validates_the_same_data():
    assert InsuranceInquirySerializer(data=VALID).is_valid()
    serializer = InsuranceInquirySerializer(data={**VALID, "inquiry_type": "coverage_gossip"})
    assert not serializer.is_valid()
    assert set(serializer.errors) == {"inquiry_type"}


def test_app_registered_its_kind():
    spec = registry.get("insurance")
    assert spec.label == "Insurance and coverage"
    assert spec.detail_model is InsuranceInquiry
    assert spec.serializer is InsuranceInquirySerializer
    assert spec.admin_inline is InsuranceInquiryInline


@pytest.mark.parametrize("seed", range(20))
def test_sample_details_are_valid(category, seed):
    details = sample_details(random.Random(seed), "en")
    assert isinstance(validate_details(category, details), InsuranceInquiry)
