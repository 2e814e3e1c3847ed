"""The supervisor's views: supervised queues and the workload per agent; the escalations waiting
for a review and the escalation accuracy per pathway."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.models import User
from cases.access import SUPERVISE, VIEW
from cases.choices import Priority
from cases.models import (
    SUPERVISE_QUEUE,
    WORK_QUEUE,
    Case,
    QueueGroupObjectPermission,
    QueueUserObjectPermission,
)
from console.forms import AccuracyPeriodForm
from console.views.common import (
    PERSON_FIELDS,
    SOCKET_PATH,
    console_page,
    live_grace_seconds,
    queues_of,
    render_page,
)
from console.views.panels import REVIEW_PERMISSION, alerts_context, escalation_rows
from escalations.metrics import accuracy_by_pathway
from escalations.models import Escalation
from escalations.selectors import awaiting_review

# --- the supervisor's view ------------------------------------------------------------------------


@console_page
@require_safe
def supervisor(request):
    """Every supervised queue: open, unassigned and overdue cases, and the open cases per agent
    (one aggregate query over the queues; members and names in one query each)."""
    user = request.user
    queues = list(queues_of(user, SUPERVISE))
    if not queues:
        raise Http404("No such page.")
    queue_ids = [queue.pk for queue in queues]
    overdue = Q(first_response_breached=True) | Q(resolution_breached=True)
    workload = list(
        Case.objects.restrict(user, SUPERVISE)
        .open()
        .filter(queue_id__in=queue_ids)
        .with_sla_state()
        .values("queue_id", "assigned_to_id")
        .annotate(
            open=Count("pk"),
            urgent=Count("pk", filter=Q(priority__gte=Priority.HIGH)),
            overdue=Count("pk", filter=overdue),
        )
        .order_by()
    )
    members: dict[int, set[int]] = defaultdict(set)
    codenames = [WORK_QUEUE, SUPERVISE_QUEUE]
    for queue_id, person in QueueUserObjectPermission.objects.filter(
        content_object_id__in=queue_ids, permission__codename__in=codenames
    ).values_list("content_object_id", "user_id"):
        members[queue_id].add(person)
    for queue_id, person in QueueGroupObjectPermission.objects.filter(
        content_object_id__in=queue_ids, permission__codename__in=codenames
    ).values_list("content_object_id", "group__user"):
        if person is not None:
            members[queue_id].add(person)
    everyone = {p for ids in members.values() for p in ids} | {
        row["assigned_to_id"] for row in workload if row["assigned_to_id"]
    }
    people = {
        person.pk: person
        for person in User.objects.filter(pk__in=everyone, kind=User.Kind.PERSON).only(
            *PERSON_FIELDS, "is_active"
        )
    }
    summaries = []
    for queue_ in queues:
        rows = [row for row in workload if row["queue_id"] == queue_.pk]
        by_agent = {row["assigned_to_id"]: row for row in rows if row["assigned_to_id"]}
        agents = []
        for pk in sorted(
            members[queue_.pk] | set(by_agent),
            key=lambda pk: people[pk].display_name.casefold() if pk in people else "",
        ):
            if pk not in people:
                continue
            if pk not in by_agent and not people[pk].is_active:
                continue
            row = by_agent.get(pk, {"open": 0, "urgent": 0, "overdue": 0})
            agents.append({"person": people[pk], **row})
        unassigned = next((row for row in rows if row["assigned_to_id"] is None), None)
        summaries.append(
            {
                "queue": queue_,
                "open": sum(row["open"] for row in rows),
                "overdue": sum(row["overdue"] for row in rows),
                "unassigned": unassigned["open"] if unassigned else 0,
                "agents": agents,
            }
        )
    config = {
        "page": "supervisor",
        "me": user.pk,
        "socket_path": SOCKET_PATH,
        "live_grace_seconds": live_grace_seconds(),
        "queues": {str(queue_.pk): queue_.name for queue_ in queues},
        "urls": {"complaint_alerts": reverse("console:complaint-alerts")},
    }
    return render_page(
        request,
        "console/supervisor.html",
        {
            "title": "Supervisor",
            "summaries": summaries,
            "config": config,
            "supervises": True,
            **alerts_context(user),
        },
    )


# --- the escalation review ----------------------------------------------------------------------

REVIEW_LIMIT = 200


def review_action(user) -> str | None:
    """How ``user`` reaches the escalations they review (``escalations.services.may_review``):
    holders of the review permission every escalation they may see (``view``), supervisors
    those of the cases of the queues they supervise (``supervise``). None: nothing to review
    (the page is a 404)."""
    if user.has_perm(REVIEW_PERMISSION):
        return VIEW
    if queues_of(user, SUPERVISE).exists():
        return SUPERVISE
    return None


def review_response(
    request, *, bound: dict | None = None, refusal: str = "", status: int = 200
) -> HttpResponse:
    """Resolved escalations waiting for a review, oldest first, with the review form; and the
    escalation accuracy per pathway over the same escalations (``escalations.metrics``)."""
    user = request.user
    action = review_action(user)
    if action is None:
        raise Http404("No such page.")
    period = AccuracyPeriodForm(request.GET or None)
    since = None
    if period.is_bound:
        if not period.is_valid():
            refusal = refusal or "Choose one of the periods offered."
            status = 400
        elif period.cleaned_data["days"]:
            since = timezone.now() - timedelta(days=period.cleaned_data["days"])
    waiting = list(awaiting_review(user, action)[: REVIEW_LIMIT + 1])
    context = {
        "title": "Escalation review",
        "rows": escalation_rows(user, waiting[:REVIEW_LIMIT], reviewer=True, bound=bound or {}),
        "truncated": len(waiting) > REVIEW_LIMIT,
        "limit": REVIEW_LIMIT,
        "accuracy": accuracy_by_pathway(Escalation.objects.restrict(user, action), since=since),
        "period": period if period.is_bound else AccuracyPeriodForm(),
        "refusal": refusal,
        "supervises": True,
    }
    return render_page(request, "console/_escalation_review.html", context, status=status)


@console_page
@require_safe
def escalation_review_page(request):
    return review_response(request)
