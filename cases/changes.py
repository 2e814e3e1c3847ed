"""The write paths that change what a case *is* rather than where it is in the workflow: its
sensitivity (and its patient's), its queue, its category and its priority (issue 15).

Each is a service like those of ``cases.services``: keyword-only arguments, an explicit ``actor``,
one transaction, the case read through the read path under its row lock (a case the actor may not
see, or not act on in the asked way, is ``Http404``: its existence does not leak), validation
before any write, a timeline event, row history and the audit trail (written by their libraries
for every save, as the actor: ``compliance.audit.audited``), and one live-queue announcement per
case after commit (``cases.events``: ids and workflow fields only). Changing nothing (the value the
case already has) writes nothing and announces nothing, so a retry is safe.

Who may do what (docs/architecture/access.md, "Sensitivity"; docs/architecture/cases.md):

* sensitivity — whoever may see the case (or the patient) and holds ``cases.set_sensitivity``
  (supervisors, the compliance officer); a reason is required. Anybody else who sees the case gets
  ``Forbidden`` (403). Marking a case sensitive unassigns an assignee who lacks the
  sensitive-records permission (they would no longer see their own case).
* queue — whoever may work the case, into a queue they work or supervise; an assignee who is not a
  member of the new queue is unassigned.
* category and priority — whoever may work the case. The SLA policy is chosen again and the due
  times recomputed (``cases.sla_changes``).

Refusals are the kinds of ``cases.errors`` with a stable code and field (``case_closed`` is a
``Conflict``: a 409 at the API); messages never contain patient data. Free text (reasons) has
card data masked (``compliance.pci``) before it is stored.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import holds
from cases.access import VIEW, VIEW_SENSITIVE, WORK, access_patient, queues_for
from cases.choices import EventKind, Priority, Status
from cases.details import save_details, spec_for_category, validate_details
from cases.errors import Conflict, Forbidden, Invalid
from cases.events import CaseEventName, publish_case_event
from cases.models import Case, CaseEvent, Category, Patient, Queue, Sensitivity
from cases.registry import registry
from cases.services import (
    _assign_locked,
    _log_redactions,
    lock_accessible_case,
    require_actor,
)
from cases.sla_changes import describe, due_snapshot, recompute_due_times
from compliance.audit import audited
from compliance.pci import redact_card_data

logger = logging.getLogger(__name__)

SET_SENSITIVITY = "cases.set_sensitivity"
# Longest reason a change takes (it goes on the timeline).
MAX_REASON_LENGTH = 2000


def _reason(value: str | None, *, required: bool) -> tuple[str, int]:
    text, redactions = redact_card_data((value or "").strip())
    if required and not text:
        raise Invalid(
            "Say why (this goes on the case's timeline and the audit).",
            code="blank",
            field="reason",
        )
    if len(text) > MAX_REASON_LENGTH:
        raise Invalid(
            f"Keep the reason under {MAX_REASON_LENGTH:,} characters.",
            code="max_length",
            field="reason",
        )
    return text, redactions


def _open_only(case: Case, what: str) -> None:
    if case.status == Status.CLOSED:
        raise Conflict(f"A closed case cannot be {what}.", code="case_closed", field="case")


def _event(case: Case, kind: str, actor: User, *, old: str = "", new: str = "", body: str = ""):
    return CaseEvent.objects.create(
        case=case, kind=kind, actor=actor, old_value=old[:200], new_value=new[:200], body=body
    )


# --- sensitivity ---------------------------------------------------------------------------------


def _check_sensitivity(actor: User, sensitivity: str) -> None:
    if not actor.has_perm(SET_SENSITIVITY):
        raise Forbidden(
            "Setting sensitivity needs the set-sensitivity permission.",
            code="permission_denied",
            field="sensitivity",
        )
    if not isinstance(sensitivity, str) or sensitivity not in Sensitivity.values:
        raise Invalid(
            "Unknown sensitivity; use one of: "
            + ", ".join(repr(value) for value in Sensitivity.values)
            + " (empty clears it).",
            code="invalid_choice",
            field="sensitivity",
        )


def _label(value: str) -> str:
    return str(Sensitivity(value).label)


def _unassign_if_uncleared(actor: User, case: Case) -> Case:
    """An open case that is sensitive now leaves an assignee who may not see sensitive records
    (a closed case keeps its assignee: closed cases are never reassigned)."""
    assignee = case.assigned_to
    sensitive = bool(case.sensitivity or case.patient.sensitivity)
    if case.status == Status.CLOSED or assignee is None or not sensitive:
        return case
    if holds(assignee, VIEW_SENSITIVE):
        return case
    return _assign_locked(actor, case, None)


@audited
@transaction.atomic
def case_set_sensitivity(*, actor: User, case: Case, sensitivity: str, reason: str) -> Case:
    """Mark ``case`` sensitive (a ``Sensitivity`` value) or clear it (``""``), with a reason.

    From the commit on, people without the sensitive-records permission no longer see the case
    (``restrict()``), its live-queue rows included: the consumer tells their browsers to drop it.
    """
    require_actor(actor)
    case = lock_accessible_case(actor, case, VIEW)
    _check_sensitivity(actor, sensitivity)
    text, redactions = _reason(reason, required=True)
    if case.sensitivity == sensitivity:
        return case
    previous = case.sensitivity
    case.sensitivity = sensitivity
    case._history_user = actor
    case.save(update_fields=["sensitivity", "updated_at"])
    _log_redactions(case, reason=redactions)
    timeline = _event(
        case,
        EventKind.SENSITIVITY_CHANGED,
        actor,
        old=_label(previous),
        new=_label(sensitivity),
        body=text,
    )
    case = _unassign_if_uncleared(actor, case)
    publish_case_event(case, CaseEventName.SENSITIVITY_CHANGED, event=timeline)
    return case


@audited
@transaction.atomic
def patient_set_sensitivity(
    *, actor: User, patient: Patient, sensitivity: str, reason: str
) -> Patient:
    """Mark ``patient`` sensitive or clear it, with a reason: a sensitive patient's cases are all
    sensitive (``restrict()`` reads both). Every case of the patient gets a timeline event and an
    announcement; an assignee who may not see sensitive records is unassigned from each."""
    require_actor(actor)
    visible = access_patient(actor, patient.pk, VIEW)  # Http404 for whoever may not see them
    _check_sensitivity(actor, sensitivity)
    text, redactions = _reason(reason, required=True)
    patient = Patient.objects.select_for_update().get(pk=visible.pk)
    if patient.sensitivity == sensitivity:
        return patient
    previous = patient.sensitivity
    patient.sensitivity = sensitivity
    patient._history_user = actor
    patient.save(update_fields=["sensitivity", "updated_at"])
    old, new = f"Patient: {_label(previous)}", f"Patient: {_label(sensitivity)}"
    cases = (
        Case.objects.select_for_update(of=("self",))
        .select_related("patient")
        .filter(patient_id=patient.pk)
        .order_by("pk")
    )
    for case in cases:
        _log_redactions(case, reason=redactions)
        timeline = _event(case, EventKind.SENSITIVITY_CHANGED, actor, old=old, new=new, body=text)
        case = _unassign_if_uncleared(actor, case)
        publish_case_event(case, CaseEventName.SENSITIVITY_CHANGED, event=timeline)
    return patient


# --- queue ---------------------------------------------------------------------------------------


def may_move_to(actor: User, queue: Queue) -> bool:
    """Whether ``actor`` works or supervises ``queue`` (the targets a move may choose)."""
    return queues_for(actor, WORK).filter(pk=queue.pk).exists()


@audited
@transaction.atomic
def case_move(*, actor: User, case: Case, queue: Queue, reason: str = "") -> Case:
    """Move ``case`` to ``queue``: an active queue the actor works or supervises. The assignee
    stays only if they work or supervise the new queue; the SLA policy is chosen again (the
    policies do not depend on the queue today, so the due times normally stay)."""
    require_actor(actor)
    case = lock_accessible_case(actor, case, WORK)
    if not isinstance(queue, Queue) or queue.pk is None:
        raise TypeError("case_move needs a saved Queue.")
    if not queue.active:
        raise Invalid("This queue is not active.", code="queue_inactive", field="queue")
    if not may_move_to(actor, queue):
        raise Invalid(
            "You can only move a case to a queue you work or supervise.",
            code="not_queue_member",
            field="queue",
        )
    _open_only(case, "moved")
    text, redactions = _reason(reason, required=False)
    if case.queue_id == queue.pk:
        return case
    if case.assigned_to is not None and not may_move_to(case.assigned_to, queue):
        case = _assign_locked(actor, case, None)
    previous = case.queue
    before = due_snapshot(case)
    case.queue = queue
    sla_fields = recompute_due_times(case, now=timezone.now())
    case._history_user = actor
    case.save(update_fields=["queue", "updated_at", *sla_fields])
    _log_redactions(case, reason=redactions)
    body = text
    if sla_fields:
        body = "\n".join(part for part in (text, describe(case, before)) if part)
    timeline = _event(
        case, EventKind.QUEUE_CHANGED, actor, old=previous.name, new=queue.name, body=body
    )
    publish_case_event(case, CaseEventName.MOVED, also_queue_ids=(previous.pk,), event=timeline)
    return case


# --- category ------------------------------------------------------------------------------------


def _kind_model(kind: str):

    spec = registry.get(kind)
    return spec.detail_model if spec is not None else None


def _store_details(
    case: Case, category: Category, details: Mapping[str, Any] | None, actor: User
) -> list[str]:
    """Validate and store the details of ``case`` as a case of ``category`` (already checked to
    be installed); return the names of the detail fields written. Same kind: ``details`` are
    changes to the stored row (which is re-validated as a whole). Another kind: the new kind's
    row is created from ``details`` (its required fields must be there), or, for a kind the case
    had before, that row is updated. The other kind's row is kept, unchanged (see
    docs/architecture/cases.md, "Changing what a case is")."""
    model = spec_for_category(category).detail_model
    details = dict(details or {})
    existing = model._default_manager.filter(case_id=case.pk).first() if model is not None else None
    if model is None or existing is None:
        detail = validate_details(category, details)
        save_details(case, detail, actor=actor)
        return sorted(details) if detail is not None else []
    merged = {name: getattr(existing, name) for name in model.input_fields()}
    merged.update(details)
    validated = validate_details(category, merged)
    changed = [
        name for name in model.input_fields() if getattr(validated, name) != getattr(existing, name)
    ]
    if changed:
        for name in changed:
            setattr(existing, name, getattr(validated, name))
        existing._history_user = actor
        existing.save(update_fields=[*changed, "updated_at"])
    for name in getattr(validated, "_card_data_redacted", ()):
        logger.warning("card data redacted from case %s field %s", case.pk, f"details.{name}")
    return changed


@audited
@transaction.atomic
def case_change_category(
    *,
    actor: User,
    case: Case,
    category: Category,
    details: Mapping[str, Any] | None = None,
    reason: str = "",
) -> Case:
    """Recategorise ``case`` (an active category). Its details are validated as the new
    category's kind's: within the same kind ``details`` are changes to the stored ones; for a
    change of kind ``details`` are the new kind's and must hold its required fields (refusals name
    ``details.<field>``). The queue and priority stay (move or reprioritise separately); the SLA
    policy is chosen again and the running due times recomputed (``cases.sla_changes``)."""
    require_actor(actor)
    case = lock_accessible_case(actor, case, WORK)
    if not isinstance(category, Category) or category.pk is None:
        raise TypeError("case_change_category needs a saved Category.")
    _open_only(case, "recategorised")
    if not category.active:
        raise Invalid(
            "This category is not accepting cases.", code="category_inactive", field="category"
        )
    text, redactions = _reason(reason, required=False)
    if case.category_id == category.pk and not details:
        return case
    previous = case.category
    written = _store_details(case, category, details, actor)
    if previous.pk == category.pk:
        # The same category with changed details: the timeline names the fields (not their
        # values, which the details section shows as the reader's role may see them).
        if not written:
            return case
        case._history_user = actor
        case.save(update_fields=["updated_at"])
        _log_redactions(case, reason=redactions)
        body = f"{category.kind_label} details changed: {', '.join(written)}."
        timeline = _event(
            case,
            EventKind.CATEGORY_CHANGED,
            actor,
            old=previous.name,
            new=category.name,
            body="\n".join(part for part in (text, body) if part),
        )
        publish_case_event(case, CaseEventName.UPDATED, event=timeline)
        return case
    before = due_snapshot(case)
    case.category = category
    sla_fields = recompute_due_times(case, now=timezone.now())
    case._history_user = actor
    case.save(update_fields=["category", "updated_at", *sla_fields])
    _log_redactions(case, reason=redactions)
    parts = [text]
    if previous.kind != category.kind and _kind_model(previous.kind) is not None:
        parts.append(f"The {previous.kind_label} details are kept but no longer shown.")
    if sla_fields:
        parts.append(describe(case, before))
    timeline = _event(
        case,
        EventKind.CATEGORY_CHANGED,
        actor,
        old=previous.name,
        new=category.name,
        body="\n".join(part for part in parts if part),
    )
    publish_case_event(case, CaseEventName.UPDATED, event=timeline)
    return case


# --- priority ------------------------------------------------------------------------------------


def apply_priority(
    case: Case, priority: int, *, actor: User, because: str = "", now=None
) -> list[str]:
    """Set the locked ``case``'s priority, choose its SLA policy again and recompute the running
    due times (``cases.sla_changes``), and write a ``priority_changed`` timeline event; return the
    changed fields for the caller's save (which also announces). Shared by
    ``case_change_priority`` and the escalations' automatic raise."""
    return _apply_priority(case, priority, actor=actor, because=because, now=now)[0]


