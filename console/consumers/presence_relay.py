"""The live-queue consumer's presence half (a mixin of ``LiveQueueConsumer``): who is online in
a queue and who is viewing a case — joining and leaving the presence rows (console/presence.py),
broadcasting the lists to the queue's or case's group, forwarding them to the browser throttled to
one per ``LIVE_QUEUE_PRESENCE_SECONDS`` and only when changed, and watching or unwatching a case."""

from __future__ import annotations

import asyncio

from django.conf import settings

from cases.events import queue_group
from console import presence
from console.consumers._common import PRESENCE_UPDATE, _db
from console.selectors import may_view_case


def presence_seconds() -> float:
    return float(getattr(settings, "LIVE_QUEUE_PRESENCE_SECONDS", 1))


class PresenceRelay:
    """Presence for ``LiveQueueConsumer``, whose ``connect`` sets the state used here
    (``queues``, ``watching``, ``access``, ``_closed``, ``_presence_*``)."""

    async def presence_update(self, message: dict) -> None:
        """A presence list of a queue or case: forwarded at most once per
        ``LIVE_QUEUE_PRESENCE_SECONDS`` per queue or case, the latest list winning. When a whole
        team connects at the start of a shift, each arrival changes a list every socket gets:
        without this, n arrivals cost every socket n lists of up to n names."""
        if self._closed:
            return
        if "queue_id" in message:
            item = ("queue_id", message["queue_id"], "online", message["online"])
        else:
            item = ("case_id", message["case_id"], "viewers", message["viewers"])
        self._presence_pending[f"{item[0]}:{item[1]}"] = item
        if self._presence_flush is None:
            self._presence_flush = asyncio.create_task(self._flush_presence())

    async def _flush_presence(self) -> None:
        try:
            await asyncio.sleep(presence_seconds())
            pending, self._presence_pending = self._presence_pending, {}
            for key, value, field, people in pending.values():
                if self._closed:
                    return
                if (key == "queue_id" and value in self.queues) or (
                    key == "case_id" and value == self.watching
                ):
                    await self._send_presence(key, value, field, people)
        finally:
            self._presence_flush = None

    # --- presence ---------------------------------------------------------------------------------

    def _join_presence(self, queue_ids: list[int]) -> dict[int, list[dict]]:
        presence.expire_stale()
        presence.presence_join(self.channel_name, self.user_id, queue_ids)
        return presence.queues_online(queue_ids)

    def _move_presence(self, lost: list[int], gained: list[int]) -> dict[int, list[dict]]:
        presence.presence_leave_queues(self.channel_name, lost)
        presence.presence_join(self.channel_name, self.user_id, gained)
        return presence.queues_online([*lost, *gained])

    async def _broadcast_queues(self, online: dict[int, list[dict]]) -> None:
        for queue_id, people in online.items():
            await self.channel_layer.group_send(
                queue_group(queue_id),
                {"type": PRESENCE_UPDATE, "queue_id": queue_id, "online": people},
            )

    async def _broadcast_viewers(self, case_id: int, viewers: list[dict]) -> None:
        await self.channel_layer.group_send(
            presence.viewers_group(case_id),
            {"type": PRESENCE_UPDATE, "case_id": case_id, "viewers": viewers},
        )

    async def _send_presence(self, key: str, value: int, field: str, people: list) -> None:
        """Forward a presence list unless this socket already sent the same one."""
        memo = f"{key}:{value}"
        if self._presence_sent.get(memo) == people:
            return
        self._presence_sent[memo] = people
        await self.send_json({"type": "presence", key: value, field: people})

    async def _watch(self, case_id) -> None:
        if not isinstance(case_id, int) or isinstance(case_id, bool):
            await self.send_json({"type": "error", "code": "bad_message"})
            return
        allowed = await _db(may_view_case)(self.access.user, case_id)
        if not allowed:  # what one may not see does not exist: the same answer as a 404
            await self.send_json({"type": "error", "code": "not_found", "case_id": case_id})
            return
        previous = self.watching
        if previous != case_id:
            if previous is not None:
                await self._leave_viewers(previous)
            await self.channel_layer.group_add(presence.viewers_group(case_id), self.channel_name)
        self.watching = case_id
        viewers = await _db(self._watch_rows)(case_id)
        await self._broadcast_viewers(case_id, viewers)

    def _watch_rows(self, case_id: int) -> list[dict]:
        presence.presence_watch(self.channel_name, self.user_id, case_id)
        return presence.case_viewers(case_id)

    async def _unwatch(self) -> None:
        if self.watching is not None:
            previous, self.watching = self.watching, None
            await _db(presence.presence_unwatch)(self.channel_name)
            await self._leave_viewers(previous)

    async def _leave_viewers(self, case_id: int) -> None:
        await self.channel_layer.group_discard(presence.viewers_group(case_id), self.channel_name)
        self._presence_sent.pop(f"case_id:{case_id}", None)
        viewers = await _db(presence.case_viewers)(case_id)
        await self._broadcast_viewers(case_id, viewers)
