"""The real-time alert of a break-the-glass access (issue 17): a ``break_glass.event`` message
to the privacy office's live queue — the recipient queue of the active privacy officer pathway,
where privacy complaints and the automatic privacy escalation already go
(``escalations.complaint_alerts``) — sent after commit through the live queue's one path
(``cases.events.announce_after_commit``), so it is numbered in that queue's sequence like every
other message of the group and a browser that lost it resyncs. The console's socket relays it as
a ``break_glass`` message (console/consumers/live.py) and the queue page shows it as an alert.

Ids, the case reference, the staff member's name and the window only — never the reason (it may
hold PHI) nor whether the record is sensitive. A deployment without an active privacy officer
pathway gets no live alert (logged, ids only); the access still lands on the compliance officers'
review list, which is the record of it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from cases.events import announce_after_commit
from escalations.choices import PathwayKind
from escalations.models import EscalationPathway

if TYPE_CHECKING:
    from oversight.models import BreakGlassAccess

logger = logging.getLogger(__name__)

# Channels dispatches this "type" to the consumer's ``break_glass_event`` handler.
MESSAGE_TYPE = "break_glass.event"
OPENED = "break_glass.opened"


def alert_queue_id() -> int | None:
    pathway = EscalationPathway.objects.for_kind(PathwayKind.PRIVACY_OFFICER)
    return pathway.recipient_queue_id if pathway is not None else None


def break_glass_fields(access: BreakGlassAccess) -> dict[str, Any]:
    return {
        "access_id": access.pk,
        "case_id": access.case_id,
        "reference": access.case.reference,
        "user_id": access.user_id,
        "user_name": access.user.get_full_name() or access.user.get_username(),
        "granted_at": access.granted_at.isoformat(),
        "expires_at": access.expires_at.isoformat(),
    }


def publish_break_glass_alert(access: BreakGlassAccess) -> int | None:
    """Announce ``access`` to the privacy office's queue once the transaction commits; the queue's
    id, or None when no privacy officer pathway is active."""
    queue_id = alert_queue_id()
    if queue_id is None:
        logger.error("break-the-glass access %s: no active privacy officer pathway", access.pk)
        return None
    payload = {
        "type": MESSAGE_TYPE,
        "event": OPENED,
        "queue_id": queue_id,
        **break_glass_fields(access),
        "at": access.granted_at.isoformat(),
    }
    announce_after_commit([queue_id], payload)
    return queue_id
