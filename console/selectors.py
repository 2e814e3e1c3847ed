"""The console's reads (convention 10: views and the consumer call these; every row through the
one read path, ``restrict()``):

* the pages' — a user's queues (``queues_of``) and the people of them (``people_of``), the case a
  URL names (``page_case``), the live queue's rows (``queue_rows``, a page after
  ``queue_position``);
* the live-queue socket's — a user's access (``load_access``: the queues they may work), the
  snapshot a socket starts from (``build_snapshot``), the session check and whether a user may
  view a case. Plain functions, run off the event loop by the consumer
  (``console.consumers.live``).

The escalations the pages and the socket list are ``escalations.selectors``'.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user as request_user
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from accounts.permissions import holds
from cases.access import SUPERVISE, VIEW, VIEW_SENSITIVE, WORK, queue_members, queues_for
from cases.access_scope import forget_access
from cases.events import CASE_FIELDS, case_fields, current_sequences
from cases.models import Case, Queue
from cases.workflow import OPEN_STATUSES
from escalations.events import escalation_fields
from escalations.models import RECEIVE, Escalation
from escalations.selectors import recipient_escalations

# The fields a queue row shows: identifiers and workflow state, never patient data.
ROW_FIELDS = (
    "id",
    "reference",
    "queue__name",
    "category__name",
    "category__kind",  # complaints' deadline state on the row (console.views.panels.row_states)
    "status",
    "priority",
    "channel",
    "assigned_to",
    "first_response_due_at",
    "resolution_due_at",
    "first_response_at",
    "resolved_at",
    "sla_paused_at",
    "created_at",
)
PERSON_FIELDS = ("id", "username", "first_name", "last_name")


# --- the pages ------------------------------------------------------------------------------------


def queues_of(user, action: str = WORK) -> QuerySet[Queue]:
    """The queues ``user`` works (``WORK``: work or supervise grants) or supervises, by name, each
    with a ``supervised`` flag, in one query: ``cases.access.queues_for``, the queue half of
    ``restrict()`` (the same queues the live socket subscribes to)."""
    supervised = Exists(queues_for(user, SUPERVISE).filter(pk=OuterRef("pk")))
    return queues_for(user, action).annotate(supervised=supervised).order_by("name", "id")


def people_of(queue_ids: Iterable[int], *, also: Iterable[int] = ()) -> QuerySet[User]:
    """People who work or supervise any of ``queue_ids``, and the users ``also`` names (the
    assignees on a page): one query, names only."""
    condition = queue_members(queue_ids) | Q(pk__in=[pk for pk in also if pk])
    return User.objects.filter(condition, kind=User.Kind.PERSON).only(*PERSON_FIELDS)


def page_case(user, reference: str, action: str) -> Case | None:
    """The case ``reference`` if ``user`` may ``action`` it, with its per-user flags
    (``can_work``, ``can_supervise``) and what the case page shows beside it, in one query; else
    None (the page answers 404)."""
    return (
        Case.objects.restrict(user, action)
        .with_permission_flags(user)
        .select_related("patient", "category", "queue", "assigned_to", "source_organisation")
        .filter(reference=reference)
        .first()
    )


def queue_position(user, case_id: int) -> tuple[int, Any, int] | None:
    """Where the case ``case_id`` stands in the live queue's order (``-priority, created_at,
    id``): the keyset the next page starts after; None if ``user`` may not work it (or it does
    not exist: the same answer). One query."""
    row = (
        Case.objects.restrict(user, WORK)
        .filter(pk=case_id)
        .values_list("priority", "created_at", "id")
        .first()
    )
    return (row[0], row[1], row[2]) if row else None


def queue_rows(
    user,
    queue_ids: list[int],
    filters: dict[str, Any],
    *,
    limit: int,
    after: tuple[int, Any, int] | None = None,
) -> list[Case]:
    """The live queue's rows: the open cases of ``queue_ids`` that ``user`` may work, filtered,
    most urgent and oldest first, identifiers and workflow state only (``ROW_FIELDS``), at most
    ``limit + 1`` (the extra row says there are more); with ``after`` (``queue_position``), only
    the rows that come after it in that order (keyset paging). One query."""
    rows = (
        Case.objects.restrict(user, WORK)
        .open()
        .filter(queue__in=queue_ids, **filters)
        .select_related("queue", "category")
        .only(*ROW_FIELDS)
        .order_by("-priority", "created_at", "id")
    )
    if after is not None:
        priority, created_at, case_id = after
        rows = rows.filter(
            Q(priority__lt=priority)
            | Q(priority=priority, created_at__gt=created_at)
            | Q(priority=priority, created_at=created_at, id__gt=case_id)
        )
    return list(rows[: limit + 1])


# --- the live-queue socket -----------------------------------------------------------------------


def snapshot_limit() -> int:
    return int(getattr(settings, "LIVE_QUEUE_SNAPSHOT_LIMIT", 1000))


@dataclass(frozen=True)
class Access:
    """What a socket's user may do now, read in one go from a fresh user row (so permission
    caches are fresh too)."""

    user: User
    queues: dict[int, str]  # queue id -> name, the queues the user may work
    sees_sensitive: bool


def load_access(user_id: int) -> Access | None:
    """None when the user may not hold a live-queue socket at all (gone, inactive, not a
    person). Five queries: the user, their permissions (2), their access scope, the queues."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.is_active or user.kind != User.Kind.PERSON:
        return None
    queues = dict(queues_for(user, WORK).order_by("name", "pk").values_list("pk", "name"))
    return Access(user=user, queues=queues, sees_sensitive=holds(user, VIEW_SENSITIVE))


