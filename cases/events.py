"""Live-queue events: the one function through which a case change reaches agents' browsers.

An event goes to the channel-layer group of the case's queue (``queue.<id>``) and, when a case
moved between queues, to the old queue's group as well. It is sent only after the transaction
commits (``transaction.on_commit``), so a rolled-back change is never announced. Events carry ids
and non-PHI fields only; browsers refetch details through the API, where access is checked.

Every message carries a per-queue sequence number (``seq``, of the queue ``seq_queue_id``), given
when the message is sent by an atomic increment in Django's cache — Redis in production, shared
by every process that sends; local memory in the embedded default, where one process serves
everything. The channel layer delivers at most once, so browsers compare numbers to notice a lost
message and resync (docs/architecture/live-queue.md). A counter the cache lost (evicted, flushed)
starts again at the current time in milliseconds, a number above any it handed out before unless
a queue averaged more than a thousand events a second: a reset looks like a gap, which is safe.

A channel layer that is down must not turn a committed change into an error: the send is
``robust`` (logged, without PHI) and the live queue repairs missed events by resyncing.

Other apps that must act *inside* the change's transaction — the webhook outbox
(docs/architecture/partner-api.md) — subscribe with ``case_hooks.subscribe(callback, order=N)``
in their ``AppConfig.ready()``: ``callback(case, name, event)`` runs in the declared order
(``CaseHooks`` lists the orders in use), in the service's transaction, so what it writes commits
or rolls back with the change. The change's announcement is sent after commit, before anything
the hooks caused. ``cases`` never imports its subscribers.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import os
import threading
import time
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from cases.sla_state import case_sla

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from cases.models import Case, CaseEvent

logger = logging.getLogger(__name__)

# Message "type" for consumers: Channels dispatches it to a ``case_event`` handler.
MESSAGE_TYPE = "case.event"


class CaseEventName:
    OPENED = "case.opened"
    UPDATED = "case.updated"  # priority, SLA due times, category or other workflow fields
    ASSIGNED = "case.assigned"  # claims, assignments, releases
    STATUS_CHANGED = "case.status_changed"
    MESSAGE_ADDED = "case.message_added"
    ESCALATED = "case.escalated"
    SLA_WARNING = "case.sla_warning"
    SLA_BREACHED = "case.sla_breached"
    # Issue 15's write paths (cases.changes): a case or its patient marked sensitive or cleared
    # (the consumer hides the case from people without the sensitive-records permission), and a
    # case moved to another queue (sent to the old queue's group too).
    SENSITIVITY_CHANGED = "case.sensitivity_changed"
    MOVED = "case.moved"


# The model fields an event (and the live queue's snapshot) carries: identifiers and workflow
# state, never patient data. ``….only(*CASE_FIELDS)`` loads exactly what ``case_fields`` reads.
CASE_FIELDS = (
    "id",
    "reference",
    "queue",
    "category",
    "status",
    "priority",
    "channel",
    "language",
    "assigned_to",
    "first_response_due_at",
    "resolution_due_at",
    "first_response_at",
    "resolved_at",
    "sla_paused_at",
)


def queue_group(queue_id: int) -> str:
    """Channel-layer group of one queue (ASCII, well under the 100-character limit)."""
    return f"queue.{queue_id}"


def case_fields(case: Case, now: datetime.datetime | None = None) -> dict[str, Any]:
    """The non-PHI fields of one case, as events and snapshots carry them, with the state of
    each SLA target at ``now`` (``cases.sla_state``: workflow state, decided on the server —
    live.js draws it and decides nothing)."""
    return {
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
        # The SLA countdown's state: a first response met, the clock paused (since when).
        "first_response_at": _iso(case.first_response_at),
        "sla_paused_at": _iso(case.sla_paused_at),
        "sla": case_sla(case, now or timezone.now()).as_json(),
    }


def case_event_payload(case: Case, name: str) -> dict[str, Any]:
    """The channel-layer message of one event. ``sensitive`` is for the consumer only (it does
    not forward it): agents without the sensitive-records permission do not see such a case in
    their snapshot, so they must not get its events either."""
    now = timezone.now()
    return {
        "type": MESSAGE_TYPE,
        "event": name,
        **case_fields(case, now),
        "sensitive": bool(case.sensitivity or case.patient.sensitivity),
        "at": now.isoformat(),
    }


# --- per-queue sequence numbers ---------------------------------------------------------------


def _sequence_key(queue_id: int) -> str:
    return f"live-queue:seq:{queue_id}"


def _sequence_seed() -> int:
    return int(time.time() * 1000)


def next_sequence(queue_id: int) -> int:
    """The next number of ``queue_id``'s sequence (atomic across processes on Redis)."""
    key = _sequence_key(queue_id)
    try:
        return cache.incr(key)
    except ValueError:  # no counter yet, or the cache lost it: start one (add is atomic)
        cache.add(key, _sequence_seed(), timeout=None)
        return cache.incr(key)


def current_sequences(queue_ids: Iterable[int]) -> dict[int, int]:
    """The last number given for each queue (one round trip to the cache when all exist). A queue
    without a counter gets one now, so that its first event is exactly one above the answer."""
    keys = {_sequence_key(queue_id): queue_id for queue_id in queue_ids}
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        seed = _sequence_seed()
        for key in missing:
            cache.add(key, seed, timeout=None)
        found.update(cache.get_many(missing))
    return {keys[key]: int(value) for key, value in found.items()}


# --- in-transaction hooks -----------------------------------------------------------------------


