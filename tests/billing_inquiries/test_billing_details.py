"""Billing inquiry details: stored through case_open, refused by field, same rules everywhere.
PCI DSS: the account number is the provider's; a value that looks like a card number is refused."""

import random
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from billing_inquiries.admin import BillingInquiryInline
from billing_inquiries.models import BillingInquiry
from billing_inquiries.samples import sample_details
from billing_inquiries.serializers import BillingInquirySerializer
from cases.details import detail_for, validate_details
from cases.registry import registry
from tests.category_helpers import details_opener
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

VALID = {
    "inquiry_type": "charge_dispute",
    "account_number": "DEMO-ACCT-0042",
    "date_of_service": date(2026, 2, 3),
    "amount_in_question": Decimal("1234.56"),
    "payment_plan_requested": False,
    "financial_assistance_status": "not_applicable",
}


@pytest.fixture
def category(db):
    return CategoryFactory(kind="billing")


open_case, refused = details_opener(BillingInquiry, subject="Billing question")


def codes(error, field):
    return [e.code for e in error.error_dict[f"details.{field}"]]


def test_valid_details_are_stored_and_read_back(actor, category):
    case = open_case(actor, category, VALID)
    detail = detail_for(case)
    assert isinstance(detail, BillingInquiry)
    assert detail.case_id == case.pk
    assert {name: getattr(detail, name) for name in VALID} == VALID
    assert isinstance(detail.amount_in_question, Decimal)
    assert detail.amount_in_question == Decimal("1234.56")
    assert detail.date_of_service == date(2026, 2, 3)


def test_minimal_details_take_the_defaults(actor, category):
    detail = detail_for(open_case(actor, category, {"inquiry_type": "statement_question"}))
    assert detail.account_number == ""
    assert detail.date_of_service is None
    assert detail.amount_in_question is None
    assert detail.payment_plan_requested is False
    assert detail.financial_assistance_status == "not_applicable"


def test_zero_amount_is_accepted(actor, category):
    case = open_case(actor, category, {**VALID, "amount_in_question": Decimal("0.00")})
    assert detail_for(case).amount_in_question == Decimal("0.00")


def test_inquiry_type_is_required(actor, category):
    details = {key: value for key, value in VALID.items() if key != "inquiry_type"}
    error = refused(actor, category, details)
    assert set(error.error_dict) == {"details.inquiry_type"}
    assert codes(error, "inquiry_type") == ["blank"]


def test_unknown_inquiry_type_is_refused(actor, category):
    error = refused(actor, category, {**VALID, "inquiry_type": "bill_gossip"})
    assert set(error.error_dict) == {"details.inquiry_type"}
    assert codes(error, "inquiry_type") == ["invalid_choice"]


def test_unknown_assistance_status_is_refused(actor, category):
    error = refused(actor, category, {**VALID, "financial_assistance_status": "maybe"})
    assert codes(error, "financial_assistance_status") == ["invalid_choice"]


@pytest.mark.parametrize(
    "account_number",
    [
        "A",
        "DEMO-123456",
        "acct-abc-9",
        "ABC123",
        "12345678901",  # 11 digits: shorter than any card number
        "123-456-78901",  # 11 digits with dashes
        "12345678901234567890",  # 20 digits: longer than any card number
        "1234-5678-9012-3456-7890",  # 20 digits with dashes
        "A" * 32,
    ],
)
def test_account_numbers_of_letters_digits_and_dashes_are_accepted(actor, category, account_number):
    case = open_case(actor, category, {**VALID, "account_number": account_number})
    assert detail_for(case).account_number == account_number


@pytest.mark.parametrize(
    "account_number",
    ["ACCT 42", "ACCT_42", "ACCT/42", "ACCT.42", "ACCT#42", "ÁCCT-42", "ACCT-42!"],
)
def test_account_numbers_with_other_characters_are_refused(actor, category, account_number):
    error = refused(actor, category, {**VALID, "account_number": account_number})
    assert set(error.error_dict) == {"details.account_number"}
    assert codes(error, "account_number") == ["invalid"]


