"""Deciding about a patient record flagged at intake (docs/architecture/cases.md, "Reconciling
flagged patients").

Intake registers a new record, flagged ``pending`` with a pointer to the record it collided with,
whenever it may not use an existing one (``cases.services.matching``). A person holding
``cases.reconcile_patient`` (supervisors, administrators) then either merges it into that record —
its cases move there, so the submitter (a partner: through the cases it submitted) knows that
patient from then on — or confirms they are different people. Both are services of the usual
shape: explicit actor, one transaction, rows through ``restrict()`` under their lock, audited,
row history by the actor, a timeline event (with the reason) on each case of the record.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from accounts.models import User
from accounts.permissions import holds
from cases.access import LOOKUP, VIEW
from cases.changes import _reason, _unassign_if_uncleared
from cases.choices import EventKind
from cases.errors import Conflict, Forbidden, NotFound
from cases.events import CaseEventName, publish_case_event
from cases.models import Case, CaseEvent, Patient, Reconciliation
from cases.services import _log_redactions, require_actor
from compliance.audit import audited

RECONCILE_PATIENT = "cases.reconcile_patient"


def flagged_patients(user) -> QuerySet[Patient]:
    """The records awaiting a decision that ``user`` may see, oldest first (the admin's filter
    reads the same rows)."""
    return (
        Patient.objects.restrict(user, VIEW)
        .filter(reconciliation=Reconciliation.PENDING)
        .order_by("created_at", "pk")
    )


def _lock_pending(actor: User, patient: Patient) -> Patient:
    require_actor(actor)
    visible = Patient.objects.restrict(actor, VIEW).select_for_update(of=("self",))
    locked = visible.filter(pk=patient.pk).first()
    if locked is None:
        raise NotFound("No such patient.", code="not_found", field="patient")
    if not holds(actor, RECONCILE_PATIENT):
        raise Forbidden(
            "You may not reconcile patient records.", code="permission_denied", field="patient"
        )
    if locked.reconciliation != Reconciliation.PENDING:
        raise Conflict(
            "This record is not awaiting reconciliation.", code="not_pending", field="patient"
        )
    return locked


def _save(actor: User, patient: Patient, state: str) -> Patient:
    patient.reconciliation = state
    patient.full_clean(validate_unique=False)
    patient._history_user = actor
    patient.save(update_fields=["reconciliation", "updated_at"])
    return patient


@audited
@transaction.atomic
def patient_merge(*, actor: User, patient: Patient, reason: str) -> Patient:
    """Merge the flagged ``patient`` into the record it collided with: every case of it moves
    there (a ``patient_reconciled`` timeline event on each; an assignee who may not see a sensitive
    patient is unassigned, as when a patient is marked sensitive). The flagged record stays, as
    ``merged``, with its history; it is never matched at intake again. Returns the record merged
    into. The actor must see both records (the other one as intake may look it up)."""
    flagged = _lock_pending(actor, patient)
    text, redactions = _reason(reason, required=True)
    target = (
        Patient.objects.restrict(actor, LOOKUP)
        .select_for_update(of=("self",))
        .filter(pk=flagged.reconcile_with_id)
        .first()
    )
    if target is None:
        raise NotFound(
            "The record this one collided with is not one you may see.",
            code="not_found",
            field="reconcile_with",
        )
    if target.reconciliation == Reconciliation.MERGED:
        raise Conflict(
            "The other record was itself merged; reconcile it first.",
            code="candidate_merged",
            field="reconcile_with",
        )
    cases = list(
        Case.objects.select_for_update(of=("self",))
        .select_related("assigned_to")
        .filter(patient_id=flagged.pk)
        .order_by("pk")
    )
    body = f"Patient record #{flagged.pk} merged into record #{target.pk}. Reason: {text}"
    for case in cases:
        case.patient = target
        case._history_user = actor
        case.save(update_fields=["patient", "updated_at"])
        _log_redactions(case, reason=redactions)
        event = CaseEvent.objects.create(
            case=case, kind=EventKind.PATIENT_RECONCILED, actor=actor, body=body
        )
        became_sensitive = bool(target.sensitivity) and not case.sensitivity
        case = _unassign_if_uncleared(actor, case)
        name = CaseEventName.SENSITIVITY_CHANGED if became_sensitive else CaseEventName.UPDATED
        publish_case_event(case, name, event=event)
    _save(actor, flagged, Reconciliation.MERGED)
    return target


@audited
@transaction.atomic
def patient_confirm_distinct(*, actor: User, patient: Patient, reason: str) -> Patient:
    """Confirm the flagged ``patient`` is a different person from the record it collided with.
    The record stays as it was registered (an MRN it was sent that belongs to the other record
    stays its ``submitted_mrn``, for the EHR team to correct), and its submitter keeps being
    matched to it."""
    flagged = _lock_pending(actor, patient)
    text, redactions = _reason(reason, required=True)
    cases = list(
        Case.objects.select_for_update(of=("self",)).filter(patient_id=flagged.pk).order_by("pk")
    )
    body = (
        f"Patient record #{flagged.pk} confirmed a different person from record "
        f"#{flagged.reconcile_with_id}. Reason: {text}"
    )
    for case in cases:
        _log_redactions(case, reason=redactions)
        CaseEvent.objects.create(
            case=case, kind=EventKind.PATIENT_RECONCILED, actor=actor, body=body
        )
    return _save(actor, flagged, Reconciliation.DISTINCT)
