"""The details of a dental-benefits case: a made-up kind that exists only in a test."""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from cases.details import CaseDetail

PROCEDURE_CODE = RegexValidator(r"^D\d{4}$", "A CDT code: D and four digits, e.g. D2740.")


class DentalBenefitInquiry(CaseDetail):
    plan_name = models.CharField(max_length=100)
    tooth_number = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(32)],
        help_text="Universal numbering, 1-32.",
    )
    procedure_code = models.CharField(max_length=5, blank=True, validators=[PROCEDURE_CODE])

    class Meta:
        verbose_name = "dental benefit inquiry"
        verbose_name_plural = "dental benefit inquiries"
