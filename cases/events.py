"""Live-queue events: the one function through which a case change reaches agents' browsers.

An event goes to the channel-layer group of the case's queue (``queue.<id>``) and, when a case
moved between queues, to the old queue's group as well. It is sent only after the transaction
commits (``transaction.on_commit``), so a rolled-back change is never announced. Events carry ids
and non-PHI fields only; browsers refetch details through the API, where access is checked.

A channel layer that is down must not turn a committed change into an error: the send is
``robust`` (logged, without PHI) and the live queue repairs missed events by resyncing.

Other apps that must act *inside* the change's transaction — the webhook outbox
(docs/architecture/partner-api.md) — subscribe with ``case_hooks.subscribe(callback)`` in their
``AppConfig.ready()``: ``callback(case, name, event)`` runs before the announcement is scheduled,
in the service's transaction, so what it writes commits or rolls back with the change. ``cases``
never imports its subscribers.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone

if TYPE_CHECKING:
    from collections.abc import Callable

    from cases.models import Case, CaseEvent

logger = logging.getLogger(__name__)

# Message "type" for consumers: Channels dispatches it to a ``case_event`` handler.
MESSAGE_TYPE = "case.event"


class CaseEventName:
    OPENED = "case.opened"
    ASSIGNED = "case.assigned"
    STATUS_CHANGED = "case.status_changed"
    MESSAGE_ADDED = "case.message_added"


def queue_group(queue_id: int) -> str:
    """Channel-layer group of one queue (ASCII, well under the 100-character limit)."""
    return f"queue.{queue_id}"


def case_event_payload(case: Case, name: str) -> dict[str, Any]:
    """The fields an event carries: identifiers and workflow state, never patient data."""
    return {
        "type": MESSAGE_TYPE,
        "event": name,
        "case_id": case.pk,
        "reference": case.reference,
        "queue_id": case.queue_id,
        "category_id": case.category_id,
        "status": case.status,
        "priority": case.priority,
        "channel": case.channel,
        "language": case.language,
        "assigned_to_id": case.assigned_to_id,
        "first_response_due_at": _iso(case.first_response_due_at),
        "resolution_due_at": _iso(case.resolution_due_at),
        "at": timezone.now().isoformat(),
    }


class CaseHooks:
    """Callbacks run inside the service's transaction for every case event."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[[Case, str, CaseEvent | None], None]] = []

    def subscribe(self, callback: Callable[[Case, str, CaseEvent | None], None]) -> None:
        if callback not in self._callbacks:
            self._callbacks.append(callback)

    def unsubscribe(self, callback) -> None:
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def run(self, case: Case, name: str, event: CaseEvent | None) -> None:
        for callback in list(self._callbacks):
            callback(case, name, event)


case_hooks = CaseHooks()


def publish_case_event(
    case: Case,
    name: str,
    *,
    also_queue_ids: tuple[int, ...] = (),
    event: CaseEvent | None = None,
) -> None:
    """Run the in-transaction hooks, then announce a case change to its queue's group once the
    current transaction commits. ``event`` is the timeline entry of the change, if any."""
    case_hooks.run(case, name, event)
    payload = case_event_payload(case, name)
    groups = [queue_group(queue_id) for queue_id in {case.queue_id, *also_queue_ids}]
    transaction.on_commit(lambda: _send(groups, payload), robust=True)


def _send(groups: list[str], payload: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:  # no CHANNEL_LAYERS configured: nothing to announce to
        return
    for group in groups:
        try:
            async_to_sync(layer.group_send)(group, payload)
        except Exception:
            logger.exception(
                "live-queue event %s for case %s not delivered to %s",
                payload["event"],
                payload["case_id"],
                group,
            )


def _iso(value) -> str | None:
    return value.isoformat() if value else None
