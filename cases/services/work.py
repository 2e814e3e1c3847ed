"""The work on an open case: assign it (``case_assign``, and ``_assign_locked``, which the claims
and ``cases.changes`` reuse on a row they locked), move it along the transition table
(``case_transition``), add a reply or an internal note (``case_add_note``) and record a message
from the patient (``case_receive_message``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import holds
from cases.choices import EventKind, Status, Visibility
from cases.errors import Conflict, Invalid
from cases.events import CaseEventName, publish_case_event
from cases.models import Case, CaseEvent
from cases.services.base import _is_sensitive, _log_redactions, lock_case, require_actor
from cases.sla import clock_changes, first_response_while_paused
from cases.workflow import allowed_transitions, can_transition
from compliance.audit import audited
from compliance.pci import redact_card_data


@audited
@transaction.atomic
def case_assign(*, actor: User, case: Case, assignee=None) -> Case:
    """Assign the case to ``assignee``, or unassign it with ``assignee=None``.

    Assigning to the current assignee changes nothing and writes nothing (safe to retry).
    """
    require_actor(actor)
    return _assign_locked(actor, lock_case(case), assignee)


def _assign_locked(actor: User, case: Case, assignee) -> Case:
    """``case_assign``'s work on ``case``, read under its row lock in this transaction and
    remembered for the audit diff (``lock_case``, ``lock_accessible_case``, or claim-next's
    candidate query): the claims assign the row they locked without locking it again."""
    if case.status == Status.CLOSED:
        raise Conflict("A closed case cannot be reassigned.", code="case_closed", field="case")
    if assignee is not None:
        if assignee.pk is None or not assignee.is_active:
            raise Invalid(
                "Cases can only be assigned to active accounts.", code="inactive", field="assignee"
            )
        if getattr(assignee, "kind", "person") != "person":
            raise Invalid(
                "Cases can only be assigned to people, not service accounts.",
                code="invalid",
                field="assignee",
            )
        if _is_sensitive(case) and not holds(assignee, "cases.view_sensitive"):
            raise Invalid(
                "This case is sensitive; the assignee lacks the sensitive-records permission.",
                code="sensitive",
                field="assignee",
            )
    new_id = assignee.pk if assignee is not None else None
    if case.assigned_to_id == new_id:
        return case
    previous = case.assigned_to
    case.assigned_to = assignee
    case._history_user = actor
    case.save(update_fields=["assigned_to", "updated_at"])
    timeline = CaseEvent.objects.create(
        case=case,
        kind=EventKind.ASSIGNED if assignee is not None else EventKind.UNASSIGNED,
        actor=actor,
        old_value=previous.get_username() if previous is not None else "",
        new_value=assignee.get_username() if assignee is not None else "",
    )
    publish_case_event(case, CaseEventName.ASSIGNED, event=timeline)
    return case


@audited
@transaction.atomic
def case_transition(*, actor: User, case: Case, to_status: str, reason: str = "") -> Case:
    """Move the case along the transition table (``cases.workflow``); anything else is refused."""
    require_actor(actor)
    if to_status not in Status.values:
        raise Invalid(f"Unknown status {to_status!r}.", code="invalid_choice", field="status")
    case = lock_case(case)
    from_status = case.status
    if not can_transition(from_status, to_status):
        allowed = ", ".join(Status(s).label for s in sorted(allowed_transitions(from_status)))
        raise Conflict(
            f"A case cannot move from {Status(from_status).label} to {Status(to_status).label}"
            f" (allowed: {allowed or 'none, the case is final'}).",
            code="invalid_transition",
            field="status",
        )
    reason, reason_redactions = redact_card_data(reason or "")
    now = timezone.now()
    case.status = to_status
    if to_status == Status.RESOLVED:
        case.resolved_at = now
    elif to_status == Status.CLOSED:
        case.closed_at = now
    elif from_status == Status.RESOLVED:  # reopened
        case.resolved_at = None
    sla_fields = clock_changes(case, from_status=from_status, to_status=to_status, now=now)
    case._history_user = actor
    case.save(update_fields=["status", "resolved_at", "closed_at", "updated_at", *sla_fields])
    timeline = CaseEvent.objects.create(
        case=case,
        kind=EventKind.STATUS_CHANGED,
        actor=actor,
        old_value=from_status,
        new_value=to_status,
        body=(reason or "").strip(),
    )
    _log_redactions(case, reason=reason_redactions)
    publish_case_event(case, CaseEventName.STATUS_CHANGED, event=timeline)
    return case


@audited
@transaction.atomic
def case_add_note(*, actor: User, case: Case, body: str, visibility: str) -> CaseEvent:
    """Add a public reply (``Visibility.PATIENT``) or an internal note (``Visibility.INTERNAL``).

    The first public reply stamps ``first_response_at``. A closed case takes internal notes (an
    addendum) but no replies: a new contact opens a new case.
    """
    require_actor(actor)
    if visibility not in Visibility.values:
        raise Invalid(
            f"Unknown visibility {visibility!r}.", code="invalid_choice", field="visibility"
        )
    text, body_redactions = redact_card_data((body or "").strip())
    if not text:
        raise Invalid("A reply or note needs text.", code="blank", field="body")
    case = lock_case(case)
    is_reply = visibility == Visibility.PATIENT
    if is_reply and case.status == Status.CLOSED:
        raise Conflict("A closed case cannot be replied to.", code="case_closed", field="case")
    event = CaseEvent(
        case=case,
        kind=EventKind.REPLY if is_reply else EventKind.NOTE,
        visibility=visibility,
        body=text,
        actor=actor,
    )
    event.full_clean(exclude=["case", "actor"], validate_constraints=False)
    event.save(force_insert=True)
    _log_redactions(case, body=body_redactions)
    update_fields = ["updated_at"]
    if is_reply and case.first_response_at is None:
        update_fields += first_response_while_paused(case, event.created_at)
        case.first_response_at = event.created_at
        update_fields.append("first_response_at")
    case._history_user = actor
    case.save(update_fields=update_fields)
    publish_case_event(case, CaseEventName.MESSAGE_ADDED, event=event)
    return event


@audited
@transaction.atomic
def case_receive_message(*, actor: User, case: Case, body: str) -> CaseEvent:
    """Record a message *from* the patient (relayed by a partner's SMS, portal or IVR, or typed
    in by staff from a call): patient-visible, part of the conversation, never an internal note.

    A case waiting on the patient goes back to in progress (the patient answered: the SLA clock
    resumes). A closed case takes no messages: a new contact opens a new case. The first
    response is not stamped: this is not a response to the patient."""
    require_actor(actor)
    text, body_redactions = redact_card_data((body or "").strip())
    if not text:
        raise Invalid("A message needs text.", code="blank", field="body")
    case = lock_case(case)
    if case.status == Status.CLOSED:
        raise Conflict(
            "A closed case takes no messages: open a new case.", code="case_closed", field="case"
        )
    event = CaseEvent(
        case=case, kind=EventKind.INBOUND, visibility=Visibility.PATIENT, body=text, actor=actor
    )
    event.full_clean(exclude=["case", "actor"], validate_constraints=False)
    event.save(force_insert=True)
    _log_redactions(case, body=body_redactions)
    if case.status == Status.WAITING_ON_PATIENT:
        case = case_transition(
            actor=actor, case=case, to_status=Status.IN_PROGRESS, reason="The patient replied."
        )
    else:
        case._history_user = actor
        case.save(update_fields=["updated_at"])
    publish_case_event(case, CaseEventName.MESSAGE_ADDED, event=event)
    return event