def test_account_number_longer_than_32_characters_is_refused(actor, category):
    error = refused(actor, category, {**VALID, "account_number": "A" * 33})
    assert "max_length" in codes(error, "account_number")


# 21 digits and 11 dashes: not a card number (no 13 to 19 of its digits in a row pass Luhn, the
# boundary's rule: compliance.pci), and exactly the 32-character limit.
RUN_OF_21_DIGITS = "1-1-1-1-1-1-1-1-1-1-1-1111111111"


def test_a_21_digit_run_of_32_characters_is_accepted(actor, category):
    assert len(RUN_OF_21_DIGITS) == 32
    case = open_case(actor, category, {**VALID, "account_number": RUN_OF_21_DIGITS})
    assert detail_for(case).account_number == RUN_OF_21_DIGITS


def test_a_22_digit_run_of_33_characters_is_too_long_not_a_card(actor, category):
    error = refused(actor, category, {**VALID, "account_number": RUN_OF_21_DIGITS + "2"})
    # The pattern's {1,32} also refuses it ("invalid"); the card rule does not.
    assert "max_length" in codes(error, "account_number")
    assert "card_number" not in codes(error, "account_number")


@pytest.mark.parametrize(
    "account_number",
    [
        "4111111111111111",  # Visa test number
        "4111-1111-1111-1111",
        "411111111111",  # 12 digits
        "4111-1111-1111",
        "4111111111111",  # 13 digits
        "378282246310005",  # 15 digits (Amex test number)
        "3782-822463-10005",
        "4111111111111111111",  # 19 digits
        "4111-1111-1111-1111-111",
        "-4111111111111111-",
    ],
)
def test_card_numbers_are_refused(actor, category, account_number):
    error = refused(actor, category, {**VALID, "account_number": account_number})
    assert set(error.error_dict) == {"details.account_number"}
    assert codes(error, "account_number") == ["card_number"]


@pytest.mark.parametrize("account_number", ["4111111111111111\n", "DEMO-42\n"])
def test_trailing_newline_is_refused(actor, category, account_number):
    refused(actor, category, {**VALID, "account_number": account_number})


def test_negative_amount_is_refused(actor, category):
    error = refused(actor, category, {**VALID, "amount_in_question": Decimal("-0.01")})
    assert set(error.error_dict) == {"details.amount_in_question"}
    assert codes(error, "amount_in_question") == ["min_value"]


def test_payment_plan_inquiry_requests_a_payment_plan(actor, category):
    details = {"inquiry_type": "payment_plan", "payment_plan_requested": False}
    assert detail_for(open_case(actor, category, details)).payment_plan_requested is True


def test_other_inquiries_keep_payment_plan_requested_as_given(actor, category):
    details = {"inquiry_type": "statement_question", "payment_plan_requested": True}
    assert detail_for(open_case(actor, category, details)).payment_plan_requested is True
    details = {"inquiry_type": "statement_question"}
    assert detail_for(open_case(actor, category, details)).payment_plan_requested is False


def test_financial_assistance_inquiry_starts_the_assistance_process(actor, category):
    case = open_case(actor, category, {"inquiry_type": "financial_assistance"})
    assert detail_for(case).financial_assistance_status == "not_started"
    details = {
        "inquiry_type": "financial_assistance",
        "financial_assistance_status": "not_applicable",
    }
    assert detail_for(open_case(actor, category, details)).financial_assistance_status == (
        "not_started"
    )


@pytest.mark.parametrize("status", ["application_sent", "under_review", "approved", "denied"])
def test_financial_assistance_inquiry_keeps_an_explicit_status(actor, category, status):
    details = {"inquiry_type": "financial_assistance", "financial_assistance_status": status}
    assert detail_for(open_case(actor, category, details)).financial_assistance_status == status


