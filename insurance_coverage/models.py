"""Insurance and coverage inquiries. PHI: member id and group number identify the patient's
coverage; roles that only need to confirm them see ``masked_member_id``."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from cases.details import CaseDetail

# Insurance card identifiers: letters, digits, dashes and spaces (starting with a letter or digit).
INSURANCE_IDENTIFIER = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9 -]{0,31}$", "Letters, digits, dashes and spaces only (at most 32)."
)


class InquiryType(models.TextChoices):
    ELIGIBILITY = "eligibility", "Eligibility"
    CLAIM_STATUS = "claim_status", "Claim status"
    PRIOR_AUTHORIZATION = "prior_authorization", "Prior authorisation"
    NETWORK = "network", "Network (in or out of network)"
    BENEFITS = "benefits", "Benefits"


class PriorAuthorizationStatus(models.TextChoices):
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    NOT_REQUESTED = "not_requested", "Not requested"
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    APPEALED = "appealed", "Appealed"


def _identifier(verbose_name: str, **kwargs) -> models.CharField:
    return models.CharField(
        verbose_name, max_length=32, blank=True, validators=[INSURANCE_IDENTIFIER], **kwargs
    )


class InsuranceInquiry(CaseDetail):
    InquiryType = InquiryType
    PriorAuthorizationStatus = PriorAuthorizationStatus

    inquiry_type = models.CharField(max_length=32, choices=InquiryType.choices)
    payer = models.CharField(max_length=100, blank=True, help_text="The insurer's name.")
    plan = models.CharField(max_length=100, blank=True)
    member_id = _identifier("member id", help_text="From the insurance card. PHI.")
    group_number = _identifier("group number")
    claim_number = _identifier("claim number")
    prior_authorization_number = _identifier("prior authorisation number")
    prior_authorization_status = models.CharField(
        "prior authorisation status",
        max_length=32,
        choices=PriorAuthorizationStatus.choices,
        blank=True,
        help_text="Left empty: 'not requested' for a prior-authorisation inquiry, else 'not "
        "applicable'.",
    )
    third_party_contact = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who was contacted at the payer or provider: name, phone or call reference.",
    )

    class Meta:
        verbose_name = "insurance inquiry"
        verbose_name_plural = "insurance inquiries"
        indexes = [models.Index(fields=["inquiry_type"], name="insurance_inquiry_type_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(inquiry_type__in=InquiryType.values),
                name="insurance_inquiry_type_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(prior_authorization_status__in=PriorAuthorizationStatus.values),
                name="insurance_prior_auth_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(
                    inquiry_type=InquiryType.PRIOR_AUTHORIZATION,
                    prior_authorization_status=PriorAuthorizationStatus.NOT_APPLICABLE,
                ),
                name="insurance_prior_auth_inquiry_has_status",
            ),
            models.CheckConstraint(
                condition=~models.Q(inquiry_type=InquiryType.CLAIM_STATUS, claim_number=""),
                name="insurance_claim_status_has_claim_number",
            ),
        ]

    @property
    def masked_member_id(self) -> str:
        """The member id with all but its last 4 characters hidden (fully hidden if shorter)."""
        member_id = (self.member_id or "").strip()
        if not member_id:
            return ""
        return f"****{member_id[-4:]}" if len(member_id) > 4 else "****"

    def clean(self) -> None:
        errors = {}
        is_prior_auth = self.inquiry_type == self.InquiryType.PRIOR_AUTHORIZATION
        if not self.prior_authorization_status:
            self.prior_authorization_status = (
                self.PriorAuthorizationStatus.NOT_REQUESTED
                if is_prior_auth
                else self.PriorAuthorizationStatus.NOT_APPLICABLE
            )
        elif is_prior_auth and (
            self.prior_authorization_status == self.PriorAuthorizationStatus.NOT_APPLICABLE
        ):
            errors["prior_authorization_status"] = ValidationError(
                "A prior-authorisation inquiry needs a prior-authorisation status.",
                code="prior_authorization_status_required",
            )
        if self.inquiry_type == self.InquiryType.CLAIM_STATUS and not self.claim_number:
            errors["claim_number"] = ValidationError(
                "A claim status inquiry needs the claim number.", code="required"
            )
        if errors:
            raise ValidationError(errors)
