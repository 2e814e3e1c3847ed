"""The live queue (with the escalations addressed to the user's queues), "my cases", a single
queue row (for live.js) and claim next."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from cases import services
from cases.access import WORK
from cases.models import Case
from cases.sla_state import duration_words
from console.forms import ClaimNextForm, QueueFilterForm
from console.selectors import queue_position, queue_rows
from console.sla_cells import LocalTimes
from console.views.common import (
    ESCALATION_LIMIT,
    MINE_LIMIT,
    PERSON_FIELDS,
    ROW_FIELDS,
    console_page,
    live_config,
    names_for,
    nav_context,
    people_of,
    prepare_rows,
    queue_page_size,
    queues_of,
    refusal_status,
    refusal_text,
    render_page,
)
from console.views.panels import alerts_context, row_states
from escalations.choices import EscalationStatus, Urgency
from escalations.models import RECEIVE, Escalation
from escalations.selectors import recipient_escalations

# --- the live queue and my cases -----------------------------------------------------------------


def acknowledgement_state(escalation: Escalation, now) -> tuple[str, str]:
    """The acknowledgement cell of an escalation row: (state, words), as live.js recomputes it
    every second (``ackState``): acknowledged, overdue (the target passed, or the timer sweep
    marked it), due."""
    if escalation.status != EscalationStatus.OPEN:
        return "met", "Acknowledged"
    left = (escalation.acknowledgement_due_at - now).total_seconds()
    if escalation.overdue_at is not None or left < 0:
        return "overdue", f"Not acknowledged: overdue by {duration_words(min(left, 0))}"
    return "soon", f"Acknowledge within {duration_words(left)}"


def escalations_for(user, queues) -> list[Escalation]:
    """The unresolved escalations addressed to ``queues`` (the user's), through the read path's
    ``receive`` action (listing fields only), most urgent first, at most ``ESCALATION_LIMIT``; each
    with its acknowledgement state and its times as the table shows them."""
    rows = list(
        recipient_escalations(
            Escalation.objects.restrict(user, RECEIVE), [queue.pk for queue in queues]
        )[:ESCALATION_LIMIT]
    )
    now = timezone.now()
    times = LocalTimes()  # each distinct time formatted once for the page (issue 18)
    for escalation in rows:
        escalation.ack_state, escalation.ack_label = acknowledgement_state(escalation, now)
        escalation.requested_iso = times(escalation.requested_at)[0]
        escalation.due_iso, escalation.due_text = times(escalation.acknowledgement_due_at)
        escalation.overdue_iso = times(escalation.overdue_at)[0]
    return rows


def queue_response(request, *, refusal: str = "", status: int = 200) -> HttpResponse:
    """The live queue: one page of ``queue_page_size()`` rows, the first or the one after the case
    ``?after=`` names (keyset: where that case stands now); a case the user may not work, or that
    does not exist, starts the list again at the top and says so."""
    user = request.user
    queues = list(queues_of(user))
    form = QueueFilterForm(request.GET or None, queues=queues)
    if form.is_bound and not form.is_valid():
        status = 400
    filters = form.filters()
    after_id = form.after_id()
    position = queue_position(user, after_id) if after_id is not None else None
    restarted = after_id is not None and position is None
    size = queue_page_size()
    cases = queue_rows(user, [q.pk for q in queues], filters, limit=size, after=position)
    more = len(cases) > size
    cases = cases[:size]
    names = names_for(
        user, people_of([q.pk for q in queues], also={c.assigned_to_id for c in cases})
    )
    escalations = escalations_for(user, queues)
    config = live_config(
        request,
        page="queue",
        queues=queues,
        names=names,
        filters={
            "queue": filters.get("queue_id"),
            "status": filters.get("status"),
            "priority": filters.get("priority"),
        },
        # A later page keeps the rows it shows current and adds none (live.js); "More cases"
        # asks for the page after the table's last row, with these filters.
        after=position[2] if position else None,
        list_query=first_query(request),
        escalation_labels={
            "urgencies": dict(Urgency.choices),
            "statuses": dict(EscalationStatus.choices),
        },
    )
    return render_page(
        request,
        "console/queue.html",
        {
            "title": "Live queue",
            "is_queue": True,
            "form": form,
            "claim_next_form": ClaimNextForm(
                initial={"queue": filters.get("queue_id")}, queues=queues, auto_id="id_next_%s"
            ),
            "cases": row_states(user, prepare_rows(cases, names)),
            "more": more,
            "more_query": more_query(request, cases[-1].pk) if more else "",
            "first_query": first_query(request),
            "paged": position is not None,
            "restarted": restarted,
            "escalations": escalations,
            **alerts_context(user),
            "queues": queues,
            "refusal": refusal,
            "config": config,
            **nav_context(queues),
        },
        status=status,
    )


def more_query(request, last_id: int) -> str:
    """The query string of the next page: the page's filters, after its last row."""
    query = request.GET.copy()
    query["after"] = str(last_id)
    return query.urlencode()


def first_query(request) -> str:
    """The query string of the first page with the same filters."""
    query = request.GET.copy()
    query.pop("after", None)
    return query.urlencode()


@console_page
@require_safe
def queue(request):
    return queue_response(request)


@console_page
@require_safe
def mine(request):
    user = request.user
    queues = list(queues_of(user))
    cases = list(
        Case.objects.restrict(user, WORK)
        .open()
        .filter(assigned_to=user)
        .select_related("queue", "category")
        .only(*ROW_FIELDS)
        .order_by("-priority", "created_at", "id")
    )
    names = names_for(user, [])
    config = live_config(
        request,
        page="mine",
        queues=queues,
        names=names,
        filters={"assigned_to": user.pk},
        limit=MINE_LIMIT,
    )
    return render_page(
        request,
        "console/mine.html",
        {
            "title": "My cases",
            "cases": row_states(user, prepare_rows(cases, names)),
            "config": config,
        }
        | nav_context(queues),
    )


@console_page
@require_safe
def case_row(request, reference: str):
    """One queue row as HTML, for live.js when an event names someone it has no name for."""
    user = request.user
    try:
        case = (
            Case.objects.restrict(user, WORK)
            .select_related("queue", "category", "assigned_to")
            .only(*ROW_FIELDS, *(f"assigned_to__{name}" for name in PERSON_FIELDS))
            .get(reference=reference)
        )
    except Case.DoesNotExist as exc:
        raise Http404("No such case.") from exc
    names = names_for(user, [case.assigned_to] if case.assigned_to else [])
    return render(
        request,
        "console/_case_row.html",
        {"case": row_states(user, prepare_rows([case], names))[0], "show_claim": True},
    )


@console_page
@require_POST
def claim_next(request):
    user = request.user
    form = ClaimNextForm(request.POST, queues=queues_of(user))
    if not form.is_valid():
        return queue_response(request, refusal="Choose one of your queues.", status=400)
    try:
        case = services.case_claim_next(actor=user, queue=form.cleaned_data["queue"])
    except ValidationError as error:
        return queue_response(request, refusal=refusal_text(error), status=refusal_status(error))
    if case is None:
        messages.info(request, "No unassigned case is waiting: there is nothing to claim.")
        query = request.GET.urlencode()
        return redirect(reverse("console:queue") + (f"?{query}" if query else ""))
    messages.success(request, f"You claimed case {case.reference}.")
    return redirect("console:case", reference=case.reference)
