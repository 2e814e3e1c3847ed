"""The case page and its actions: one service call each, POST-redirect-GET; a refusal shows the
page again with the reason and a 4xx. The page's escalation, change and complaint parts are read by
``console.views.panels``; their actions (``escalations``, ``changes``, ``complaints``) sit above
this module and show the page again through ``case_response``."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from cases import minimum_necessary as mn
from cases import services
from cases.access import SUPERVISE, VIEW, WORK
from cases.choices import EventKind, Status, Visibility
from cases.models import Case, CaseEvent
from cases.registry import registry
from cases.sla_state import case_sla
from cases.workflow import allowed_transitions
from compliance.access_log import AccessKind, record_request_access
from console.forms import AssignForm, MessageForm, TransitionForm
from console.views.common import (
    SOCKET_PATH,
    VIA,
    case_or_404,
    console_page,
    live_grace_seconds,
    names_for,
    people_of,
    queues_of,
    refusal_status,
    refusal_text,
    render_page,
    shown_fields,
)
from console.views.lists import queue_response
from console.views.panels import case_changes_context, case_escalation_context, complaint_context

# --- the case page --------------------------------------------------------------------------------

PATIENT_FIELDS = (
    "mrn",
    "given_name",
    "family_name",
    "date_of_birth",
    "preferred_language",
    "interpreter_needed",
    "phone",
    "email",
    "preferred_contact_channel",
    "sms_consent",
    "sensitivity",
)
CASE_FIELDS = (
    "subject",
    "description",
    "category",
    "queue",
    "channel",
    "language",
    "sensitivity",
    "source_organisation",
    "external_reference",
    "created_at",
    "first_response_at",
)


def _details(user, case: Case) -> tuple[str, list]:
    spec = registry.get(case.category.kind)
    if spec is None or spec.detail_model is None:
        return "", []
    model = spec.detail_model
    related = [f.name for f in model._meta.concrete_fields if f.is_relation and f.name != "case"]
    detail = model.objects.restrict(user, VIEW).select_related(*related).filter(case_id=case.pk)
    detail = detail.first()
    if detail is None:
        return spec.label, []
    return spec.label, shown_fields(user, detail, model.input_fields())


def _timeline(user, case: Case) -> list[dict]:
    events = (
        CaseEvent.objects.restrict(user, VIEW)
        .filter(case_id=case.pk)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    bodies = mn.field_view(user, mn.EVENT, "body") != mn.HIDDEN
    statuses = dict(Status.choices)
    rows = []
    for event in events:
        old, new = event.old_value, event.new_value
        if event.kind in (EventKind.STATUS_CHANGED, EventKind.OPENED):
            old, new = statuses.get(old, old), statuses.get(new, new)
        rows.append(
            {
                "event": event,
                "actor": event.actor.display_name,
                "old": old,
                "new": new,
                "body": event.body if bodies else "",
                "public": event.visibility == Visibility.PATIENT,
            }
        )
    return rows


def case_response(
    request,
    case: Case,
    *,
    bound: dict[str, Any] | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    """The case page (also after a refused or invalid action: ``bound`` forms keep what was
    typed, ``refusal`` says why nothing happened). Logged before it responds."""
    user = request.user
    bound = bound or {}
    is_closed = case.status == Status.CLOSED
    can_work, can_supervise = bool(case.can_work), bool(case.can_supervise)
    transitions = allowed_transitions(case.status)
    forms: dict[str, Any] = {}
    if can_work and not is_closed:
        forms["reply"] = bound.get("reply") or MessageForm(
            label="Reply to the patient", help_text="The patient sees this reply.",
            auto_id="id_reply_%s",
        )  # fmt: skip
    if can_work:
        forms["note"] = bound.get("note") or MessageForm(
            label="Internal note", help_text="Staff only: the patient never sees notes.",
            auto_id="id_note_%s",
        )  # fmt: skip
    if can_work and transitions:
        forms["transition"] = bound.get("transition") or TransitionForm(allowed=transitions)
    people = []
    if can_supervise and not is_closed:
        people = list(people_of([case.queue_id]).filter(is_active=True).order_by("first_name"))
        forms["assign"] = bound.get("assign") or AssignForm(
            initial={"assignee": case.assigned_to_id}, people=people
        )
    category_label, details = _details(user, case)
    case.sla = case_sla(case, timezone.now())
    timeline = _timeline(user, case)
    context = {
        "title": f"Case {case.reference}",
        "case": case,
        "patient_fields": shown_fields(user, case.patient, PATIENT_FIELDS),
        "case_fields": shown_fields(user, case, CASE_FIELDS),
        "details_label": category_label,
        "details": details,
        "timeline": timeline,
        "can_work": can_work,
        "can_supervise": can_supervise,
        "can_claim": can_work and case.is_open and case.assigned_to_id is None,
        "can_release": can_work and case.is_open and case.assigned_to_id == user.pk,
        "forms": forms,
        "refusal": refusal,
        "supervises": can_supervise or queues_of(user, SUPERVISE).exists(),
        **case_escalation_context(
            user,
            case,
            bound=bound,
            can_work=can_work,
            is_closed=is_closed,
            events=[row["event"] for row in timeline],
        ),
        # Issue 15's changes: sensitivity, queue, category, priority (console.views.changes).
        **case_changes_context(user, case, bound=bound, can_work=can_work, is_closed=is_closed),
        **complaint_context(user, case, bound=bound, can_work=can_work),
        "config": {
            "page": "case",
            "me": user.pk,
            "socket_path": SOCKET_PATH,
            "live_grace_seconds": live_grace_seconds(),
            "case": {"id": case.pk, "reference": case.reference},
            # live.js swaps the emergency banner for this fragment on ``case.escalated``.
            "urls": {"banner": reverse("console:case-banner", args=[case.reference])},
            "names": names_for(user, [p for p in [case.assigned_to, *people] if p is not None]),
            "statuses": dict(Status.choices),
        },
    }
    record_request_access(request, [case], kind=AccessKind.VIEW, via=VIA, model=Case)
    return render_page(request, "console/case.html", context, status=status)


@console_page
@require_safe
def case_page(request, reference: str):
    return case_response(request, case_or_404(request.user, reference, VIEW))


def _act(
    request,
    reference: str,
    *,
    action: str,
    perform: Callable[[Case], str],
    form=None,
    form_key: str = "",
    back_to_queue: bool = False,
) -> HttpResponse:
    """One case action: the case through ``restrict(user, action)`` (else 404), the form, the
    service; success → a message and a redirect to the case page; a refusal → the page again
    with the reason and a 4xx, having changed nothing."""
    user = request.user
    case = case_or_404(user, reference, action)
    if form is not None and not form.is_valid():
        return case_response(request, case, bound={form_key: form}, status=400)
    try:
        done = perform(case)
    except ValidationError as error:
        if back_to_queue:
            return queue_response(
                request, refusal=refusal_text(error), status=refusal_status(error)
            )
        return case_response(
            request,
            case_or_404(user, reference, VIEW),
            bound={form_key: form} if form is not None else None,
            refusal=refusal_text(error),
            status=refusal_status(error),
        )
    messages.success(request, done)
    return redirect("console:case", reference=case.reference)


def _claim(request, reference: str, *, back_to_queue: bool) -> HttpResponse:
    def perform(case: Case) -> str:
        services.case_claim(actor=request.user, case=case)
        return f"You claimed case {case.reference}."

    return _act(request, reference, action=WORK, perform=perform, back_to_queue=back_to_queue)


@console_page
@require_POST
def case_claim(request, reference: str):
    return _claim(request, reference, back_to_queue=request.POST.get("from") == "queue")


# A case reference as console.urls.CASE accepts it in a URL.
REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,31}")


@console_page
@require_POST
def claim(request):
    """The queue page's one claim form (``#claim-form``): each row's Claim button posts it with
    the row's reference as ``case``. The case through ``restrict(user, "work")`` as for
    ``case_claim`` (else 404); a refusal shows the queue again (the form's action keeps the
    page's query) with the reason."""
    reference = request.POST.get("case", "")
    if not REFERENCE.fullmatch(reference):
        return queue_response(request, refusal="Choose a case to claim.", status=400)
    return _claim(request, reference, back_to_queue=True)


@console_page
@require_POST
def case_release(request, reference: str):
    def perform(case: Case) -> str:
        if case.assigned_to_id is None:
            return f"Case {case.reference} is not assigned to anyone: nothing to release."
        services.case_release(actor=request.user, case=case)
        return f"You released case {case.reference} back to its queue."

    return _act(request, reference, action=WORK, perform=perform)


def _message_view(visibility: str, key: str, label: str, done: str) -> Callable:
    @console_page
    @require_POST
    def view(request, reference: str):
        form = MessageForm(request.POST, label=label, auto_id=f"id_{key}_%s")

        def perform(case: Case) -> str:
            services.case_add_note(
                actor=request.user,
                case=case,
                body=form.cleaned_data["body"],
                visibility=visibility,
            )
            return done

        return _act(request, reference, action=WORK, perform=perform, form=form, form_key=key)

    return view


case_reply = _message_view(Visibility.PATIENT, "reply", "Reply to the patient", "Reply sent.")
case_note = _message_view(Visibility.INTERNAL, "note", "Internal note", "Internal note added.")


@console_page
@require_POST
def case_transition(request, reference: str):
    # Any status validates here: the service judges the transition against the case as it is
    # now (it may have changed since the page was drawn) and says why it refuses.
    form = TransitionForm(request.POST, allowed=Status.values)

    def perform(case: Case) -> str:
        to_status = form.cleaned_data["to_status"]
        services.case_transition(
            actor=request.user, case=case, to_status=to_status, reason=form.cleaned_data["reason"]
        )
        return f"Case {case.reference} is now {Status(to_status).label.lower()}."

    return _act(request, reference, action=WORK, perform=perform, form=form, form_key="transition")


@console_page
@require_POST
def case_assign(request, reference: str):
    user = request.user
    case = case_or_404(user, reference, SUPERVISE)
    form = AssignForm(request.POST, people=people_of([case.queue_id]).filter(is_active=True))

    def perform(case: Case) -> str:
        assignee = form.cleaned_data["assignee"]
        services.case_assign(actor=user, case=case, assignee=assignee)
        if assignee is None:
            return f"Case {case.reference} is back in its queue, assigned to nobody."
        return f"Case {case.reference} is assigned to {assignee.display_name}."

    return _act(request, reference, action=SUPERVISE, perform=perform, form=form, form_key="assign")