def build_snapshot(access: Access) -> dict[str, Any]:
    """The state a socket starts from. The sequence numbers are read *before* the cases and
    escalations, so every change after them arrives as a message with a higher number. Three
    queries (and the cache): the access scope (read again for each message), the cases, the
    escalations."""
    # The socket keeps its user object between messages: its access scope lasts one message.
    forget_access(access.user)
    queue_ids = list(access.queues)
    sequences = current_sequences(queue_ids)
    limit = snapshot_limit()
    rows = list(
        Case.objects.restrict(access.user, WORK)
        .filter(queue_id__in=queue_ids, status__in=OPEN_STATUSES)
        .only(*CASE_FIELDS)
        .order_by("-priority", "created_at", "pk")[: limit + 1]
    )
    # Through the read path's "receive" action, as the queue page: addressed to the user as a
    # recipient, listing fields only (escalation_fields has no SBAR, reason or red flags).
    visible = Escalation.objects.restrict(access.user, RECEIVE)
    escalations = list(recipient_escalations(visible, queue_ids)[: limit + 1])
    now = timezone.now()  # every case's SLA state at one instant
    return {
        "type": "snapshot",
        "user_id": access.user.pk,
        "queues": {
            str(queue_id): {"seq": sequences[queue_id], "name": name}
            for queue_id, name in access.queues.items()
        },
        "cases": [case_fields(case, now) for case in rows[:limit]],
        "truncated": len(rows) > limit,
        "escalations": [escalation_fields(escalation) for escalation in escalations[:limit]],
        "escalations_truncated": len(escalations) > limit,
    }


def session_user_id(session_key: str) -> int | None:
    """The user a stored session (re-read now) logs in, if it still does: it exists, has not
    expired, and its password hash still matches — what Django checks on every request."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    request = HttpRequest()
    request.session = store
    user = request_user(request)
    return user.pk if user.is_authenticated else None


def may_view_case(user: User, case_id: int) -> bool:
    forget_access(user)  # the socket's user object: the scope lasts one message
    return Case.objects.restrict(user, VIEW).filter(pk=case_id).exists()