def test_other_inquiries_keep_assistance_not_applicable(actor, category):
    case = open_case(actor, category, {"inquiry_type": "refund"})
    assert detail_for(case).financial_assistance_status == "not_applicable"


def test_details_of_another_kind_are_unknown_fields(actor, category):
    error = refused(actor, category, {**VALID, "medication": "lisinopril", "payer": "Demo"})
    assert set(error.error_dict) == {"details.medication", "details.payer"}
    assert codes(error, "medication") == ["unknown_field"]
    assert codes(error, "payer") == ["unknown_field"]


@pytest.mark.parametrize("field", ["case", "created_at", "updated_at"])
def test_bookkeeping_fields_are_not_input(actor, category, field):
    error = refused(actor, category, {**VALID, field: None})
    assert codes(error, field) == ["unknown_field"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("inquiry_type", "bill_gossip"), ("amount_in_question", Decimal("-1.00"))],
)
def test_database_refuses_what_validation_refuses(actor, category, field, value):
    case = open_case(actor, category, VALID)
    with pytest.raises(IntegrityError), transaction.atomic():
        BillingInquiry.objects.filter(pk=case.pk).update(**{field: value})
    detail = detail_for(case)
    assert getattr(detail, field) == VALID[field]


def test_database_refuses_an_unknown_assistance_status(actor, category):
    case = open_case(actor, category, VALID)
    with pytest.raises(IntegrityError), transaction.atomic():
        BillingInquiry.objects.filter(pk=case.pk).update(financial_assistance_status="maybe")


def test_serializer_validates_the_same_data():
    assert BillingInquirySerializer(data=VALID).is_valid()
    for field, value in [
        ("inquiry_type", "bill_gossip"),
        ("amount_in_question", Decimal("-0.01")),
        ("account_number", "ACCT 42"),
        ("account_number", "4111-1111-1111-1111"),
        ("account_number", "4111111111111111"),
    ]:
        serializer = BillingInquirySerializer(data={**VALID, field: value})
        assert not serializer.is_valid(), (field, value)
        assert set(serializer.errors) == {field}, (field, value)
    serializer = BillingInquirySerializer(data={**VALID, "account_number": "4111111111111111"})
    serializer.is_valid()
    assert [e.code for e in serializer.errors["account_number"]] == ["card_number"]


def test_serializer_output_is_empty_without_a_user(actor, category):
    detail = detail_for(open_case(actor, category, VALID))
    assert BillingInquirySerializer(detail).data == {}


def test_serializer_output_shows_every_input_field_to_a_superuser(actor, category, admin_user):
    detail = detail_for(open_case(actor, category, VALID))
    data = BillingInquirySerializer(detail, context={"user": admin_user}).data
    assert set(data) == set(BillingInquiry.input_fields()) == set(VALID)
    assert data["inquiry_type"] == "charge_dispute"
    assert data["account_number"] == "DEMO-ACCT-0042"
    assert data["date_of_service"] == "2026-02-03"
    assert Decimal(data["amount_in_question"]) == Decimal("1234.56")


def test_app_registered_its_kind():
    spec = registry.get("billing")
    assert spec.label == "Billing and financial"
    assert spec.detail_model is BillingInquiry
    assert spec.serializer is BillingInquirySerializer
    assert spec.admin_inline is BillingInquiryInline
    assert spec.sample_details is sample_details
    assert BillingInquiryInline.model is BillingInquiry


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("seed", range(20))
def test_sample_details_are_valid(category, seed, language):
    details = sample_details(random.Random(seed), language)
    assert isinstance(validate_details(category, details), BillingInquiry)


@pytest.mark.parametrize(
    "value", ["ACCT-4111111111111111", "4111-1111-1111-1111-X", "A123456789012"]
)
def test_a_card_length_digit_run_anywhere_in_the_value_is_refused(actor, category, value):
    error = refused(
        actor, category, {"inquiry_type": "statement_question", "account_number": value}
    )
    assert "card_number" in codes(error, "account_number")
