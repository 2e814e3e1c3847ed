"""Presence: who has the live queue open, per queue, and who is looking at which case.

One row per socket (its channel-layer ``channel_name``) and per thing it is present at: each queue
the socket is subscribed to, and the one case its page watches. Rows live in the database so that
every ASGI process, on every host, sees the same answer without keeping state in memory. A socket
deletes its rows when it closes; a process that dies cannot, so every socket refreshes
``last_seen`` on its heartbeat and a row not refreshed for ``presence.STALE_AFTER_HEARTBEATS``
heartbeats counts as gone (and is deleted by the next socket that connects).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Presence(models.Model):
    channel_name = models.CharField(max_length=100)  # Channels' own limit for names
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    queue = models.ForeignKey(
        "cases.Queue", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    connected_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "presence"
        verbose_name_plural = "presence"
        constraints = [
            models.CheckConstraint(
                condition=(Q(queue__isnull=False) & Q(case__isnull=True))
                | (Q(queue__isnull=True) & Q(case__isnull=False)),
                name="presence_queue_xor_case",
            ),
            models.UniqueConstraint(
                fields=["channel_name", "queue"],
                condition=Q(queue__isnull=False),
                name="presence_one_row_per_socket_queue",
            ),
            models.UniqueConstraint(
                fields=["channel_name"],
                condition=Q(case__isnull=False),
                name="presence_one_case_per_socket",
            ),
        ]
        indexes = [
            models.Index(fields=["queue", "last_seen"], name="presence_queue_idx"),
            models.Index(fields=["case", "last_seen"], name="presence_case_idx"),
            models.Index(fields=["channel_name"], name="presence_channel_idx"),
            models.Index(fields=["last_seen"], name="presence_last_seen_idx"),
        ]

    def __str__(self) -> str:
        where = f"queue {self.queue_id}" if self.queue_id else f"case {self.case_id}"
        return f"user {self.user_id} at {where}"


# The receivers that close a user's sockets at once when their access shrinks
# (console/signals.py); connected as the app's models load.
from console import signals  # noqa: E402, F401
