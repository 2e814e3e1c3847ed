"""Closing a case ends its unresolved escalations (docs/architecture/escalations.md, "When the
case closes").

A closed case is final (``cases.workflow``): nobody works it any more, so an escalation still
open or acknowledged on it would wait for ever — paging recipients, holding their case grants and
counted by the timers. ``on_case_closed``, a ``cases.events.case_hooks`` callback (``cases``
never imports ``escalations``), runs inside the transaction that closes the case and hands each
of them to ``escalation_cancel`` with the closing's reason: status ``cancelled``, who and when,
the recipients' grants revoked (unless another unresolved escalation needs them), an
``escalation_cancelled`` timeline event, and the live ``escalation.cancelled`` message. The
timers select open escalations only, so theirs stop.

Only *closing* cancels. Resolving a case does not: a resolved case may be reopened, and a
clinician's handoff must not vanish because an agent marked the contact resolved — its banner
stays until the recipient resolves it or the case is closed.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases.choices import EventKind, Status
from cases.events import CaseEventName, publish_case_event
from cases.models import Case, CaseEvent
from cases.services import lock_case, require_actor
from compliance.audit import audited
from escalations.choices import UNRESOLVED_STATUSES, EscalationStatus
from escalations.events import EscalationEventName, publish_escalation_event
from escalations.models import Escalation
from escalations.services.grants import _revoke

MAX_CANCEL_REASON = 300


@audited
@transaction.atomic
def escalation_cancel(*, actor: User, escalation: Escalation, reason: str) -> Escalation | None:
    """End an unresolved ``escalation`` without an outcome, saying why. Returns it, or None when
    it was already resolved or cancelled (nothing written: idempotent). For the system's own
    use (a closed case); staff resolve escalations with an outcome instead."""
    require_actor(actor)
    text = " ".join((reason or "").split())[:MAX_CANCEL_REASON]
    if not text:
        raise ValueError("An escalation is cancelled with a reason.")
    escalation = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("pathway", "case")
        .get(pk=escalation.pk)
    )
    if escalation.status not in UNRESOLVED_STATUSES:
        return None
    case = lock_case(escalation.case)
    escalation.status = EscalationStatus.CANCELLED
    escalation.cancelled_by = actor
    escalation.cancelled_at = timezone.now()
    escalation.cancel_reason = text
    escalation.save(update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason"])
    revoked = _revoke(escalation)
    timeline = CaseEvent.objects.create(
        case=case,
        kind=EventKind.ESCALATION_CANCELLED,
        actor=actor,
        new_value=escalation.pathway.name[:200],
        body=f"Escalation to {escalation.pathway.name} cancelled: {text}"
        + (f" Case access of {revoked} recipient(s) ended." if revoked else ""),
    )
    publish_case_event(case, CaseEventName.ESCALATED, event=timeline)
    publish_escalation_event(escalation, EscalationEventName.CANCELLED)
    return escalation


def on_case_closed(case: Case, name: str, event: CaseEvent | None) -> None:
    """The ``case_hooks`` callback: when ``case`` has just been closed, cancel its unresolved
    escalations as the person (or system) who closed it."""
    if name != CaseEventName.STATUS_CHANGED or case.status != Status.CLOSED:
        return
    if event is None or event.kind != EventKind.STATUS_CHANGED:
        return
    pending = list(
        Escalation.objects.filter(case_id=case.pk).unresolved().order_by("pk").only("pk")
    )
    if not pending:
        return
    why = f"the case was closed ({event.body})" if event.body else "the case was closed"
    reason = f"No longer needed: {why}."
    for escalation in pending:
        escalation_cancel(actor=event.actor, escalation=escalation, reason=reason)
