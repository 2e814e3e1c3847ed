"""Escalations in the console (docs/architecture/escalations.md, "Console").

* the case page's part: the emergency banner (above everything while the case has an unresolved
  emergent escalation), the case's escalations with their SBAR and the actions the user may take,
  and the escalate form (``console.views.panels.case_escalation_context``, used by
  ``console.views.case``);
* ``/console/cases/<reference>/banner/`` — the banner alone, for live.js on ``case.escalated``;
* ``/console/cases/<reference>/escalate/`` — escalate (POST, ``escalation_open``);
* ``/console/escalations/<id>/acknowledge|resolve|review/`` — one service call each (POST);
* ``/console/escalations/`` — the recipients' view: unresolved escalations addressed to the user.

Rows come from ``Escalation.objects.restrict(user, "view")`` only: an escalation the user may not
see is a 404 like a case, never a 403. One the user sees but may not act on is the service's
refusal, shown on the page the form came from with a 4xx; nothing is written. The recipients'
view shows no patient data (references, pathways and workflow state; the SBAR is on the case
page, whose read is logged) and logs nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from cases.access import SUPERVISE, VIEW, WORK
from cases.choices import EventKind
from cases.models import Case, CaseEvent
from compliance.access_log import AccessKind, record_request_access
from console.forms import EscalateForm, EscalationResolveForm, EscalationReviewForm
from console.views.case import case_response
from console.views.common import (
    VIA,
    case_or_404,
    console_page,
    queues_of,
    refusal_status,
    refusal_text,
    render_page,
)
from console.views.panels import active_pathways, emergencies_of, escalation_rows
from console.views.supervision import review_response
from escalations import selectors, services
from escalations.choices import Urgency
from escalations.models import Escalation

RECIPIENT_LIMIT = 200  # rows on the recipients' view: the most urgent, oldest first
# Where an escalation action's form was (the page to go back to, or to show a refusal on).
CASE_PAGE, RECIPIENTS_PAGE, REVIEW_PAGE = "case", "escalations", "review"
ORIGINS = frozenset({CASE_PAGE, RECIPIENTS_PAGE, REVIEW_PAGE})
# --- reading ------------------------------------------------------------------------------------


def escalation_or_404(user, escalation_id: str, *, addressed: bool = False) -> Escalation:
    """The escalation if the user may see it (the read path), or — ``addressed`` — if it is
    addressed to them as a recipient (acknowledging one whose case they cannot see yet gives
    them access to it); else Http404."""
    try:
        found = selectors.escalation_for(user, int(escalation_id), addressed=addressed)
    except (ValueError, OverflowError) as exc:
        raise Http404("No such escalation.") from exc
    if found is None:
        raise Http404("No such escalation.")
    return found


# --- the banner ---------------------------------------------------------------------------------


@console_page
@require_safe
def case_banner(request, reference: str):
    """The emergency banner of one case alone (``<div id="emergency-banner">``, empty when there
    is no unresolved emergent escalation): live.js swaps it in on ``case.escalated``. The same
    access as the case page; a banner that shows the patient's words is logged as a read."""
    user = request.user
    try:
        case = (
            Case.objects.restrict(user, VIEW)
            .only("pk", "reference", "patient_id", "status")
            .get(reference=reference)
        )
    except Case.DoesNotExist as exc:
        raise Http404("No such case.") from exc
    open_emergent = (
        Escalation.objects.restrict(user, VIEW)
        .filter(case_id=case.pk, urgency=Urgency.EMERGENT)
        .unresolved()
        .select_related("pathway")
        .order_by("-requested_at", "-id")
    )
    emergencies = emergencies_of(open_emergent)
    unrouted = case.is_open and (
        CaseEvent.objects.restrict(user, VIEW)
        .filter(case_id=case.pk, kind=EventKind.RED_FLAG_UNROUTED)
        .exists()
    )
    if emergencies:
        record_request_access(request, [case], kind=AccessKind.VIEW, via=VIA, model=Case)
    return render(
        request,
        "console/_emergency_banner.html",
        {"emergencies": emergencies, "unrouted_red_flag": unrouted},
    )


# --- actions ------------------------------------------------------------------------------------


@console_page
@require_POST
def case_escalate(request, reference: str):
    """Escalate the case (the user must be able to work it: else 404) with the SBAR form."""
    user = request.user
    case = case_or_404(user, reference, WORK)
    form = EscalateForm(request.POST, pathways=active_pathways())
    if not form.is_valid():
        return case_response(request, case, bound={"escalate": form}, status=400)
    data = form.cleaned_data
    try:
        escalation = services.escalation_open(
            actor=user,
            case=case,
            pathway=data["pathway"],
            urgency=data["urgency"],
            reason=data["reason"],
            situation=data["situation"],
            background=data["background"],
            assessment=data["assessment"],
            recommendation=data["recommendation"],
        )
    except ValidationError as error:
        return case_response(
            request,
            case_or_404(user, reference, VIEW),
            bound={"escalate": form},
            refusal=refusal_text(error),
            status=refusal_status(error),
        )
    chosen = data["pathway"]
    routed = (
        ""
        if escalation.pathway_id == chosen.pk
        else f" ({chosen.name} is outside its on-call hours)"
    )
    messages.success(
        request,
        f"Case {case.reference} escalated to {escalation.pathway.name}{routed}: "
        f"{Urgency(escalation.urgency).label.lower()}.",
    )
    return redirect("console:case", reference=case.reference)


