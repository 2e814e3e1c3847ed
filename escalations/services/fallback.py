"""The acknowledgement timer's step: an overdue escalation marked and re-escalated to its
pathway's fallback (``escalation_fallback``); the sweep's query is
``escalations.selectors.overdue_escalations``.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases.choices import EventKind
from cases.events import CaseEventName, publish_case_event
from cases.models import CaseEvent
from cases.services import lock_case, require_actor
from compliance.audit import audited
from escalations.choices import EscalationStatus, Source
from escalations.events import EscalationEventName, publish_escalation_event
from escalations.models import Escalation
from escalations.services._common import (
    MAX_FALLBACK_DEPTH,
    MAX_REASON_LENGTH,
    SBAR_FIELDS,
    _lock,
)
from escalations.services.opening import _open

logger = logging.getLogger(__name__)


@audited
@transaction.atomic
def escalation_fallback(*, actor: User, escalation: Escalation, now: datetime | None = None):
    """The acknowledgement target of ``escalation`` passed (the timer sweep): mark it overdue
    and, if its pathway has an active fallback, open a new escalation there with the same SBAR
    and urgency (``escalated_from``). The first one stays open — its recipients may still take
    it; the handoff only widens. Returns the new escalation, or None (no fallback; already
    acknowledged or marked). Idempotent: a second sweep changes nothing."""
    require_actor(actor)
    now = now or timezone.now()
    escalation = _lock(escalation)
    if (
        escalation.status != EscalationStatus.OPEN
        or escalation.overdue_at is not None
        or escalation.acknowledgement_due_at > now
    ):
        return None
    case = lock_case(escalation.case)
    escalation.overdue_at = now
    escalation.save(update_fields=["overdue_at"])
    fallback = escalation.pathway.fallback
    chain = _chain_pathways(escalation)
    if fallback is not None and (not fallback.active or fallback.pk in chain):
        fallback = None
    publish_escalation_event(escalation, EscalationEventName.OVERDUE)
    if fallback is None:
        CaseEvent.objects.create(
            case=case,
            kind=EventKind.ESCALATED,
            actor=actor,
            new_value=escalation.pathway.name[:200],
            body=f"Escalation to {escalation.pathway.name} not acknowledged in time; "
            "no fallback pathway to re-escalate to.",
        )
        logger.error("escalation %s of case %s overdue with no fallback", escalation.pk, case.pk)
        publish_case_event(case, CaseEventName.ESCALATED)
        return None
    return _open(
        actor=actor,
        case=case,
        pathway=fallback,
        urgency=escalation.urgency,
        reason=f"Not acknowledged by {escalation.pathway.name} in time: {escalation.reason}"[
            :MAX_REASON_LENGTH
        ],
        sbar={name: getattr(escalation, name) for name in SBAR_FIELDS},
        source=Source.FALLBACK,
        red_flags=escalation.red_flags,
        escalated_from=escalation,
        now=now,
    )


def _chain_pathways(escalation: Escalation) -> set[int]:
    """The pathways of ``escalation`` and of those it re-escalates (a fallback loop stops)."""
    seen: set[int] = set()
    current: Escalation | None = escalation
    while current is not None and len(seen) <= MAX_FALLBACK_DEPTH:
        seen.add(current.pathway_id)
        current = current.escalated_from
    return seen
