"""The transactional outbox: webhook messages written inside the case change's transaction.

``on_case_event`` is subscribed to ``cases.events.case_hooks`` in ``WebhooksConfig.ready()``. It
runs inside the service's transaction, so an outbox row commits or rolls back with the change it
reports. After the commit the messages are handed to Celery (``enqueue``: the ``webhooks.deliver``
task of ``webhooks.delivery``); if the broker is down the change still stands, and the sweeper
(``sweep_due``, the ``webhooks.sweep`` task defined here, every minute from beat) hands the
messages over later.

A case without a source organisation costs no query at all (the services' query counts are
pinned in tests/cases/test_services_query_counts.py).
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from celery import shared_task
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from webhooks.delivery import deliver
from webhooks.models import EventType, OutboxMessage, WebhookEndpoint

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cases.models import Case, CaseEvent

logger = logging.getLogger(__name__)

# A task handed to the broker this long ago and still not picked up is presumed lost.
ENQUEUE_GRACE = timedelta(minutes=5)
SWEEP_BATCH = 500


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _event_type(case_event_name: str, event: CaseEvent | None) -> str | None:
    from cases.choices import EventKind, Visibility
    from cases.events import CaseEventName

    if case_event_name == CaseEventName.STATUS_CHANGED:
        return EventType.STATUS_CHANGED
    if (
        case_event_name == CaseEventName.MESSAGE_ADDED
        and event is not None
        and event.visibility == Visibility.PATIENT
        and event.kind == EventKind.REPLY  # not the patient's own message relayed back
    ):
        return EventType.REPLY
    return None


def _written_by_the_partner(case: Case, event: CaseEvent | None) -> bool:
    """A reply the organisation's own service account posted is not echoed back to it (a partner
    relaying replies to the patient would otherwise send its own message twice)."""
    if event is None:
        return False
    actor = event.actor  # set by the service that made the event: no query
    return getattr(actor, "organisation_id", None) == case.source_organisation_id


def build_payload(
    *, event_id: uuid.UUID, event_type: str, case: Case, event: CaseEvent | None
) -> dict[str, Any]:
    """What the partner receives: identifiers, the workflow state and, for a reply, its text.
    Nothing else about the patient (minimum necessary; the reply is what the partner relays)."""
    occurred_at = event.created_at if event is not None and event.created_at else timezone.now()
    payload: dict[str, Any] = {
        "id": str(event_id),
        "type": event_type,
        "occurred_at": iso(occurred_at),
        "case": {
            "reference": case.reference,
            "external_reference": case.external_reference,
            "status": case.status,
        },
    }
    if event_type == EventType.STATUS_CHANGED:
        payload["status"] = {
            "old": (event.old_value or None) if event is not None else None,
            "new": (event.new_value if event is not None else "") or case.status,
        }
    elif event_type == EventType.REPLY:
        payload["reply"] = {"body": event.body if event is not None else ""}
    return payload


def on_case_event(case: Case, name: str, event: CaseEvent | None) -> None:
    """The ``case_hooks`` callback: one outbox message per subscribed, active endpoint of the
    case's source organisation."""
    if case.source_organisation_id is None:
        return  # the ordinary case: not a single query
    event_type = _event_type(name, event)
    if event_type is None:
        return
    if event_type == EventType.REPLY and _written_by_the_partner(case, event):
        return
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(
            organisation_id=case.source_organisation_id,
            organisation__active=True,
            active=True,
        )
        if endpoint.subscribes_to(event_type)
    ]
    if not endpoints:
        return
    event_id = uuid.uuid4()  # one event, the same id at every endpoint of the organisation
    payload = build_payload(event_id=event_id, event_type=event_type, case=case, event=event)
    now = timezone.now()
    messages = OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                endpoint=endpoint,
                case=case,
                event_type=event_type,
                event_id=event_id,
                payload=payload,
                next_attempt_at=now,
                enqueued_at=now,
            )
            for endpoint in endpoints
        ]
    )
    enqueue_on_commit([message.pk for message in messages])


def enqueue_on_commit(message_ids: list[int]) -> None:
    transaction.on_commit(lambda: enqueue(message_ids), robust=True)


def enqueue(message_ids: Iterable[int]) -> list[int]:
    """Hand delivery tasks to the broker; never raise. A message the broker did not take keeps
    ``enqueued_at`` empty, so the next sweep hands it over again. Returns the ids handed over."""
    handed, refused = [], []
    for message_id in message_ids:
        try:
            deliver.delay(message_id)
        except Exception as exc:  # broker down (or, eagerly, an unexpected error in delivery)
            logger.warning(
                "webhook message %s not enqueued (%s); the sweeper will retry it",
                message_id,
                type(exc).__name__,
            )
            refused.append(message_id)
        else:
            handed.append(message_id)
    if refused:
        try:
            OutboxMessage.objects.filter(pk__in=refused, state=OutboxMessage.State.PENDING).update(
                enqueued_at=None
            )
        except Exception as exc:
            logger.warning(
                "webhook messages not marked for the sweeper (%s); it retries them after the "
                "enqueue grace period",
                type(exc).__name__,
            )
    return handed


# --- the sweeper ------------------------------------------------------------------------------


def due_messages(now: datetime):
    """Pending messages whose attempt is due and that no broker is believed to hold."""
    return OutboxMessage.objects.filter(
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=now - ENQUEUE_GRACE),
        state=OutboxMessage.State.PENDING,
        next_attempt_at__lte=now,
    )


def sweep_due(limit: int = SWEEP_BATCH) -> int:
    """Hand up to ``limit`` due messages to the broker (oldest due first). Returns how many."""
    now = timezone.now()
    ids = list(
        due_messages(now).order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return 0
    OutboxMessage.objects.filter(pk__in=ids).update(enqueued_at=now)
    return len(enqueue(ids))


@shared_task(name="webhooks.sweep", ignore_result=True)
def sweep() -> int:
    """The Celery task (every minute from beat): hand due messages to the broker."""
    return sweep_due()
