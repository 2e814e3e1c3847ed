"""Intake's patient: match the submitted fields to a record the submitter may already know, or
register them — never attach a case to the wrong person, never confirm a patient to someone who
may not see them (docs/architecture/cases.md, "Patient matching at intake").

Who may be matched to what is the read path's answer, not a second rule:
``Patient.objects.restrict(actor, "lookup")``. A partner's service account looks up the patients
of the cases its organisation submitted (those its intake registered, or that staff reconciled
its records into); an agent the patients intake may find for them (non-sensitive ones, or those
they may see); the system account, a compliance reader and a superuser everyone.

When the submitted fields collide with a record the submitter may not look up — another
organisation's patient found by MRN or by name, birth date and contact, or a known MRN whose name
or birth date differ (for a partner) — the intake goes on exactly as for a new patient: a new
record holding what was sent, flagged ``pending`` with a pointer to the record it collided with,
for a supervisor to reconcile (``cases.services.reconciliation``). The caller cannot tell the two
apart: same response, same fields, the same kind and number of writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case as CaseWhen
from django.db.models import Exists, OuterRef, Q, When
from django.db.models import Value as V

from accounts.models import User
from cases.access import LOOKUP
from cases.errors import Conflict, Invalid
from cases.models import Patient, Reconciliation
from cases.services.base import require_actor
from cases.services.patients import PATIENT_FIELDS, _check_unknown_fields
from compliance.audit import audited
from compliance.boundary import redact_fields


def _same_person(patient: Patient, candidate: Patient) -> bool:
    return (
        patient.family_name.casefold() == candidate.family_name.casefold()
        and patient.given_name.casefold() == candidate.given_name.casefold()
        and patient.date_of_birth == candidate.date_of_birth
    )


def _known(actor: User):
    """An annotation: the row is a patient ``actor``'s intake may be matched to."""
    if actor.kind == User.Kind.SYSTEM:
        return V(True)
    visible = Patient.objects.restrict(actor, LOOKUP)
    return Exists(visible.filter(pk=OuterRef("pk")))


def _flagged(candidate: Patient, collided_with: Patient) -> Patient:
    """``candidate`` as a new record awaiting a person's decision about ``collided_with``. An
    MRN that belongs to another record is kept as the submitted one (MRNs are unique)."""
    if candidate.mrn and candidate.mrn == collided_with.mrn:
        candidate.submitted_mrn, candidate.mrn = candidate.mrn, None
    candidate.reconciliation = Reconciliation.PENDING
    candidate.reconcile_with = collided_with
    return candidate


def _register(candidate: Patient, *, savepoint: bool = False) -> Patient:
    if savepoint:  # a concurrent intake of the same MRN undoes this INSERT only
        with transaction.atomic():
            candidate.save(force_insert=True)
    else:
        candidate.save(force_insert=True)
    return candidate


@audited
@transaction.atomic(savepoint=False)  # no savepoint inside case_open: nothing there catches
def patient_match_or_create(*, actor: User, data: Mapping[str, Any]) -> Patient:
    """Find the patient an intake is about among those ``actor`` may look up, or register them.

    * With an MRN: the known patient with that MRN (or a known record registered with it as its
      submitted MRN). A stranger's MRN, or (for a partner) a known one whose name or birth date
      differ → a new record, flagged. Staff who may see the patient anyway keep the refusal
      ``patient_mismatch`` for a name or birth date that differ.
    * Without an MRN: the one known patient with the same name (case-insensitive), date of birth
      and phone or e-mail; none known but exactly one stranger → a new record, flagged; several →
      a new, unverified patient, never a guess.
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
        return _by_mrn(actor, candidate)
    return _by_demographics(actor, candidate)


def _by_mrn(actor: User, candidate: Patient) -> Patient:
    mrn = candidate.mrn
    # One query: the record holding the MRN, and the submitter's own records registered with it
    # (one flagged earlier: a repeated intake finds it again, as it would a new patient's).
    rows = list(
        Patient.objects.annotate(known=_known(actor))
        .filter(Q(mrn=mrn) | Q(submitted_mrn=mrn, known=True))
        .exclude(reconciliation=Reconciliation.MERGED)
        .order_by(CaseWhen(When(mrn=mrn, then=V(0)), default=V(1)), "pk")[:5]
    )
    for row in rows:
        if row.known and _same_person(row, candidate):
            return row
    owner = rows[0] if rows and rows[0].mrn == mrn else None
    if owner is None:
        try:
            # Both outcomes write the same way (a savepoint and one INSERT): a new patient and
            # a flagged record cost the same.
            return _register(candidate, savepoint=True)
        except IntegrityError:  # a concurrent intake registered the same MRN first
            owner = Patient.objects.annotate(known=_known(actor)).get(mrn=mrn)
            if owner.known and _same_person(owner, candidate):
                return owner
    if owner.known and actor.kind == User.Kind.PERSON:
        # Staff who may see this patient anyway: the refusal tells them nothing new, and the
        # intake form is in front of a person who can correct it.
        raise Conflict(
            "This MRN belongs to a patient with a different name or date of birth.",
            code="patient_mismatch",
            field="patient.mrn",
        )
    return _register(_flagged(candidate, owner), savepoint=True)


def _by_demographics(actor: User, candidate: Patient) -> Patient:
    contact = Q()
    if candidate.phone:
        contact |= Q(phone=candidate.phone)
    if candidate.email:
        contact |= Q(email__iexact=candidate.email)
    if not contact:
        return _register(candidate)
    rows = list(
        Patient.objects.annotate(known=_known(actor))
        .filter(
            contact,
            family_name__iexact=candidate.family_name,
            given_name__iexact=candidate.given_name,
            date_of_birth=candidate.date_of_birth,
        )
        .exclude(reconciliation=Reconciliation.MERGED)
        .order_by("-known", "pk")[:2]
    )
    if rows and rows[0].known:
        if len(rows) == 1 or not rows[1].known:
            return rows[0]
        return _register(candidate)  # two known records: never a guess
    if len(rows) == 1:
        return _register(_flagged(candidate, rows[0]))
    return _register(candidate)