def _apply_priority(
    case: Case, priority: int, *, actor: User, because: str, now
) -> tuple[list[str], CaseEvent | None]:
    previous = case.priority
    if previous == priority:
        return [], None
    before = due_snapshot(case)
    case.priority = priority
    sla_fields = recompute_due_times(case, now=now or timezone.now())
    body = because
    if sla_fields:
        body = "\n".join(part for part in (because, describe(case, before)) if part)
    timeline = _event(
        case,
        EventKind.PRIORITY_CHANGED,
        actor,
        old=str(Priority(previous).label),
        new=str(Priority(priority).label),
        body=body,
    )
    return ["priority", *sla_fields], timeline


@audited
@transaction.atomic
def case_change_priority(*, actor: User, case: Case, priority: int, reason: str = "") -> Case:
    """Raise or lower ``case``'s priority (a ``Priority`` value); the SLA due times follow the
    policy for the new priority (``cases.sla_changes``)."""
    require_actor(actor)
    case = lock_accessible_case(actor, case, WORK)
    if isinstance(priority, bool) or priority not in Priority.values:
        raise Invalid(
            "Unknown priority; use one of "
            + ", ".join(f"{value} ({label})" for value, label in Priority.choices)
            + ".",
            code="invalid_choice",
            field="priority",
        )
    _open_only(case, "reprioritised")
    text, redactions = _reason(reason, required=False)
    if case.priority == priority:
        return case
    changed, timeline = _apply_priority(case, priority, actor=actor, because=text, now=None)
    case._history_user = actor
    case.save(update_fields=[*changed, "updated_at"])
    _log_redactions(case, reason=redactions)
    publish_case_event(case, CaseEventName.UPDATED, event=timeline)
    return case


__all__ = [
    "apply_priority",
    "case_change_category",
    "case_change_priority",
    "case_move",
    "case_set_sensitivity",
    "may_move_to",
    "patient_set_sensitivity",
]
