"""What a complaint announces to the live queue, and where its overdue alerts go.

A ``complaint.event`` message goes, after commit, to the group of each *alert queue* of the
complaint (``queue.<id>``), numbered in that queue's sequence like every other message of the
group (``cases.events``), so a browser notices a lost one and resyncs:

* the case's own queue — the complaints queue, where the routing rules send complaints and whose
  agents and supervisors work them — always;
* the queues the registered *alert routes* add. ``escalations`` registers one in its
  ``AppConfig.ready()``: a privacy complaint's alerts also go to the privacy officer pathway's
  recipient queue (the privacy office), which the automatic privacy escalation already brought
  in. ``complaints`` never imports ``escalations``: the route is a callback, like the case hooks.

Ids, the deadline concerned, due times and the state only — never the complaint's type, text,
outcome or summary (they are about the patient); the page fetches those through the read path.
The ``sensitive`` flag is for the consumer (it skips the message for users who may not see
sensitive records, as for case events).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from cases.events import announce_after_commit

if TYPE_CHECKING:
    from cases.models import Case
    from complaints.models import Complaint

# Channels dispatches this "type" to the consumer's ``complaint_event`` handler.
MESSAGE_TYPE = "complaint.event"


class ComplaintEventName:
    ACKNOWLEDGED = "complaint.acknowledged"
    RESPONDED = "complaint.responded"
    OVERDUE = "complaint.overdue"  # a deadline passed unmet (the sweep, complaints.timers)


class AlertRoutes:
    """Callbacks ``route(case, complaint) -> iterable of queue ids`` naming further queues a
    complaint's alerts go to (besides the case's queue)."""

    def __init__(self) -> None:
        self._routes: list[Callable[[Case, Complaint], Any]] = []

    def subscribe(self, route: Callable[[Case, Complaint], Any]) -> None:
        if route not in self._routes:
            self._routes.append(route)

    def unsubscribe(self, route) -> None:
        if route in self._routes:
            self._routes.remove(route)

    def queue_ids(self, case: Case, complaint: Complaint) -> list[int]:
        ids = [case.queue_id]
        for route in list(self._routes):
            ids.extend(int(pk) for pk in route(case, complaint) or ())
        return list(dict.fromkeys(ids))


alert_routes = AlertRoutes()


def complaint_fields(case: Case, complaint: Complaint) -> dict[str, Any]:
    """The non-PHI fields of one complaint's deadlines, as messages carry them."""
    from complaints.states import deadline_state

    state = deadline_state(complaint)
    return {
        "case_id": case.pk,
        "reference": case.reference,
        "case_queue_id": case.queue_id,
        "state": state.code,
        "state_label": state.label,
        "overdue": state.overdue,
        "acknowledgement_due_at": _iso(complaint.acknowledgement_due_at),
        "acknowledged_at": _iso(complaint.acknowledged_at),
        "acknowledgement_overdue_at": _iso(complaint.acknowledgement_overdue_at),
        "response_due_at": _iso(complaint.response_due_at),
        "responded_at": _iso(complaint.responded_at),
        "response_overdue_at": _iso(complaint.response_overdue_at),
    }


def publish_complaint_event(case: Case, complaint: Complaint, name: str, **extra) -> list[int]:
    """Announce ``name`` to the complaint's alert queues once the transaction commits; the
    queue ids it goes to."""
    queue_ids = alert_routes.queue_ids(case, complaint)
    payload = {
        "type": MESSAGE_TYPE,
        "event": name,
        **complaint_fields(case, complaint),
        **extra,
        "sensitive": bool(case.sensitivity or case.patient.sensitivity),
        "at": timezone.now().isoformat(),
    }
    # ``queue_id`` is the group's queue: the consumer and live.js number the message in it.
    for queue_id in queue_ids:
        announce_after_commit([queue_id], {**payload, "queue_id": queue_id})
    return queue_ids


def _iso(value) -> str | None:
    return value.isoformat() if value else None
