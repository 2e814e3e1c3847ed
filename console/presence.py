"""Presence on the live queue: who is online per queue, who is viewing a case.

The consumer (console/consumers/) calls these functions from its worker thread
(``database_sync_to_async``); each is one or two queries. Rows are described in
``console.models.Presence``. Staff names are not PHI; nothing here touches patient data.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from console.models import Presence

if TYPE_CHECKING:
    from collections.abc import Iterable

# A row not refreshed for this many heartbeats belongs to a socket that is gone.
STALE_AFTER_HEARTBEATS = 3


def heartbeat_seconds() -> float:
    return float(getattr(settings, "LIVE_QUEUE_HEARTBEAT_SECONDS", 20))


def stale_before(now=None):
    now = now or timezone.now()
    return now - timedelta(seconds=STALE_AFTER_HEARTBEATS * heartbeat_seconds())


def viewers_group(case_id: int) -> str:
    """Channel-layer group of the sockets watching one case."""
    return f"viewers.{case_id}"


def presence_join(channel_name: str, user_id: int, queue_ids: Iterable[int]) -> None:
    now = timezone.now()
    Presence.objects.bulk_create(
        [
            Presence(
                channel_name=channel_name,
                user_id=user_id,
                queue_id=queue_id,
                connected_at=now,
                last_seen=now,
            )
            for queue_id in queue_ids
        ],
        ignore_conflicts=True,
    )


def presence_leave_queues(channel_name: str, queue_ids: Iterable[int]) -> None:
    Presence.objects.filter(channel_name=channel_name, queue_id__in=list(queue_ids)).delete()


def presence_leave(channel_name: str) -> None:
    """The socket closed: every row of it goes."""
    Presence.objects.filter(channel_name=channel_name).delete()


def presence_watch(channel_name: str, user_id: int, case_id: int) -> None:
    """The socket's page shows ``case_id`` (replacing what it watched before)."""
    now = timezone.now()
    Presence.objects.update_or_create(
        channel_name=channel_name,
        case__isnull=False,
        defaults={"case_id": case_id, "user_id": user_id, "last_seen": now},
        create_defaults={
            "case_id": case_id,
            "user_id": user_id,
            "connected_at": now,
            "last_seen": now,
        },
    )


def presence_unwatch(channel_name: str) -> None:
    Presence.objects.filter(channel_name=channel_name, case__isnull=False).delete()


def presence_touch(channel_name: str) -> None:
    """The socket is alive (its heartbeat)."""
    Presence.objects.filter(channel_name=channel_name).update(last_seen=timezone.now())


def expire_stale(now=None) -> int:
    """Delete the rows of sockets that stopped heart-beating (a process that died)."""
    deleted, _ = Presence.objects.filter(last_seen__lt=stale_before(now)).delete()
    return deleted


def _person(row: dict) -> dict:
    name = f"{row['user__first_name']} {row['user__last_name']}".strip()
    return {"id": row["user_id"], "name": name or row["user__username"]}


def _present(filter_q: Q, key: str) -> dict[int, list[dict]]:
    rows = (
        Presence.objects.filter(filter_q, last_seen__gte=stale_before())
        .values(key, "user_id", "user__first_name", "user__last_name", "user__username")
        .distinct()
        .order_by(key, "user__first_name", "user__last_name", "user_id")
    )
    found: dict[int, list[dict]] = {}
    for row in rows:
        found.setdefault(row[key], []).append(_person(row))
    return found


def queues_online(queue_ids: Iterable[int]) -> dict[int, list[dict]]:
    """For each queue, the users with a live socket subscribed to it: ``[{"id", "name"}]``."""
    queue_ids = list(queue_ids)
    found = _present(Q(queue_id__in=queue_ids), "queue_id")
    return {queue_id: found.get(queue_id, []) for queue_id in queue_ids}


def case_viewers(case_id: int) -> list[dict]:
    """The users whose page shows ``case_id``: ``[{"id", "name"}]``."""
    return _present(Q(case_id=case_id), "case_id").get(case_id, [])