def _origin(request) -> str:
    origin = request.POST.get("from", CASE_PAGE)
    return origin if origin in ORIGINS else CASE_PAGE


def _may_view_case(user, escalation: Escalation) -> bool:
    return Case.objects.restrict(user, VIEW).filter(pk=escalation.case_id).exists()


def _show_again(
    request, escalation: Escalation, origin: str, *, bound: dict, refusal: str = "", status: int
) -> HttpResponse:
    """The page the form was on, again, with the refused form and the reason."""
    if origin == RECIPIENTS_PAGE:
        return recipients_response(request, refusal=refusal, status=status)
    if origin == REVIEW_PAGE:
        return review_response(request, bound=bound, refusal=refusal, status=status)
    case = case_or_404(request.user, escalation.case.reference, VIEW)
    return case_response(request, case, bound=bound, refusal=refusal, status=status)


def _escalation_action(
    request,
    escalation_id: str,
    *,
    perform: Callable[[Escalation], str],
    form=None,
    form_key: str = "",
    addressed: bool = False,
) -> HttpResponse:
    """One escalation action: the escalation through the read path (else 404), the form, the
    service; success → a message and back to the page the form was on (the recipients' view
    when the user can no longer see the case: resolving ends a recipient's access); a refusal →
    that page again with the reason and a 4xx, having changed nothing."""
    user = request.user
    escalation = escalation_or_404(user, escalation_id, addressed=addressed)
    origin = _origin(request)
    bound = {"escalation_id": escalation.pk, form_key: form} if form is not None else {}
    if form is not None and not form.is_valid():
        return _show_again(request, escalation, origin, bound=bound, status=400)
    try:
        done = perform(escalation)
    except ValidationError as error:
        return _show_again(
            request,
            escalation,
            origin,
            bound=bound,
            refusal=refusal_text(error),
            status=refusal_status(error),
        )
    messages.success(request, done)
    if origin == RECIPIENTS_PAGE:
        return redirect("console:escalations")
    if origin == REVIEW_PAGE:
        return redirect("console:escalations-review")
    if not _may_view_case(user, escalation):
        return redirect("console:escalations")
    return redirect("console:case", reference=escalation.case.reference)


def _about(escalation: Escalation) -> str:
    return f"The escalation of case {escalation.case.reference} to {escalation.pathway.name}"


@console_page
@require_POST
def escalation_acknowledge(request, escalation_id: str):
    def perform(escalation: Escalation) -> str:
        services.escalation_acknowledge(actor=request.user, escalation=escalation)
        return f"{_about(escalation)} is acknowledged: it is yours."

    return _escalation_action(request, escalation_id, perform=perform, addressed=True)


@console_page
@require_POST
def escalation_resolve(request, escalation_id: str):
    form = EscalationResolveForm(request.POST, auto_id=f"id_resolve_{int(escalation_id)}_%s")

    def perform(escalation: Escalation) -> str:
        services.escalation_resolve(
            actor=request.user,
            escalation=escalation,
            outcome=form.cleaned_data["outcome"],
            notes=form.cleaned_data["notes"],
        )
        return f"{_about(escalation)} is resolved."

    return _escalation_action(
        request, escalation_id, perform=perform, form=form, form_key="resolve"
    )


@console_page
@require_POST
def escalation_review(request, escalation_id: str):
    form = EscalationReviewForm(request.POST, auto_id=f"id_review_{int(escalation_id)}_%s")

    def perform(escalation: Escalation) -> str:
        warranted = form.cleaned_data["warranted"]
        services.escalation_review(
            actor=request.user,
            escalation=escalation,
            warranted=warranted,
            notes=form.cleaned_data["notes"],
        )
        verdict = "warranted" if warranted else "not warranted"
        return f"{_about(escalation)} is reviewed: {verdict}."

    return _escalation_action(request, escalation_id, perform=perform, form=form, form_key="review")


# --- the recipients' view -----------------------------------------------------------------------


def recipients_response(request, *, refusal: str = "", status: int = 200) -> HttpResponse:
    """Unresolved escalations addressed to the user (their pathway's recipient queue is one the
    user works: ``restrict(user, "receive")``, also before the user can see the case), most
    urgent and oldest first. Listing fields only: no SBAR, reason or red flags."""
    user = request.user
    escalations = list(selectors.addressed_to(user)[: RECIPIENT_LIMIT + 1])
    truncated = len(escalations) > RECIPIENT_LIMIT
    escalations = escalations[:RECIPIENT_LIMIT]
    context = {
        "title": "Escalations to me",
        "rows": escalation_rows(user, escalations, reviewer=False, bound={}),
        "truncated": truncated,
        "limit": RECIPIENT_LIMIT,
        "refusal": refusal,
        "supervises": queues_of(user, SUPERVISE).exists(),
    }
    return render_page(request, "console/_escalation_list.html", context, status=status)


@console_page
@require_safe
def escalations(request):
    return recipients_response(request)


__all__ = [
    "case_banner",
    "case_escalate",
    "escalation_acknowledge",
    "escalation_resolve",
    "escalation_review",
    "escalations",
    "recipients_response",
]
