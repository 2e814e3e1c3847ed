"""Portal issue details: stored through case_open, refused by field, same rules everywhere."""

import random

import pytest
from django.db import IntegrityError, transaction

from cases.details import detail_for, validate_details
from cases.registry import registry
from portal_support.admin import PortalIssueInline
from portal_support.models import PortalIssue
from portal_support.samples import sample_details
from portal_support.serializers import PortalIssueSerializer
from tests.category_helpers import details_opener
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

VALID = {
    "issue_type": "login",
    "portal_username": "demo.user12",
    "device": "phone",
    "browser": "Demo Browser 1",
}
PROXY = {
    "issue_type": "proxy_access",
    "portal_username": "demo.user13",
    "proxy_name": "Demo Proxy 7",
    "proxy_relationship": "guardian",
}


@pytest.fixture
def category(db):
    return CategoryFactory(kind="portal")


open_case, refused = details_opener(PortalIssue, subject="Portal question")


@pytest.mark.parametrize("details", [VALID, PROXY])
def test_valid_details_are_stored_and_read_back(actor, category, details):
    detail = detail_for(open_case(actor, category, details))
    assert isinstance(detail, PortalIssue)
    assert {name: getattr(detail, name) for name in details} == details


def test_device_defaults_to_unknown(actor, category):
    case = open_case(actor, category, {"issue_type": "navigation"})
    assert detail_for(case).device == "unknown"


@pytest.mark.parametrize(
    ("details", "fields"),
    [
        ({"device": "phone"}, {"issue_type"}),
        ({"issue_type": "hacking"}, {"issue_type"}),
        ({"issue_type": "login", "device": "smart_fridge"}, {"device"}),
        ({"issue_type": "login", "proxy_relationship": "neighbour"}, {"proxy_relationship"}),
        ({"issue_type": "proxy_access"}, {"proxy_name", "proxy_relationship"}),
        ({**PROXY, "proxy_name": "  "}, {"proxy_name"}),
        ({**PROXY, "proxy_relationship": ""}, {"proxy_relationship"}),
    ],
)
def test_rules_are_refused_by_field(actor, category, details, fields):
    error = refused(actor, category, details)
    assert set(error.error_dict) == {f"details.{field}" for field in fields}


def test_details_of_another_kind_are_unknown_fields(actor, category):
    error = refused(actor, category, {**VALID, "medication": "lisinopril"})
    assert [e.code for e in error.error_dict["details.medication"]] == ["unknown_field"]


def test_no_field_holds_a_password(actor, category):
    assert not [name for name in PortalIssue.input_fields() if "password" in name]
    error = refused(actor, category, {**VALID, "password": "not-a-real-one"})
    assert [e.code for e in error.error_dict["details.password"]] == ["unknown_field"]


def test_database_refuses_proxy_access_without_a_proxy(actor, category):
    case = open_case(actor, category, PROXY)
    with pytest.raises(IntegrityError), transaction.atomic():
        PortalIssue.objects.filter(pk=case.pk).update(proxy_name="")


def test_serializer_validates_the_same_data():
    assert PortalIssueSerializer(data=VALID).is_valid()
    assert PortalIssueSerializer(data=PROXY).is_valid()
    serializer = PortalIssueSerializer(data={**VALID, "device": "smart_fridge"})
    assert not serializer.is_valid()
    assert set(serializer.errors) == {"device"}


def test_app_registered_its_kind():
    spec = registry.get("portal")
    assert spec.label == "Patient portal and technology"
    assert spec.detail_model is PortalIssue
    assert spec.serializer is PortalIssueSerializer
    assert spec.admin_inline is PortalIssueInline


@pytest.mark.parametrize("seed", range(20))
def test_sample_details_are_valid(category, seed):
    details = sample_details(random.Random(seed), "en")
    assert isinstance(validate_details(category, details), PortalIssue)
