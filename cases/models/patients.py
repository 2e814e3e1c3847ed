"""Patients (with their version history) and the sensitivity of a record.

Models hold data, constraints and read helpers only. Every change goes through ``cases.services``
(one write path); see docs/architecture/cases.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from cases.choices import ContactChannel, Language
from cases.models._common import _in, history_id_field
from cases.validators import validate_birth_date

if TYPE_CHECKING:
    from accounts.models import User


class Sensitivity(models.TextChoices):
    """Records needing an explicit permission even inside one's own queue."""

    NONE = "", "Not sensitive"
    BEHAVIORAL_HEALTH = "behavioral_health", "Behavioral health"
    SUBSTANCE_USE = "substance_use", "Substance-use treatment (42 CFR Part 2)"
    HIV = "hiv", "HIV"
    REPRODUCTIVE_HEALTH = "reproductive_health", "Reproductive health"
    OTHER = "other", "Other sensitive"


class PatientQuerySet(models.QuerySet):
    def restrict(self, user, action: str) -> PatientQuerySet:
        """Patients ``user`` may ``action`` (view, work, supervise, lookup): cases.access."""
        from cases.access import restrict_patients

        return restrict_patients(self, user, action)


class Patient(models.Model):
    """A person who contacts support. PHI: every field here identifies the patient."""

    # The author of the next row version: django-simple-history reads it when a service sets it
    # (to its actor). An annotation for the type checker only, not a field.
    _history_user: User

    # The fields intake and the patient services may set (everything else is computed).
    INPUT_FIELDS = (
        "mrn",
        "given_name",
        "family_name",
        "date_of_birth",
        "phone",
        "email",
        "preferred_language",
        "preferred_contact_channel",
        "sms_consent",
        "interpreter_needed",
    )

    mrn = models.CharField(
        "MRN",
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        help_text="Medical record number from the EHR. Empty while the patient is unverified.",
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(
        validators=[validate_birth_date],
        help_text="From 1900-01-01 to today (in the deployment's time zone).",
    )
    phone = PhoneNumberField(blank=True, help_text="E.164, e.g. +12025550123.")
    email = models.EmailField(blank=True)
    preferred_language = models.CharField(
        max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    preferred_contact_channel = models.CharField(
        max_length=16, choices=ContactChannel.choices, default=ContactChannel.PHONE
    )
    sms_consent = models.BooleanField(
        "SMS consent", default=False, help_text="The patient agreed to receive text messages."
    )
    interpreter_needed = models.BooleanField(default=False)
    sensitivity = models.CharField(
        max_length=32,
        choices=Sensitivity.choices,
        blank=True,
        help_text="A sensitive patient's cases are all sensitive.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PatientQuerySet.as_manager()
    # Row versions: the patient as they were at any time (docs/architecture/cases.md, History).
    history = HistoricalRecords(history_id_field=history_id_field())

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        indexes = [
            models.Index(
                fields=["family_name", "given_name", "date_of_birth"], name="patient_name_dob_idx"
            ),
            models.Index(fields=["phone"], name="patient_phone_idx"),
            models.Index(fields=["email"], name="patient_email_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=_in("preferred_language", Language), name="patient_language_valid"
            ),
            models.CheckConstraint(
                condition=_in("preferred_contact_channel", ContactChannel),
                name="patient_contact_channel_valid",
            ),
            models.CheckConstraint(condition=~Q(mrn=""), name="patient_mrn_null_not_blank"),
            models.CheckConstraint(
                condition=Q(sms_consent=False) | ~Q(phone=""),
                name="patient_sms_consent_needs_phone",
            ),
            models.CheckConstraint(
                condition=_in("sensitivity", Sensitivity), name="patient_sensitivity_valid"
            ),
        ]

    def __str__(self) -> str:
        # Name only: the MRN is a field that minimum-necessary rules may mask or hide, and
        # __str__ appears everywhere (titles, links, select boxes).
        return f"{self.family_name}, {self.given_name}"

    def clean(self) -> None:
        if self.mrn is not None:
            self.mrn = self.mrn.strip() or None
        if self.sms_consent and not self.phone:
            raise ValidationError(
                {"sms_consent": ValidationError("SMS consent needs a phone number.", "no_phone")}
            )
