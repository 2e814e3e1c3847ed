"""Billing and financial inquiries. PCI DSS: no field here holds a card number, and free text is
redacted before it is stored (issue 5); the account number is the provider's, never a card's."""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

from cases.details import CaseDetail

# Provider account / statement numbers: letters, digits and dashes (\Z, not $: "$" would also
# accept a trailing newline). Any run of 12-19 digits (dashes allowed between them) looks like a
# payment card number and is refused outright, wherever it stands in the value.
ACCOUNT_NUMBER = RegexValidator(r"\A[A-Za-z0-9-]{1,32}\Z", "Letters, digits and dashes only.")
DIGIT_RUN = re.compile(r"\d(?:-?\d)*")


def not_a_card_number(value: str) -> None:
    for run in DIGIT_RUN.findall(value or ""):
        if 12 <= len(run.replace("-", "")) <= 19:
            raise ValidationError(
                "This looks like a payment card number; enter the statement or account number.",
                code="card_number",
            )


class InquiryType(models.TextChoices):
    STATEMENT_QUESTION = "statement_question", "Statement question"
    CHARGE_DISPUTE = "charge_dispute", "Charge dispute"
    PAYMENT_PLAN = "payment_plan", "Payment plan"
    FINANCIAL_ASSISTANCE = "financial_assistance", "Financial assistance"
    COST_ESTIMATE = "cost_estimate", "Cost estimate"
    REFUND = "refund", "Refund"


class AssistanceStatus(models.TextChoices):
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    NOT_STARTED = "not_started", "Not started"
    APPLICATION_SENT = "application_sent", "Application sent to patient"
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    APPROVED = "approved", "Approved"
    PARTIALLY_APPROVED = "partially_approved", "Partially approved"
    DENIED = "denied", "Denied"


class BillingInquiry(CaseDetail):
    InquiryType = InquiryType
    AssistanceStatus = AssistanceStatus

    inquiry_type = models.CharField(max_length=32, choices=InquiryType.choices)
    account_number = models.CharField(
        "account / statement number",
        max_length=32,
        blank=True,
        validators=[ACCOUNT_NUMBER, not_a_card_number],
    )
    date_of_service = models.DateField(null=True, blank=True)
    amount_in_question = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    payment_plan_requested = models.BooleanField(default=False)
    financial_assistance_status = models.CharField(
        max_length=32, choices=AssistanceStatus.choices, default=AssistanceStatus.NOT_APPLICABLE
    )

    class Meta:
        verbose_name = "billing inquiry"
        verbose_name_plural = "billing inquiries"
        indexes = [models.Index(fields=["inquiry_type"], name="billing_inquiry_type_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(inquiry_type__in=InquiryType.values),
                name="billing_inquiry_type_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(financial_assistance_status__in=AssistanceStatus.values),
                name="billing_assistance_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_in_question__isnull=True)
                | models.Q(amount_in_question__gte=0),
                name="billing_amount_not_negative",
            ),
        ]

    def clean(self) -> None:
        if (
            self.inquiry_type == self.InquiryType.PAYMENT_PLAN
            and self.payment_plan_requested is False
        ):
            self.payment_plan_requested = True
        if (
            self.inquiry_type == self.InquiryType.FINANCIAL_ASSISTANCE
            and self.financial_assistance_status == self.AssistanceStatus.NOT_APPLICABLE
        ):
            self.financial_assistance_status = self.AssistanceStatus.NOT_STARTED
