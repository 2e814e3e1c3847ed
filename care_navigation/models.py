"""Care coordination and navigation: helping a patient find the next step of their care."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from cases.details import CaseDetail

REFERRAL_ID = RegexValidator(r"^[A-Za-z0-9-]{1,32}$", "Letters, digits and dashes only.")


class RequestType(models.TextChoices):
    REFERRAL = "referral", "Referral"
    SPECIALIST = "specialist", "Finding a specialist"
    NEXT_STEPS = "next_steps", "Next steps of care"
    COMMUNITY_RESOURCE = "community_resource", "Community resource"
    SCHEDULING = "scheduling", "Scheduling"


class NavigationRequest(CaseDetail):
    RequestType = RequestType

    request_type = models.CharField(max_length=32, choices=RequestType.choices)
    referral_id = models.CharField(
        "referral id", max_length=32, blank=True, validators=[REFERRAL_ID]
    )
    specialty = models.CharField(max_length=100, blank=True, help_text="For example cardiology.")
    target_date = models.DateField(
        null=True, blank=True, help_text="When the patient needs the next step by."
    )

    class Meta:
        verbose_name = "navigation request"
        verbose_name_plural = "navigation requests"
        indexes = [models.Index(fields=["request_type"], name="navigation_request_type_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(request_type__in=RequestType.values),
                name="navigation_request_type_valid",
            ),
        ]

    def clean(self) -> None:
        # Only at intake: a target date may pass while the case is worked on.
        if (
            self._state.adding
            and isinstance(self.target_date, date)
            and self.target_date < timezone.localdate()
        ):
            raise ValidationError(
                {
                    "target_date": ValidationError(
                        "The target date cannot be in the past.", code="past_date"
                    )
                }
            )
