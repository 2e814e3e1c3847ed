"""Patients: register one, change one. Matching an intake's patient fields to one is
``cases.services.matching``; deciding about a record flagged there, ``reconciliation``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from cases.errors import Invalid
from cases.models import Patient
from cases.services.base import require_actor
from compliance.audit import audited

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
