"""A person's access, resolved once per request: the queues they work and supervise, their case
grants and their role flags (docs/architecture/access.md, "The access scope").

``access_scope(user)`` reads the queue grants (the user's own and their groups') and the case
grants in ONE query and caches the answer on the user object, like Django's permission cache: a
user object lives for one request in a view, and for one message in the live-queue socket
(``console.selectors`` calls ``forget_access`` before each read). ``cases.access`` turns the
scope into flat filters (``queue_id IN (…)``, ``assigned_to_id = …``, ``id IN (…)``) that
PostgreSQL plans in well under a millisecond.

When the cached scope is dropped — the one rule: **any change of a grant or of a group
membership in this process makes every cached scope stale**:

* ``post_save`` / ``post_delete`` of ``QueueUserObjectPermission``, ``QueueGroupObjectPermission``
  and ``CaseUserObjectPermission`` (break-the-glass, escalation grants and their renewal and
  revocation, the Queue admin's members) and ``m2m_changed`` of a user's groups (the user admin,
  role changes) bump a process-wide generation; a scope of an older generation is read again.
* A transaction that changed grants may end in a rollback: the first scope looked up after it
  (outside any transaction) bumps the generation again, so nothing read inside it survives.
* Code that changes grants without signals (``QuerySet.update()``, ``bulk_create``) calls
  ``forget_access()`` (no argument: every scope; with a user: that object's).

Case grants carry their expiry: ``granted(action)`` keeps those unexpired *now*, at each query,
as the EXISTS subquery did.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import DateTimeField, Value
from django.db.models.functions import Cast
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from accounts.permissions import holds
from cases.models import (
    SUPERVISE_QUEUE,
    WORK_QUEUE,
    CaseUserObjectPermission,
    QueueGroupObjectPermission,
    QueueUserObjectPermission,
)

VIEW_ALL_CASES = "cases.view_all_cases"
VIEW_SENSITIVE = "cases.view_sensitive"
ADD_CASE = "cases.add_case"
VIEW_CASE = "cases.view_case"
CHANGE_CASE = "cases.change_case"

VIEW_GRANT, CHANGE_GRANT = "view_case", "change_case"

_CACHE = "_access_scope_cache"
_counter = itertools.count(1)
_generation = next(_counter)
_local = threading.local()  # .pending: grants changed inside a transaction not yet ended


@dataclass(frozen=True)
class AccessScope:
    """What one person may reach, as ids. ``work_queue_ids``: queues with a ``work_queue`` or
    ``supervise_queue`` grant (to them or a group of theirs); ``supervise_queue_ids``: with
    ``supervise_queue``; ``grants``: (case id, ``view_case``/``change_case``, expires at) of
    their case grants unexpired when read."""

    user_id: int
    generation: int
    view_all_cases: bool
    view_sensitive: bool
    view_case: bool
    change_case: bool
    add_case: bool
    work_queue_ids: tuple[int, ...] = ()
    supervise_queue_ids: tuple[int, ...] = ()
    grants: tuple[tuple[int, str, datetime], ...] = field(default=())

    def queue_ids(self, supervise: bool) -> list[int]:
        return list(self.supervise_queue_ids if supervise else self.work_queue_ids)

    def granted(self, *, work: bool, now: datetime | None = None) -> list[int]:
        """Case ids granted to the person and unexpired at ``now``: ``change_case`` grants to
        work, either kind to view."""
        now = now or timezone.now()
        codenames = (CHANGE_GRANT,) if work else (VIEW_GRANT, CHANGE_GRANT)
        return sorted(
            {
                case_id
                for case_id, codename, expires in self.grants
                if codename in codenames and expires > now
            }
        )


def access_scope(user) -> AccessScope:
    """The scope of an active person (the caller checked), cached on ``user``. Role flags come
    from ``holds`` (its own cache); the grants are one query, made only when the person holds a
    support role (``view_case`` or ``change_case``) — without one, grants reach nothing."""
    _settle()
    cached = getattr(user, _CACHE, None)
    if cached is not None and cached.generation == _generation and cached.user_id == user.pk:
        return cached
    generation = _generation
    flags = {
        "view_all_cases": holds(user, VIEW_ALL_CASES),
        "view_sensitive": holds(user, VIEW_SENSITIVE),
        "view_case": holds(user, VIEW_CASE),
        "change_case": holds(user, CHANGE_CASE),
        "add_case": holds(user, ADD_CASE),
    }
    work: set[int] = set()
    supervise: set[int] = set()
    grants: list[tuple[int, str, datetime]] = []
    if flags["view_case"] or flags["change_case"]:
        for object_id, codename, expires in _grant_rows(user.pk, timezone.now()):
            if codename in (WORK_QUEUE, SUPERVISE_QUEUE):
                work.add(object_id)
                if codename == SUPERVISE_QUEUE:
                    supervise.add(object_id)
            else:
                grants.append((object_id, codename, expires))
    scope = AccessScope(
        user_id=user.pk,
        generation=generation,
        work_queue_ids=tuple(sorted(work)),
        supervise_queue_ids=tuple(sorted(supervise)),
        grants=tuple(sorted(grants)),
        **flags,
    )
    setattr(user, _CACHE, scope)
    return scope


def _grant_rows(user_id: int, now: datetime):
    """(object id, codename, expires at) of every queue grant of the user and their groups and
    every case grant of the user unexpired at ``now``: one UNION ALL query."""
    queue_codenames = [WORK_QUEUE, SUPERVISE_QUEUE]
    no_expiry = Cast(Value(None), DateTimeField())
    direct = (
        QueueUserObjectPermission.objects.filter(
            user_id=user_id, permission__codename__in=queue_codenames
        )
        .annotate(expires=no_expiry)
        .values_list("content_object_id", "permission__codename", "expires")
    )
    by_group = (
        QueueGroupObjectPermission.objects.filter(
            group__user=user_id, permission__codename__in=queue_codenames
        )
        .annotate(expires=no_expiry)
        .values_list("content_object_id", "permission__codename", "expires")
    )
    cases = CaseUserObjectPermission.objects.filter(
        user_id=user_id,
        expires_at__gt=now,
        permission__codename__in=[VIEW_GRANT, CHANGE_GRANT],
    ).values_list("content_object_id", "permission__codename", "expires_at")
    return direct.union(by_group, cases, all=True)


def forget_access(user=None) -> None:
    """Drop cached scopes: ``user``'s (that object's), or with no argument every scope in this
    process. For code that changes grants or groups without model signals."""
    global _generation
    if user is None:
        _generation = next(_counter)
    elif hasattr(user, _CACHE):
        delattr(user, _CACHE)


def _settle() -> None:
    """After a transaction that changed grants has ended (committed or rolled back), scopes read
    inside it are dropped once."""
    if getattr(_local, "pending", False) and transaction.get_autocommit():
        _local.pending = False
        forget_access()


def _changed(**kwargs) -> None:
    forget_access()
    if not transaction.get_autocommit():
        _local.pending = True


@receiver(post_save, sender=QueueUserObjectPermission, dispatch_uid="access_scope_quser_save")
@receiver(post_delete, sender=QueueUserObjectPermission, dispatch_uid="access_scope_quser_del")
@receiver(post_save, sender=QueueGroupObjectPermission, dispatch_uid="access_scope_qgroup_save")
@receiver(post_delete, sender=QueueGroupObjectPermission, dispatch_uid="access_scope_qgroup_del")
@receiver(post_save, sender=CaseUserObjectPermission, dispatch_uid="access_scope_case_save")
@receiver(post_delete, sender=CaseUserObjectPermission, dispatch_uid="access_scope_case_del")
def _grant_changed(sender, **kwargs) -> None:
    _changed()


@receiver(m2m_changed, sender=get_user_model().groups.through, dispatch_uid="access_scope_groups")
def _groups_changed(sender, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        _changed()
