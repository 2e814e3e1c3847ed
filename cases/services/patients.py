"""Patients: register one, change one, and match an intake's patient fields to one (or register
them) without ever attaching a case to the wrong person."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from accounts.models import User
from cases.errors import Conflict, Invalid
from cases.models import Patient
from cases.services.base import require_actor
from compliance.audit import audited
from compliance.boundary import redact_fields

# Fields a caller may set on a patient; anything else is refused by name.
PATIENT_FIELDS = frozenset(Patient.INPUT_FIELDS)


def _check_unknown_fields(data: Mapping[str, Any], allowed: frozenset[str], prefix: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise Invalid.wrap(
            ValidationError(
                {name: ValidationError("Unknown field.", code="unknown_field") for name in unknown}
            ),
            prefix=prefix,
        )


@audited
@transaction.atomic
def patient_create(*, actor: User, **fields: Any) -> Patient:
    """Register a patient. ``mrn`` may be omitted for a contact not yet matched to the EHR."""
    require_actor(actor)
    _check_unknown_fields(fields, PATIENT_FIELDS, "")
    patient = Patient(**fields)
    patient.full_clean()
    patient._history_user = actor  # row history's author, also outside a request
    patient.save(force_insert=True)
    return patient


@audited
@transaction.atomic
def patient_update(*, actor: User, patient: Patient, **changes: Any) -> Patient:
    """Change a patient's demographics or contact preferences."""
    require_actor(actor)
    _check_unknown_fields(changes, PATIENT_FIELDS, "")
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    changed = [name for name, value in changes.items() if getattr(patient, name) != value]
    if not changed:
        return patient
    for name in changed:
        setattr(patient, name, changes[name])
    patient.full_clean()
    patient._history_user = actor
    patient.save(update_fields=[*changed, "updated_at"])
    return patient


def _same_person(patient: Patient, candidate: Patient) -> bool:
    return (
        patient.family_name.casefold() == candidate.family_name.casefold()
        and patient.given_name.casefold() == candidate.given_name.casefold()
        and patient.date_of_birth == candidate.date_of_birth
    )


@audited
@transaction.atomic
def patient_match_or_create(*, actor: User, data: Mapping[str, Any]) -> Patient:
    """Find the patient an intake is about, or register them.

    * With an MRN: the patient with that MRN; if their name or date of birth differ, the intake is
      refused (``patient_mismatch``) rather than attach a case to the wrong person.
    * Without an MRN: the one patient with the same name (case-insensitive), date of birth and
      phone or e-mail; several or none → a new, unverified patient (no MRN), never a guess.
    """
    require_actor(actor)
    _check_unknown_fields(data, PATIENT_FIELDS, "patient.")
    candidate = Patient(**data)
    try:
        candidate.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise Invalid.wrap(exc, prefix="patient.") from exc
    redact_fields(candidate)  # names compared as stored: card numbers masked (docs: pci.md)
    candidate._history_user = actor

    if candidate.mrn:
        existing = Patient.objects.filter(mrn=candidate.mrn).first()
        if existing is None:
            try:
                with transaction.atomic():
                    candidate.save(force_insert=True)
                return candidate
            except IntegrityError:  # a concurrent intake registered the same MRN first
                existing = Patient.objects.get(mrn=candidate.mrn)
        if not _same_person(existing, candidate):
            raise Conflict(
                "This MRN belongs to a patient with a different name or date of birth.",
                code="patient_mismatch",
                field="patient.mrn",
            )
        return existing

    contact = {}
    if candidate.phone:
        contact["phone"] = candidate.phone
    if candidate.email:
        contact["email__iexact"] = candidate.email
    if contact:
        contact_match = Q()
        for key, value in contact.items():
            contact_match |= Q(**{key: value})
        matches = list(
            Patient.objects.filter(
                contact_match,
                family_name__iexact=candidate.family_name,
                given_name__iexact=candidate.given_name,
                date_of_birth=candidate.date_of_birth,
            )[:2]
        )
        if len(matches) == 1:
            return matches[0]
    candidate.save(force_insert=True)
    return candidate
