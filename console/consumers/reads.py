"""The live-queue socket's database reads: a user's access (the queues they may work), the
snapshot a socket starts from, the escalations addressed to a user's queues (shared with the queue
page), the session check and whether a user may view a case. Plain functions, run off the event
loop by the consumer (``console.consumers.live``)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user as request_user
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, QuerySet, Value, When
from django.utils import timezone

from accounts.models import User
from cases.access import VIEW, VIEW_SENSITIVE, WORK, queues_for
from cases.events import CASE_FIELDS, case_fields, current_sequences
from cases.models import Case
from cases.workflow import OPEN_STATUSES
from escalations.choices import EscalationStatus, Urgency
from escalations.events import ESCALATION_FIELDS, escalation_fields
from escalations.models import RECEIVE, Escalation

# Most urgent first: the order of the escalations table (the snapshot, the queue page).
URGENCY_RANK = SqlCase(
    When(urgency=Urgency.EMERGENT, then=Value(0)),
    When(urgency=Urgency.URGENT, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
UNRESOLVED = (EscalationStatus.OPEN, EscalationStatus.ACKNOWLEDGED)


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
    person). Four queries (one for a superuser)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.is_active or user.kind != User.Kind.PERSON:
        return None
    queues = dict(queues_for(user, WORK).order_by("name", "pk").values_list("pk", "name"))
    return Access(user=user, queues=queues, sees_sensitive=user.has_perm(VIEW_SENSITIVE))


def recipient_escalations(queryset: QuerySet[Escalation], queue_ids) -> QuerySet[Escalation]:
    """The unresolved escalations of ``queryset`` addressed to ``queue_ids`` (their pathways'
    recipient queue), with what ``escalation_fields`` reads, most urgent first (emergent, urgent,
    routine), then oldest: the live queue's "Escalations for you"."""
    return (
        queryset.filter(pathway__recipient_queue_id__in=queue_ids, status__in=UNRESOLVED)
        .select_related("case", "pathway")
        .only(*ESCALATION_FIELDS)
        .order_by(URGENCY_RANK, "requested_at", "pk")
    )


def build_snapshot(access: Access) -> dict[str, Any]:
    """The state a socket starts from. The sequence numbers are read *before* the cases and
    escalations, so every change after them arrives as a message with a higher number. Two
    queries (and the cache): the cases, the escalations."""
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
    user = request_user(SimpleNamespace(session=store))
    return user.pk if user.is_authenticated else None


def may_view_case(user: User, case_id: int) -> bool:
    return Case.objects.restrict(user, VIEW).filter(pk=case_id).exists()
