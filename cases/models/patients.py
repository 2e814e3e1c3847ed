"""Patients (with their version history) and the sensitivity of a record.

Models hold data, constraints and read helpers only. Every change goes through ``cases.services``
(one write path); see docs/architecture/cases.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
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


class Reconciliation(models.TextChoices):
    """Whether a patient record awaits a person's decision about another record it collided with
    at intake (docs/architecture/cases.md, "Patient matching at intake")."""

    NONE = "", "Not flagged"
    PENDING = "pending", "Needs reconciliation"
    MERGED = "merged", "Merged into the other record"
    DISTINCT = "distinct", "Confirmed a different person"


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
    # Intake that could not use an existing record (another organisation's patient, an MRN whose
    # name or birth date differ, a patient the submitter may not see) registers a new record
    # flagged for a person: these three fields are staff-only (no serializer shows them).
    reconciliation = models.CharField(
        max_length=16, choices=Reconciliation.choices, blank=True, default=Reconciliation.NONE
    )
    reconcile_with = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reconciliation_candidates",
        help_text="The existing record this intake collided with.",
    )
    submitted_mrn = models.CharField(
        "submitted MRN",
        max_length=32,
        blank=True,
        help_text="The MRN the intake sent, when it belongs to another record (MRNs are unique).",
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
            models.Index(
                fields=["created_at"],
                condition=Q(reconciliation=Reconciliation.PENDING),
                name="patient_to_reconcile_idx",
            ),
            models.Index(
                fields=["submitted_mrn"],
                condition=~Q(submitted_mrn=""),
                name="patient_submitted_mrn_idx",
            ),
        ]
        permissions = [
            ("reconcile_patient", "Reconcile patient records flagged at intake"),
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
            models.CheckConstraint(
                condition=_in("reconciliation", Reconciliation),
                name="patient_reconciliation_valid",
            ),
            models.CheckConstraint(
                condition=Q(reconciliation=Reconciliation.NONE, reconcile_with__isnull=True)
                | (~Q(reconciliation=Reconciliation.NONE) & Q(reconcile_with__isnull=False)),
                name="patient_flag_names_candidate",
            ),
            models.CheckConstraint(
                condition=~Q(reconcile_with=F("pk")), name="patient_not_reconciled_with_itself"
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

    @property
    def intake_mrn(self) -> str | None:
        """The MRN as its intake knows it: the record's own, or the one the intake sent when it
        belongs to another record. Outputs that echo a submitter's patient use it, so a flagged
        record reads back exactly as a newly registered one."""
        return self.mrn or self.submitted_mrn or None
