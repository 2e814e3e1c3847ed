"""Close a user's live-queue sockets at once when their access shrinks.

The socket re-checks access on every heartbeat (``LIVE_QUEUE_HEARTBEAT_SECONDS``, 20 s), which
bounds how long a revoked user keeps a socket in every case, including changes made with
``QuerySet.update()`` that send no signal. These receivers make the common cases immediate: a
user deactivated, a queue grant removed from the user or from one of their groups, the user taken
out of a group. Each sends ``access.changed`` to the user's group (``user.<id>``) after the
transaction commits; every socket of that user re-reads its access then (console/consumers/).
"""

from __future__ import annotations

import logging

from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from cases.events import group_send

logger = logging.getLogger(__name__)

ACCESS_CHANGED = "access.changed"


def user_group(user_id: int) -> str:
    """Channel-layer group of every live-queue socket of one user."""
    return f"user.{user_id}"


def notify_access_changed(user_ids) -> None:
    """After commit: tell every socket of these users to re-read its access."""
    user_ids = sorted({int(pk) for pk in user_ids})
    if user_ids:
        transaction.on_commit(lambda: _send(user_ids), robust=True)


def _send(user_ids: list[int]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for user_id in user_ids:
        try:
            group_send(layer, user_group(user_id), {"type": ACCESS_CHANGED})
        except Exception:
            logger.exception("live-queue access change not delivered to user %s", user_id)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="console_user_deactivated")
def _user_saved(sender, instance, created, **kwargs) -> None:
    if not created and not instance.is_active:
        notify_access_changed([instance.pk])


@receiver(post_delete, sender="cases.QueueUserObjectPermission", dispatch_uid="console_queue_uperm")
def _queue_user_grant_removed(sender, instance, **kwargs) -> None:
    notify_access_changed([instance.user_id])


@receiver(
    post_delete, sender="cases.QueueGroupObjectPermission", dispatch_uid="console_queue_gperm"
)
def _queue_group_grant_removed(sender, instance, **kwargs) -> None:
    members = get_user_model().objects.filter(groups=instance.group_id)
    notify_access_changed(members.values_list("pk", flat=True))


@receiver(m2m_changed, sender=get_user_model().groups.through, dispatch_uid="console_groups")
def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action == "post_remove":
        notify_access_changed(pk_set if reverse else [instance.pk])
    elif action == "post_clear" and not reverse:
        notify_access_changed([instance.pk])
