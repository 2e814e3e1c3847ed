"""Care navigation details: stored through case_open, refused by field, same rules everywhere."""

import random
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from care_navigation.admin import NavigationRequestInline
from care_navigation.models import NavigationRequest
from care_navigation.samples import sample_details
from care_navigation.serializers import NavigationRequestSerializer
from cases.details import detail_for, validate_details
from cases.registry import registry
from tests.category_helpers import details_opener
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

VALID = {"request_type": "referral", "referral_id": "DEMO-REF-123", "specialty": "cardiology"}


@pytest.fixture
def category(db):
    return CategoryFactory(kind="care_navigation")


open_case, refused = details_opener(NavigationRequest, subject="Next steps")


def test_valid_details_are_stored_and_read_back(actor, category):
    target = timezone.localdate() + timedelta(days=14)
    detail = detail_for(open_case(actor, category, {**VALID, "target_date": target}))
    assert isinstance(detail, NavigationRequest)
    assert {name: getattr(detail, name) for name in VALID} == VALID
    assert detail.target_date == target


def test_only_the_request_type_is_required(actor, category):
    detail = detail_for(open_case(actor, category, {"request_type": "community_resource"}))
    assert (detail.referral_id, detail.specialty, detail.target_date) == ("", "", None)


def test_target_date_today_is_accepted(actor, category):
    today = timezone.localdate()
    case = open_case(actor, category, {"request_type": "scheduling", "target_date": today})
    assert detail_for(case).target_date == today


@pytest.mark.parametrize(
    ("details", "field"),
    [
        ({"specialty": "cardiology"}, "request_type"),
        ({"request_type": "teleportation"}, "request_type"),
        ({"request_type": "referral", "referral_id": "REF 12/3"}, "referral_id"),
        ({"request_type": "referral", "referral_id": "R" * 33}, "referral_id"),
    ],
)
def test_rules_are_refused_by_field(actor, category, details, field):
    error = refused(actor, category, details)
    assert f"details.{field}" in error.error_dict


def test_target_date_in_the_past_is_refused_at_intake(actor, category):
    yesterday = timezone.localdate() - timedelta(days=1)
    error = refused(actor, category, {"request_type": "scheduling", "target_date": yesterday})
    assert set(error.error_dict) == {"details.target_date"}


def test_target_date_may_pass_after_intake(actor, category):
    case = open_case(actor, category, {"request_type": "scheduling"})
    detail = detail_for(case)
    detail.target_date = timezone.localdate() - timedelta(days=1)
    detail.full_clean(exclude=["case"])


def test_details_of_another_kind_are_unknown_fields(actor, category):
    error = refused(actor, category, {**VALID, "issue_type": "login"})
    assert [e.code for e in error.error_dict["details.issue_type"]] == ["unknown_field"]


def test_database_refuses_an_unknown_request_type(actor, category):
    case = open_case(actor, category, VALID)
    with pytest.raises(IntegrityError), transaction.atomic():
        NavigationRequest.objects.filter(pk=case.pk).update(request_type="teleportation")


def test_serializer_validates_the_same_data():
    assert NavigationRequestSerializer(data=VALID).is_valid()
    serializer = NavigationRequestSerializer(data={**VALID, "request_type": "teleportation"})
    assert not serializer.is_valid()
    assert set(serializer.errors) == {"request_type"}


def test_app_registered_its_kind():
    spec = registry.get("care_navigation")
    assert spec.label == "Care coordination and navigation"
    assert spec.detail_model is NavigationRequest
    assert spec.serializer is NavigationRequestSerializer
    assert spec.admin_inline is NavigationRequestInline


@pytest.mark.parametrize("seed", range(20))
def test_sample_details_are_valid(category, seed):
    details = sample_details(random.Random(seed), "en")
    assert isinstance(validate_details(category, details), NavigationRequest)
