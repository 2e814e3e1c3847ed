"""The read side of clinical escalation (convention 10): the querysets the console's pages, the
live-queue socket and the acknowledgement timer build, in one place. Every read on a user's
behalf goes through the one read path (``Escalation.objects.restrict(user, action)``: the
escalations of the cases the user may ``action``, or — ``receive`` — those addressed to a queue
they work); ``recipients`` (who an escalation to a pathway reaches) and ``overdue_escalations``
(the timer's) are system reads that decide who gets access, with no user to restrict them to.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import Permission
from django.db.models import Case as SqlCase
from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from accounts.models import User
from cases.access import VIEW, WORK, queue_members, queues_for
from escalations.choices import EscalationStatus, Urgency
from escalations.events import ESCALATION_FIELDS
from escalations.models import RECEIVE, Escalation, EscalationPathway, EscalationQuerySet

# Most urgent first when ascending: emergent, urgent, routine (the escalation tables' order).
URGENCY_RANK = SqlCase(
    When(urgency=Urgency.EMERGENT, then=Value(0)),
    When(urgency=Urgency.URGENT, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
UNRESOLVED = (EscalationStatus.OPEN, EscalationStatus.ACKNOWLEDGED)
# What the console's pages show of an escalation, read with it.
RELATED = (
    "case",
    "pathway",
    "requested_by",
    "acknowledged_by",
    "resolved_by",
    "cancelled_by",
    "reviewed_by",
    "escalated_from__pathway",
)


def recipients(pathway: EscalationPathway) -> QuerySet[User]:
    """The people an escalation to ``pathway`` reaches: active persons with a support role (the
    model permission ``cases.change_case``, directly or by group; being a superuser is not a
    role: issue 17) who are members of its recipient queue (``work_queue`` or
    ``supervise_queue``, directly or by group). One query."""
    member = queue_members([pathway.recipient_queue_id])
    change_case = Q(content_type__app_label="cases", codename="change_case")
    has_role = Exists(Permission.objects.filter(change_case, user=OuterRef("pk"))) | Exists(
        Permission.objects.filter(change_case, group__user=OuterRef("pk"))
    )
    return (
        User.objects.filter(is_active=True, kind=User.Kind.PERSON)
        .filter(member)
        .filter(has_role)
        .order_by("pk")
    )


def is_recipient(user, pathway: EscalationPathway) -> bool:
    return queues_for(user, WORK).filter(pk=pathway.recipient_queue_id).exists()


def recipient_flag(user):
    """``addressed_to_me``: the pathway's recipient queue is one the user works — exactly
    ``escalations.services.is_recipient``, as an expression of the same query (no query per
    row)."""
    queues = queues_for(user, WORK)
    if queues.query.is_empty():
        return Value(False)
    return Exists(queues.filter(pk=OuterRef("pathway__recipient_queue_id")))


def visible_escalations(user, action: str = VIEW) -> EscalationQuerySet:
    """The escalations of the cases ``user`` may ``action`` (the read path), with what the pages
    show of them and the ``addressed_to_me`` flag."""
    return (
        Escalation.objects.restrict(user, action)
        .select_related(*RELATED)
        .annotate(addressed_to_me=recipient_flag(user))
    )


def escalation_for(user, pk: int, *, addressed: bool = False) -> Escalation | None:
    """The escalation ``pk`` if ``user`` may see it, or — ``addressed`` — if it is addressed to
    them as a recipient (acknowledging one whose case they cannot see yet gives them access to
    it); else None (the page answers 404)."""
    found = visible_escalations(user).filter(pk=pk).first()
    if found is None and addressed:
        found = visible_escalations(user, RECEIVE).filter(pk=pk).first()
    return found


def addressed_to(user) -> QuerySet[Escalation]:
    """The unresolved escalations addressed to ``user`` (``restrict(user, "receive")``, also
    before they can see the case), most urgent and oldest first: the recipients' view."""
    return (
        visible_escalations(user, RECEIVE).unresolved().order_by(URGENCY_RANK, "requested_at", "pk")
    )


def awaiting_review(user, action: str) -> QuerySet[Escalation]:
    """The resolved escalations not yet reviewed among those ``user`` may ``action``, oldest
    resolution first: the supervisors' review list."""
    return (
        visible_escalations(user, action)
        .filter(status=EscalationStatus.RESOLVED, reviewed_at__isnull=True)
        .order_by("resolved_at", "pk")
    )


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


def overdue_escalations(now: datetime) -> QuerySet[Escalation]:
    """Unacknowledged escalations past their target that the sweep has not handled (the timer's
    system read)."""
    return Escalation.objects.filter(
        status=EscalationStatus.OPEN, overdue_at__isnull=True, acknowledgement_due_at__lte=now
    ).order_by("acknowledgement_due_at", "pk")
