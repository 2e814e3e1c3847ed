"""The live queue's WebSocket (``ws/console/live/``): subscribe to the queues one may work and
relay their events — nothing else (docs/architecture/live-queue.md, "The socket protocol").

The socket sits behind ``AllowedHostsOriginValidator`` and session authentication
(patientcare/asgi.py); a session that still owes its second factor is refused (4401). Refused
sockets are accepted and then closed with a code, so that the page can tell "log in again"
(4401) from "you work no queue" (4403) — a socket refused before the handshake reaches the
browser as a bare 1006.

Access is the one read path's: the queues come from ``cases.access.queues_for(user, "work")``
(the queue half of ``Case.objects.restrict(user, "work")``), the snapshot's cases from
``restrict()`` itself. Access is re-read, from a fresh user row, at least every
``LIVE_QUEUE_ACCESS_CACHE_SECONDS`` (15 s: events are delivered on an answer at most that old),
on every heartbeat (``LIVE_QUEUE_HEARTBEAT_SECONDS``, 20 s, which also checks that the session
still exists), and at once when console/signals.py says the user's access shrank. A user who lost
every queue, was deactivated or whose session ended gets ``{"type": "revoked"}`` and the socket
is closed.

Escalations (``escalations.events``) reach the members of a pathway's recipient queue — its
recipients, whom opening the escalation granted the case — as ``escalation`` messages of that
queue's group, numbered in its sequence like case events (ids, state and configuration names
only). The snapshot lists the unresolved escalations addressed to the user's queues, read through
``Escalation.objects.restrict(user, "receive")`` like the queue page. Grievance deadlines
(``complaints.events``) reach the case's queue and the complaint's alert queues as ``complaint``
messages, numbered the same way (ids, due times and the deadline state only). Emergency accesses
(``oversight.alerts``, issue 17) reach the privacy office's queue as ``break_glass`` messages,
numbered the same way (ids, the reference, the staff member's name and the window).

Database work runs off the event loop (``_db``); delivering an event, an escalation message or a
presence update touches no database (unless the access answer is stale), so those message types
skip the connection clean-up Channels otherwise runs in its database thread before every handler
— the fan-out path stays in the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import random
import time

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from redis.exceptions import RedisError

from cases.events import MESSAGE_TYPE, CaseEventName, current_sequences, queue_group
from complaints.events import MESSAGE_TYPE as COMPLAINT_MESSAGE_TYPE
from console import presence
from console.consumers._common import PRESENCE_UPDATE, _db
from console.consumers.presence_relay import PresenceRelay
from console.selectors import (
    Access,
    build_snapshot,
    load_access,
    may_view_case,
    session_user_id,
)
from console.signals import user_group
from escalations.events import MESSAGE_TYPE as ESCALATION_MESSAGE_TYPE
from mfa.policy import State, session_state_of

# The package's name, as before the split (console/consumers.py), for logging configuration.
logger = logging.getLogger("console.consumers")

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
# Live updates are unavailable (the channel layer or the cache cannot be reached): the page shows
# its "live updates unavailable" banner and keeps retrying with backoff.
CLOSE_UNAVAILABLE = 4503
# Fields of the channel-layer message that the browser does not get.
_ENCODED = "__live_text"
_INTERNAL_FIELDS = frozenset({"type", "sensitive", _ENCODED})
# What an unreachable Redis raises through channels-redis and Django's Redis cache (OSError:
# refused connections and socket timeouts).
LAYER_ERRORS: tuple[type[BaseException], ...] = (RedisError, OSError)
# Handlers that touch no database (see the module docstring).
# The real-time alert of a break-the-glass access (oversight/alerts.py, MESSAGE_TYPE: a sibling
# layer, so named here; tests/console/test_break_glass_alert.py checks both spell it alike).
BREAK_GLASS_MESSAGE_TYPE = "break_glass.event"
_NO_DATABASE = frozenset(
    {
        MESSAGE_TYPE,
        ESCALATION_MESSAGE_TYPE,
        COMPLAINT_MESSAGE_TYPE,
        BREAK_GLASS_MESSAGE_TYPE,
        PRESENCE_UPDATE,
    }
)


def _describe(exc: BaseException) -> str:
    """An outage's error in one line: its kind and redis-py's message (host and port, no PHI)."""
    return f"{type(exc).__name__}: {exc}"


def access_cache_seconds() -> float:
    return float(getattr(settings, "LIVE_QUEUE_ACCESS_CACHE_SECONDS", 15))


class LiveQueueConsumer(PresenceRelay, AsyncJsonWebsocketConsumer):
    async def __call__(self, scope, receive, send) -> None:
        """The consumer's life (Channels' own loop of client and channel-layer messages), with
        the channel layer lost on the way: channels-redis' ``receive`` raises when Redis goes
        away, which would end the socket with a bare 1011 and a traceback per socket. Instead
        the browser gets ``CLOSE_UNAVAILABLE`` (its banner at once; it keeps retrying), the
        presence rows are deleted, and the log has one line per socket."""
        try:
            await super().__call__(scope, receive, send)
        except LAYER_ERRORS as exc:
            logger.warning("live queue: channel layer lost, socket closed: %s", _describe(exc))
            if getattr(self, "_closed", True):
                return  # never connected, or already closed and cleaned up
            self._closed = True
            with contextlib.suppress(*LAYER_ERRORS):
                await self.close(CLOSE_UNAVAILABLE)
            await self._cleanup()

    async def connect(self) -> None:
        self.user_id: int | None = None
        self.access: Access | None = None
        self.queues: dict[int, str] = {}
        self.watching: int | None = None
        self._closed = False
        self._cleaned = False
        self._checked_at = 0.0
        self._access_lock = asyncio.Lock()
        self._timer: asyncio.Task | None = None
        self._presence_sent: dict[str, list] = {}
        self._presence_pending: dict[str, tuple] = {}
        self._presence_flush: asyncio.Task | None = None

        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self._refuse(CLOSE_UNAUTHENTICATED)
            return
        # A session that still owes its second factor opens no socket (mfa/policy.py): 4401,
        # the page's "log in again", as for no session.
        if await _db(session_state_of)(user, self.scope.get("session")) is not State.SATISFIED:
            await self._refuse(CLOSE_UNAUTHENTICATED)
            return
        access = await _db(load_access)(user.pk)
        if access is None:
            await self._refuse(CLOSE_UNAUTHENTICATED)
            return
        if not access.queues:
            await self._refuse(CLOSE_FORBIDDEN)
            return
        self.user_id = user.pk
        self._set_access(access)
        try:
            await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
            for queue_id in self.queues:
                await self.channel_layer.group_add(queue_group(queue_id), self.channel_name)
            online = await _db(self._join_presence)(list(self.queues))
            await self._broadcast_queues(online)
            # The snapshot's sequence numbers come from the cache (Redis in production too).
            await self.send_snapshot()
        except LAYER_ERRORS as exc:
            # Redis (channel layer or cache) unreachable: no live updates for now. Say so with
            # a code the page understands (it shows its banner and retries with backoff) rather
            # than crash into a bare 1011. An outage, not a bug: one line, no traceback.
            logger.warning("live queue unavailable for user %s: %s", user.pk, _describe(exc))
            await self._unavailable()
            return
        self._timer = asyncio.create_task(self._run_timer())

    async def disconnect(self, code) -> None:
        await self._cleanup()

    # --- client to server ------------------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        try:
            content = json.loads(text_data) if text_data else None
        except (ValueError, RecursionError):  # not JSON, or nested too deeply to decode
            content = None
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "code": "bad_message"})
            return
        await self.receive_json(content)

    async def receive_json(self, content: dict, **kwargs) -> None:
        if self._closed:
            return
        kind = content.get("type")
        if kind == "resync":
            await self.send_snapshot()
        elif kind == "watch":
            await self._watch(content.get("case_id"))
        elif kind == "unwatch":
            await self._unwatch()
        elif kind == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json({"type": "error", "code": "unknown_type"})

    # --- channel layer to client ----------------------------------------------------------------

    async def dispatch(self, message: dict) -> None:
        if message.get("type") in _NO_DATABASE:
            await getattr(self, get_handler_name(message))(message)
        else:
            await super().dispatch(message)

    async def case_event(self, message: dict) -> None:
        """One case event of a queue group: forwarded if the user (still) works that queue."""
        await self._forward(message, "event")

    async def escalation_event(self, message: dict) -> None:
        """One escalation message of a recipient queue's group (``escalations.events``):
        forwarded if the user (still) works that queue — its members are the recipients, whom
        the escalation granted the case. Ids, state and configuration names only; no
        ``sensitive`` flag."""
        await self._forward(message, "escalation")

    async def complaint_event(self, message: dict) -> None:
        """A grievance deadline message of a queue group (``complaints.events``): the case's
        queue and the alert queues (the privacy office for a privacy complaint). Forwarded if
        the user (still) works that queue and, for a sensitive case, may see sensitive records.
        Ids, deadlines and the state only."""
        await self._forward(message, "complaint")

    async def break_glass_event(self, message: dict) -> None:
        """The alert of an emergency access (``oversight.alerts``) to the privacy office's queue:
        forwarded if the user (still) works that queue. Ids, the reference, the staff member's
        name and the window only; no ``sensitive`` flag (the privacy office hears of every one)."""
        await self._forward(message, "break_glass")

    async def _forward(self, message: dict, kind: str) -> None:
        if self._closed:
            return
        if time.monotonic() - self._checked_at > access_cache_seconds():
            await self._refresh_access()  # the timer keeps it fresh; this is the fallback
            if self._closed:
                return
        queue_id = message.get("seq_queue_id", message["queue_id"])
        if queue_id not in self.queues:
            return
        if message.get("sensitive") and not self.access.sees_sensitive:
            # The number moves on with an event this user may not see: say so without the case,
            # so that the browser does not take the hole for a lost event. A case that has just
            # been marked sensitive (it, or its patient) was in this user's list a moment ago:
            # the skip names it so that the browser drops its row (issue 15; its id only, which
            # the browser already had).
            skip = {"type": "skip", "queue_id": queue_id, "seq": message["seq"]}
            if message.get("event") == CaseEventName.SENSITIVITY_CHANGED:
                skip["hide_case_id"] = message["case_id"]
            await self.send_json(skip)
            return
        text = message.get(_ENCODED)
        if text is None:
            out = {key: value for key, value in message.items() if key not in _INTERNAL_FIELDS}
            out["type"] = kind
            text = json.dumps(out)
            # channels-redis hands every socket of this process the same message object: the
            # first one to forward it encodes it for all.
            message[_ENCODED] = text
        await self.send(text_data=text)

    async def access_changed(self, message: dict) -> None:
        if not self._closed:
            await self._refresh_access()

    async def send_snapshot(self) -> None:
        snapshot = await _db(build_snapshot)(self.access)
        await self.send_json(snapshot)

    # --- access -----------------------------------------------------------------------------------

    def _set_access(self, access: Access) -> None:
        self.access = access
        self.queues = access.queues
        self._checked_at = time.monotonic()

    async def _refresh_access(self) -> None:
        async with self._access_lock:
            if self._closed:
                return
            access = await _db(self._reload_access)()
            if access is None or not access.queues:
                await self._revoke(CLOSE_FORBIDDEN)
                return
            lost = [queue_id for queue_id in self.queues if queue_id not in access.queues]
            gained = [queue_id for queue_id in access.queues if queue_id not in self.queues]
            self._set_access(access)  # from here on, events of lost queues are dropped
            if not (lost or gained):
                return
            for queue_id in lost:
                await self.channel_layer.group_discard(queue_group(queue_id), self.channel_name)
                self._presence_sent.pop(f"queue_id:{queue_id}", None)
            for queue_id in gained:
                await self.channel_layer.group_add(queue_group(queue_id), self.channel_name)
            online = await _db(self._move_presence)(lost, gained)
            await self._broadcast_queues(online)
            if gained:  # their cases: start again from a snapshot
                await self.send_snapshot()

    def _reload_access(self) -> Access | None:
        access = load_access(self.user_id)
        watching = self.watching
        if access is not None and watching is not None and not may_view_case(access.user, watching):
            presence.presence_unwatch(self.channel_name)
        return access

    async def _session_alive(self) -> bool:
        """The session the socket was opened with still exists, unexpired, for the same user
        (logging out or the idle timeout ends it)."""
        key = getattr(self.scope.get("session"), "session_key", None)
        if not key:
            return False
        return await _db(session_user_id)(key) == self.user_id

    async def _revoke(self, code: int) -> None:
        if self._closed:
            return
        self._closed = True
        self.queues = {}
        await self.send_json({"type": "revoked"})
        await self.close(code)
        await self._cleanup()

    async def _unavailable(self) -> None:
        """Close with ``CLOSE_UNAVAILABLE`` after a failed start: delete the presence rows it may
        have written (the database is up) and leave the groups as far as the channel layer lets
        us."""
        self._closed = True
        self._cleaned = True
        await self.close(CLOSE_UNAVAILABLE)
        await _db(presence.presence_leave)(self.channel_name)
        for group in [user_group(self.user_id), *(queue_group(q) for q in self.queues)]:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except LAYER_ERRORS:  # the layer is down: its group memberships expire on their own
                break

    async def _refuse(self, code: int) -> None:
        self._closed = True
        self._cleaned = True  # nothing joined, nothing to clean
        await self.close(code)

    # --- heartbeat and access refresh -----------------------------------------------------------

    async def _run_timer(self) -> None:
        """Re-read access before the cached answer is ``LIVE_QUEUE_ACCESS_CACHE_SECONDS`` old, at
        a random point between 60 and 90 % of it so that many sockets do not all hit the
        database together; heartbeat every ``LIVE_QUEUE_HEARTBEAT_SECONDS``. A cache time of 0
        means no cache: every delivery re-reads access, and the timer does not."""
        interval = presence.heartbeat_seconds()
        ttl = access_cache_seconds()

        def jitter() -> float:
            return ttl * random.uniform(0.6, 0.9) if ttl > 0 else math.inf  # noqa: S311

        next_heartbeat = time.monotonic() + interval
        refresh_after = jitter()
        while not self._closed:
            wake = min(next_heartbeat, self._checked_at + refresh_after)
            await asyncio.sleep(max(0.0, wake - time.monotonic()))
            if self._closed:
                return
            try:
                if time.monotonic() >= self._checked_at + refresh_after:
                    refresh_after = jitter()
                    await self._refresh_access()
                if not self._closed and time.monotonic() >= next_heartbeat:
                    next_heartbeat = time.monotonic() + interval
                    await self._heartbeat()
            except Exception:
                logger.exception("live-queue heartbeat failed for user %s", self.user_id)

    async def _heartbeat(self) -> None:
        """The session check, the presence row's refresh, and the current numbers. (Access is
        re-read on its own, shorter, schedule: ``_run_timer``.)"""
        if not await self._session_alive():
            await self._refresh_access()  # a deactivated user is "revoked" with 4403
            await self._revoke(CLOSE_UNAUTHENTICATED)  # logged out, idle timeout: 4401
            return
        sequences, online, viewers = await _db(self._heartbeat_reads)()
        await self.send_json(
            {"type": "heartbeat", "queues": {str(q): seq for q, seq in sequences.items()}}
        )
        # Presence converges even if a broadcast was lost or a socket died without leaving.
        for queue_id, people in online.items():
            await self._send_presence("queue_id", queue_id, "online", people)
        if viewers is not None:
            await self._send_presence("case_id", self.watching, "viewers", viewers)

    def _heartbeat_reads(self):
        presence.presence_touch(self.channel_name)
        sequences = current_sequences(list(self.queues))
        online = presence.queues_online(list(self.queues))
        viewers = presence.case_viewers(self.watching) if self.watching is not None else None
        return sequences, online, viewers

    # --- the end --------------------------------------------------------------------------------

    async def _cleanup(self) -> None:
        """Leave every group and delete this socket's presence rows (once)."""
        if self._cleaned:
            return
        self._cleaned = True
        self._closed = True
        for task in (self._timer, self._presence_flush):
            if task is not None and task is not asyncio.current_task():
                task.cancel()
        queue_ids = list(self.access.queues) if self.access else []
        watching, self.watching = self.watching, None
        groups = [user_group(self.user_id), *(queue_group(q) for q in queue_ids)]
        if watching is not None:
            groups.append(presence.viewers_group(watching))
        try:
            for group in groups:
                await self.channel_layer.group_discard(group, self.channel_name)
        except LAYER_ERRORS as exc:
            # The channel layer is down (the socket was probably closed because of it): its
            # group memberships expire by themselves (channels-redis' group_expiry). The
            # presence rows are in the database and are deleted all the same.
            logger.warning("live queue: groups not left: %s", _describe(exc))
        online, viewers = await _db(self._leave_rows)(queue_ids, watching)
        try:
            await self._broadcast_queues(online)
            if watching is not None:
                await self._broadcast_viewers(watching, viewers)
        except LAYER_ERRORS as exc:
            logger.warning("live queue: presence after a disconnect not sent: %s", _describe(exc))

    def _leave_rows(self, queue_ids: list[int], watching: int | None):
        presence.presence_leave(self.channel_name)
        online = presence.queues_online(queue_ids)
        viewers = presence.case_viewers(watching) if watching is not None else []
        return online, viewers
