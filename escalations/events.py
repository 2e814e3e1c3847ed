"""What an escalation announces to the live queue: an ``escalation.event`` message to the group
of the pathway's recipient queue (``queue.<id>``), after commit, numbered in that queue's
sequence like every other message of the group (``cases.events``), so a recipient's browser
notices a lost one and resyncs. Ids, state and configuration names only — never the SBAR, the
reason or the red-flag phrases (they are about the patient); the page fetches those through the
read path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from cases.events import announce_after_commit

if TYPE_CHECKING:
    from escalations.models import Escalation

# Channels dispatches this "type" to the consumer's ``escalation_event`` handler.
MESSAGE_TYPE = "escalation.event"


class EscalationEventName:
    OPENED = "escalation.opened"
    ACKNOWLEDGED = "escalation.acknowledged"
    RESOLVED = "escalation.resolved"
    OVERDUE = "escalation.overdue"  # the acknowledgement target passed (the timer sweep)
    CANCELLED = "escalation.cancelled"  # its case was closed (escalations.closing)


# The model fields ``escalation_fields`` reads (``….only(*ESCALATION_FIELDS)`` loads exactly them
# with ``select_related("case", "pathway")``).
ESCALATION_FIELDS = (
    "id",
    "case__id",
    "case__reference",
    "case__queue",
    "pathway__id",
    "pathway__name",
    "pathway__kind",
    "pathway__recipient_queue",
    "urgency",
    "status",
    "source",
    "requested_at",
    "acknowledgement_due_at",
    "acknowledged_by",
    "acknowledged_at",
    "overdue_at",
)


def escalation_fields(escalation: Escalation) -> dict[str, Any]:
    """The non-PHI fields of one escalation, as events and the live queue's snapshot carry them."""
    return {
        "escalation_id": escalation.pk,
        "case_id": escalation.case.pk,
        "reference": escalation.case.reference,
        "case_queue_id": escalation.case.queue_id,
        "pathway_id": escalation.pathway.pk,
        "pathway": escalation.pathway.name,
        "pathway_kind": escalation.pathway.kind,
        "queue_id": escalation.pathway.recipient_queue_id,
        "urgency": escalation.urgency,
        "status": escalation.status,
        "source": escalation.source,
        "requested_at": _iso(escalation.requested_at),
        "acknowledgement_due_at": _iso(escalation.acknowledgement_due_at),
        "acknowledged_by_id": escalation.acknowledged_by_id,
        "acknowledged_at": _iso(escalation.acknowledged_at),
        "overdue_at": _iso(escalation.overdue_at),
    }


def publish_escalation_event(escalation: Escalation, name: str) -> None:
    """Announce ``name`` to the recipients' queue once the transaction commits."""
    payload = {
        "type": MESSAGE_TYPE,
        "event": name,
        **escalation_fields(escalation),
        "at": timezone.now().isoformat(),
    }
    announce_after_commit([escalation.pathway.recipient_queue_id], payload)


def _iso(value) -> str | None:
    return value.isoformat() if value else None
