"""Where a privacy complaint's overdue alerts go besides the complaints queue: the privacy
officer's queue — the recipient queue of the active privacy officer pathway, the one the
automatic privacy escalation goes to (``escalations.detection``). Registered as a
``complaints.events.alert_routes`` route in ``EscalationsConfig.ready()``: ``complaints`` sits
below ``escalations`` and never imports it."""

from __future__ import annotations

from escalations.choices import PathwayKind
from escalations.models import EscalationPathway

PRIVACY = "privacy"  # complaints.models.ComplaintType.PRIVACY


def privacy_officer_queues(case, complaint) -> list[int]:
    if getattr(complaint, "complaint_type", "") != PRIVACY:
        return []
    pathway = EscalationPathway.objects.for_kind(PathwayKind.PRIVACY_OFFICER)
    return [pathway.recipient_queue_id] if pathway is not None else []