class CaseHooks:
    """Callbacks run inside the service's transaction for every case event, in a declared order.

    Each subscriber names its ``order`` (lower runs first; two subscribers may not share one), so
    the order is written down where it matters — not decided by ``INSTALLED_APPS``. The orders in
    use (docs/architecture/cases.md, "Case hooks"):

    ====== ============================== ===================================================
    order  subscriber                     why there
    ====== ============================== ===================================================
    100    ``webhooks.outbox``            records the change itself before anything it causes
    200    ``escalations.detection``      reacts to the patient's words: may escalate (and so
                                          publish ``case.escalated`` from inside this run)
    300    ``escalations.closing``        cleans up after a closed case
    ====== ============================== ===================================================
    """

    def __init__(self) -> None:
        self._callbacks: list[tuple[int, Callable[[Case, str, CaseEvent | None], None]]] = []

    def subscribe(
        self, callback: Callable[[Case, str, CaseEvent | None], None], *, order: int
    ) -> None:
        for taken, existing in self._callbacks:
            if existing == callback:
                return
            if taken == order:
                raise ImproperlyConfigured(
                    f"Case hook order {order} is taken by {existing!r}: declare another."
                )
        self._callbacks.append((order, callback))
        self._callbacks.sort(key=lambda item: item[0])

    def unsubscribe(self, callback) -> None:
        self._callbacks = [item for item in self._callbacks if item[1] != callback]

    def subscribers(self) -> list[Callable[[Case, str, CaseEvent | None], None]]:
        """The callbacks in the order they run."""
        return [callback for _, callback in self._callbacks]

    def run(self, case: Case, name: str, event: CaseEvent | None) -> None:
        for callback in self.subscribers():
            callback(case, name, event)


case_hooks = CaseHooks()


class _Announcement:
    """One case event's live-queue message, its place in the on-commit order taken before the
    hooks run and its payload filled in after them (so it carries what they changed, such as a
    priority raised by an escalation). Outside a transaction Django runs an on-commit callback at
    once: the message then goes out as soon as its payload is known."""

    def __init__(self) -> None:
        self.queue_ids: list[int] = []
        self.payload: dict[str, Any] | None = None
        self.due = self.sent = False

    def on_commit(self) -> None:
        self.due = True
        self.send_if_ready()

    def send_if_ready(self) -> None:
        if self.due and self.payload is not None and not self.sent:
            self.sent = True
            _send(self.queue_ids, self.payload)


def publish_case_event(
    case: Case,
    name: str,
    *,
    also_queue_ids: tuple[int, ...] = (),
    event: CaseEvent | None = None,
) -> None:
    """Run the in-transaction hooks, then announce a case change to its queue's group once the
    current transaction commits. ``event`` is the timeline entry of the change, if any.

    Causal order: the announcement's place among the transaction's on-commit callbacks is taken
    *before* the hooks run, so what they cause — ``case.escalated`` by red-flag detection inside
    ``case.opened`` — is announced after the change that caused it."""
    announcement = _Announcement()
    transaction.on_commit(announcement.on_commit, robust=True)
    case_hooks.run(case, name, event)
    announcement.payload = case_event_payload(case, name)
    announcement.queue_ids = [
        case.queue_id,
        *(q for q in dict.fromkeys(also_queue_ids) if q != case.queue_id),
    ]
    announcement.send_if_ready()


def announce_after_commit(queue_ids: list[int], payload: dict[str, Any]) -> None:
    """Send ``payload`` (a channel-layer message, non-PHI) to each queue's group, numbered in
    the queue's sequence, once the current transaction commits. For the live queue's other
    messages (``escalations.events``)."""
    transaction.on_commit(lambda: _send(queue_ids, payload), robust=True)


def _send(queue_ids: list[int], payload: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:  # no CHANNEL_LAYERS configured: nothing to announce to
        return
    for queue_id in queue_ids:
        group = queue_group(queue_id)
        try:
            message = {**payload, "seq_queue_id": queue_id, "seq": next_sequence(queue_id)}
            group_send(layer, group, message)
        except Exception:
            logger.exception(
                "live-queue event %s for case %s not delivered to %s",
                payload["event"],
                payload.get("case_id"),
                group,
            )


class _Sender:
    """One event loop per process, in a daemon thread, through which committed changes are sent
    to a channel layer that keeps its connections per event loop (channels-redis). With
    ``async_to_sync`` each send ran in a loop of its own and so opened a new Redis connection:
    about 10 ms per event (bench/claim_next.py), on the way from commit to every socket
    (bench/live_fanout.py). The caller still waits for the send, as before, at most
    ``SEND_TIMEOUT`` seconds. A forked process (gunicorn, Celery) starts a loop of its own."""

    SEND_TIMEOUT = 5.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid: int | None = None

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid() or self._loop.is_closed():
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="live-queue-sender", daemon=True
                )
                thread.start()
                self._loop, self._pid = loop, os.getpid()
            return self._loop

    def send(self, layer, group: str, message: dict[str, Any]) -> None:
        future = asyncio.run_coroutine_threadsafe(
            layer.group_send(group, message), self._running_loop()
        )
        future.result(timeout=self.SEND_TIMEOUT)


_sender = _Sender()


def group_send(layer, group: str, message: dict[str, Any]) -> None:
    """Send ``message`` to ``group`` from synchronous code and wait for it."""
    if isinstance(layer, InMemoryChannelLayer):
        # One process, the consumers' own loop: asgiref hands the call to it.
        async_to_sync(layer.group_send)(group, message)
    else:
        _sender.send(layer, group, message)


def _iso(value) -> str | None:
    return value.isoformat() if value else None
