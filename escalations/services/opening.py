"""Opening an escalation: on-call hours and the fallback route (``on_call``), the case's
priority raised with it (``raise_priority``), a person's handoff (``escalation_open``) and the
system's (``escalate_automatically``); ``_open`` writes either, and the timer's re-escalation.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from cases.access import WORK
from cases.business_time import NoBusinessHours, Schedule
from cases.changes import apply_priority
from cases.choices import EventKind, Status
from cases.errors import Conflict, Invalid
from cases.events import CaseEventName, publish_case_event
from cases.models import (
    Case,
    CaseEvent,
)
from cases.services import lock_accessible_case, lock_case, require_actor
from compliance.audit import audited
from escalations.choices import EscalationStatus, Source, Urgency
from escalations.events import EscalationEventName, publish_escalation_event
from escalations.models import SBAR_MAX_LENGTH, Escalation, EscalationPathway
from escalations.services._common import (
    MAX_FALLBACK_DEPTH,
    MAX_REASON_LENGTH,
    REQUIRED_SBAR,
    SBAR_FIELDS,
    URGENCY_PRIORITY,
    _clean_text,
)
from escalations.services.grants import _grant, recipients

logger = logging.getLogger(__name__)


def on_call(pathway: EscalationPathway, now: datetime) -> bool:
    """Whether ``pathway`` takes escalations at ``now`` (no calendar: always)."""
    if pathway.calendar_id is None:
        return True
    calendar = pathway.calendar
    try:
        return Schedule.from_calendar(calendar).is_open(now)
    except NoBusinessHours:
        logger.error("escalation pathway %s: calendar has no business hours", pathway.pk)
        return False


def _route(pathway: EscalationPathway, now: datetime) -> tuple[EscalationPathway, list[str]]:
    """The pathway that takes an escalation now: ``pathway`` if it is on call, else its
    fallback chain's first one that is (or the chain's last, when none is: an escalation is
    never refused for the hour). Returns it and a note of each pathway passed over."""
    notes: list[str] = []
    seen = {pathway.pk}
    current = pathway
    while not on_call(current, now) and current.fallback_id is not None:
        fallback = EscalationPathway.objects.select_related("calendar").get(pk=current.fallback_id)
        if fallback.pk in seen or not fallback.active or len(seen) > MAX_FALLBACK_DEPTH:
            break
        notes.append(f"{current.name} is outside its on-call hours")
        seen.add(fallback.pk)
        current = fallback
    return current, notes


# --- opening ------------------------------------------------------------------------------------


def raise_priority(case: Case, urgency: str, actor: User, *, because: str = "") -> list[str]:
    """Raise the locked ``case`` to the priority ``urgency`` asks for at least (never lower it),
    with a ``priority_changed`` timeline event and the SLA due times of the new priority
    (``cases.changes.apply_priority``, the manual change's rule); the changed fields, for the
    caller's save."""
    target = URGENCY_PRIORITY.get(Urgency(urgency))
    if target is None or case.priority >= target:
        return []
    return apply_priority(
        case,
        target,
        actor=actor,
        because=because or f"Raised for an {Urgency(urgency).label.lower()} escalation.",
    )


def _open(
    *,
    actor: User,
    case: Case,
    pathway: EscalationPathway,
    urgency: str,
    reason: str,
    sbar: dict[str, str],
    source: str,
    red_flags: list[dict] | None = None,
    escalated_from: Escalation | None = None,
    now: datetime | None = None,
) -> Escalation:
    """Write an escalation of the locked ``case`` (checks done by the callers)."""
    now = now or timezone.now()
    taken_by, notes = _route(pathway, now)
    escalation = Escalation(
        case=case,
        pathway=taken_by,
        source=source,
        urgency=urgency,
        status=EscalationStatus.OPEN,
        reason=reason,
        red_flags=red_flags or [],
        escalated_from=escalated_from,
        requested_by=actor,
        requested_at=now,
        acknowledgement_due_at=now + taken_by.acknowledgement_target(urgency),
        access_renew_at=now + timedelta(hours=taken_by.access_hours) / 2,
        **sbar,
    )
    escalation.full_clean(exclude=["case", "pathway", "requested_by", "escalated_from"])
    escalation.save(force_insert=True)

    changed = raise_priority(case, urgency, actor)
    case._history_user = actor
    case.save(update_fields=[*changed, "updated_at"])
    until = now + timedelta(hours=taken_by.access_hours)
    granted = _grant(case, recipients(taken_by), escalation=escalation, actor=actor, until=until)
    if granted == 0:
        logger.error(
            "escalation %s of case %s: pathway %s has no one to receive it",
            escalation.pk,
            case.pk,
            taken_by.pk,
        )
    routed = f" ({'; '.join(notes)})" if notes else ""
    timeline = CaseEvent.objects.create(
        case=case,
        kind=EventKind.ESCALATED,
        actor=actor,
        new_value=taken_by.name[:200],
        body=f"{Urgency(urgency).label} escalation to {taken_by.name}{routed}: {reason}",
    )
    publish_case_event(case, CaseEventName.ESCALATED, event=timeline)
    publish_escalation_event(escalation, EscalationEventName.OPENED)
    return escalation


def _sbar(values: dict[str, Any], *, required: tuple[str, ...]) -> dict[str, str]:
    return {
        name: _clean_text(
            name, values.get(name, ""), required=name in required, limit=SBAR_MAX_LENGTH
        )
        for name in SBAR_FIELDS
    }


def _check_pathway_and_urgency(pathway: EscalationPathway | None, urgency: str) -> None:
    if pathway is None or not pathway.active:
        raise Conflict(
            "Choose an active escalation pathway.", code="pathway_inactive", field="pathway"
        )
    if urgency not in Urgency.values:
        raise Invalid(f"Unknown urgency {urgency!r}.", code="invalid_choice", field="urgency")


@audited
@transaction.atomic
def escalation_open(
    *,
    actor: User,
    case: Case,
    pathway: EscalationPathway,
    urgency: str,
    reason: str,
    situation: str,
    background: str = "",
    assessment: str = "",
    recommendation: str,
) -> Escalation:
    """A person hands ``case`` to ``pathway`` with an SBAR. The actor must be allowed to work
    the case (else Http404, as the read path answers). Refused for a closed case, an inactive
    pathway, and a second unresolved escalation of the case to the same pathway
    (``already_escalated``: add to the first one instead). Emergent raises the case to Urgent
    priority, urgent to at least High."""
    require_actor(actor)
    case = lock_accessible_case(actor, case, WORK)
    _check_pathway_and_urgency(pathway, urgency)
    reason_text = _clean_text("reason", reason, required=True, limit=MAX_REASON_LENGTH)
    sbar = _sbar(
        {
            "situation": situation,
            "background": background,
            "assessment": assessment,
            "recommendation": recommendation,
        },
        required=REQUIRED_SBAR,
    )
    if case.status == Status.CLOSED:
        raise Conflict("A closed case cannot be escalated.", code="case_closed", field="case")
    duplicate = (
        Escalation.objects.filter(case=case, pathway=pathway).unresolved().exists()
        or Escalation.objects.filter(case=case, escalated_from__pathway=pathway)
        .unresolved()
        .exists()
    )
    if duplicate:
        raise Conflict(
            "This case already has an unresolved escalation to this pathway.",
            code="already_escalated",
            field="pathway",
        )
    return _open(
        actor=actor,
        case=case,
        pathway=pathway,
        urgency=urgency,
        reason=reason_text,
        sbar=sbar,
        source=Source.MANUAL,
    )


@audited
@transaction.atomic
def escalate_automatically(
    *,
    actor: User,
    case: Case,
    pathway: EscalationPathway,
    urgency: str,
    source: str,
    reason: str,
    sbar: dict[str, str],
    red_flags: list[dict] | None = None,
) -> Escalation | None:
    """An escalation the system opens (a red flag, a clinical refill question, a privacy
    complaint), as ``actor`` — the system account (``accounts.services.system_user``), which the
    audit trail and the timeline name — in the caller's transaction (the service that recorded
    the patient's words: a savepoint of it). Nothing is opened when the case already has an
    unresolved escalation to the pathway of at least this urgency (a second message about the
    same chest pain does not page the nurse twice); a more urgent one is opened alongside."""
    require_actor(actor)
    case = lock_case(case)
    if case.status == Status.CLOSED:
        return None
    rank = {Urgency.ROUTINE: 0, Urgency.URGENT: 1, Urgency.EMERGENT: 2}
    at_least = [u for u in Urgency if rank[u] >= rank[Urgency(urgency)]]
    covered = (
        Escalation.objects.filter(case=case, urgency__in=at_least)
        .filter(Q(pathway=pathway) | Q(escalated_from__pathway=pathway))
        .unresolved()
        .exists()
    )
    if covered:
        return None
    return _open(
        actor=actor,
        case=case,
        pathway=pathway,
        urgency=urgency,
        reason=reason[:MAX_REASON_LENGTH],
        sbar={name: (value or "")[:SBAR_MAX_LENGTH] for name, value in sbar.items()},
        source=source,
        red_flags=red_flags,
    )
