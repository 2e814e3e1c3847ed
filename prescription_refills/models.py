"""Prescription refills and medication requests. Non-clinical, unless the patient asks a clinical
question: then ``clinical_question`` routes it to a pharmacist (the escalation comes later)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from cases.details import CaseDetail


def not_in_future(value) -> None:
    if value is not None and value > timezone.localdate():
        raise ValidationError("The last fill date cannot be in the future.", code="future_date")


class RequestType(models.TextChoices):
    REFILL = "refill", "Refill"
    TRANSFER = "transfer", "Transfer to another pharmacy"
    COST_CONCERN = "cost_concern", "Cost concern"
    SIDE_EFFECT = "side_effect", "Side effect / clinical question"


class RefillRequest(CaseDetail):
    RequestType = RequestType

    request_type = models.CharField(max_length=32, choices=RequestType.choices)
    medication = models.CharField(max_length=100, help_text="Generic or brand name.")
    strength = models.CharField(max_length=50, blank=True, help_text="For example 10 mg.")
    pharmacy = models.CharField(
        max_length=100, blank=True, help_text="For a transfer: the destination pharmacy."
    )
    prescriber = models.CharField(max_length=100, blank=True)
    last_fill_date = models.DateField(null=True, blank=True, validators=[not_in_future])
    clinical_question = models.BooleanField(
        default=False, help_text="The patient asks a clinical question: a pharmacist answers it."
    )

    class Meta:
        verbose_name = "refill request"
        verbose_name_plural = "refill requests"
        indexes = [
            models.Index(fields=["request_type"], name="refill_request_type_idx"),
            models.Index(fields=["clinical_question"], name="refill_clinical_question_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(request_type__in=RequestType.values),
                name="refill_request_type_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(request_type=RequestType.SIDE_EFFECT, clinical_question=False),
                name="refill_side_effect_is_clinical",
            ),
            models.CheckConstraint(
                condition=~models.Q(request_type=RequestType.TRANSFER, pharmacy=""),
                name="refill_transfer_has_pharmacy",
            ),
        ]

    def clean(self) -> None:
        if self.request_type == self.RequestType.SIDE_EFFECT:
            self.clinical_question = True
        if self.request_type == self.RequestType.TRANSFER and not self.pharmacy:
            raise ValidationError(
                {
                    "pharmacy": ValidationError(
                        "A transfer needs the destination pharmacy.", code="required"
                    )
                }
            )
