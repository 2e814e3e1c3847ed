"""A recipient's steps: taking an escalation (``escalation_acknowledge``) and closing it with
its outcome (``escalation_resolve``), which ends the recipients' case grants.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases.choices import EventKind
from cases.errors import Conflict, Invalid
from cases.events import CaseEventName, publish_case_event
from cases.models import CaseEvent
from cases.services import lock_case, require_actor
from compliance.audit import audited
from escalations.choices import EscalationStatus, Outcome
from escalations.events import EscalationEventName, publish_escalation_event
from escalations.models import SBAR_MAX_LENGTH, Escalation
from escalations.services._common import (
    _clean_text,
    _lock,
)
from escalations.services.grants import _grant, _revoke, is_recipient


def _check_recipient(actor: User, escalation: Escalation) -> None:
    if not is_recipient(actor, escalation.pathway):
        raise Conflict(
            f"Only members of {escalation.pathway.recipient_queue} take this escalation.",
            code="not_recipient",
            field="escalation",
        )


def _check_not_ended(escalation: Escalation) -> None:
    if escalation.status == EscalationStatus.RESOLVED:
        raise Conflict(
            "This escalation is already resolved.", code="already_resolved", field="escalation"
        )
    if escalation.status == EscalationStatus.CANCELLED:
        raise Conflict(
            f"This escalation was cancelled: {escalation.cancel_reason}",
            code="already_cancelled",
            field="escalation",
        )


def _name(user: User | None) -> str:
    """A staff member's name for a refusal (staff names are not PHI)."""
    return user.display_name if user is not None else "another person"


@audited
@transaction.atomic
def escalation_acknowledge(*, actor: User, escalation: Escalation) -> Escalation:
    """A recipient takes the escalation: the acknowledgement timer stops. Acknowledging one's
    own acknowledged escalation changes nothing; someone else's is refused."""
    require_actor(actor)
    escalation = _lock(escalation)
    _check_recipient(actor, escalation)
    _check_not_ended(escalation)
    if escalation.status == EscalationStatus.ACKNOWLEDGED:
        if escalation.acknowledged_by_id == actor.pk:
            return escalation
        raise Conflict(
            f"Already acknowledged by {_name(escalation.acknowledged_by)}.",
            code="already_acknowledged",
            field="escalation",
        )
    now = timezone.now()
    _acknowledge(escalation, actor, now)
    escalation.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
    return escalation


def _acknowledge(escalation: Escalation, actor: User, now: datetime) -> None:
    case = lock_case(escalation.case)
    escalation.status = EscalationStatus.ACKNOWLEDGED
    escalation.acknowledged_by = actor
    escalation.acknowledged_at = now
    # A recipient who joined the queue after the escalation opened has no grant yet.
    until = now + timedelta(hours=escalation.pathway.access_hours)
    _grant(case, [actor], escalation=escalation, actor=actor, until=until)
    late = escalation.acknowledgement_due_at < now
    timeline = CaseEvent.objects.create(
        case=case,
        kind=EventKind.ESCALATION_ACKNOWLEDGED,
        actor=actor,
        new_value=escalation.pathway.name[:200],
        body=f"Escalation to {escalation.pathway.name} acknowledged"
        + (" after its target." if late else "."),
    )
    publish_case_event(case, CaseEventName.ESCALATED, event=timeline)
    publish_escalation_event(escalation, EscalationEventName.ACKNOWLEDGED)


@audited
@transaction.atomic
def escalation_resolve(
    *, actor: User, escalation: Escalation, outcome: str, notes: str = ""
) -> Escalation:
    """A recipient closes the escalation with its outcome (acknowledging it in the same step if
    nobody had). The recipients' case grants end, unless another unresolved escalation of the
    case needs them. Notes are required for "no clinical action" and "unreachable"."""
    require_actor(actor)
    if outcome not in Outcome.values:
        raise Invalid(f"Unknown outcome {outcome!r}.", code="invalid_choice", field="outcome")
    text = _clean_text("notes", notes, required=False, limit=SBAR_MAX_LENGTH)
    if outcome in (Outcome.NO_ACTION, Outcome.UNREACHABLE) and not text:
        raise Invalid(
            "Say what was done and why no more is needed.", code="required", field="notes"
        )
    escalation = _lock(escalation)
    if escalation.acknowledged_by_id != actor.pk:
        _check_recipient(actor, escalation)
    _check_not_ended(escalation)
    now = timezone.now()
    if escalation.status == EscalationStatus.OPEN:
        _acknowledge(escalation, actor, now)
    case = lock_case(escalation.case)
    escalation.status = EscalationStatus.RESOLVED
    escalation.resolved_by = actor
    escalation.resolved_at = now
    escalation.outcome = outcome
    escalation.outcome_notes = text
    escalation.save(
        update_fields=[
            "status",
            "acknowledged_by",
            "acknowledged_at",
            "resolved_by",
            "resolved_at",
            "outcome",
            "outcome_notes",
        ]
    )
    revoked = _revoke(escalation)
    timeline = CaseEvent.objects.create(
        case=case,
        kind=EventKind.ESCALATION_RESOLVED,
        actor=actor,
        new_value=Outcome(outcome).label[:200],
        body=f"Escalation to {escalation.pathway.name} resolved: {Outcome(outcome).label}."
        + (f" {text}" if text else "")
        + (f" Case access of {revoked} recipient(s) ended." if revoked else ""),
    )
    publish_case_event(case, CaseEventName.ESCALATED, event=timeline)
    publish_escalation_event(escalation, EscalationEventName.RESOLVED)
    return escalation
