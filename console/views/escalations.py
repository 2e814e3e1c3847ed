"""Escalations in the console (docs/architecture/escalations.md, "Console").

* the case page's part: the emergency banner (above everything while the case has an unresolved
  emergent escalation), the case's escalations with their SBAR and the actions the user may take,
  and the escalate form (``case_escalation_context``, used by ``console.views.case``);
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
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from cases.access import SUPERVISE, VIEW, WORK
from cases.choices import EventKind
from cases.models import Case, CaseEvent
from cases.sla_state import target_state
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
from escalations import selectors, services
from escalations.choices import EscalationStatus, Language, Urgency
from escalations.models import Escalation, EscalationPathway
from escalations.selectors import visible_escalations

REVIEW_PERMISSION = "escalations.review_escalation"
# How long before its target an unacknowledged escalation shows "due soon".
ACKNOWLEDGEMENT_WARNING = timedelta(minutes=5)
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


def acknowledgement_state(escalation: Escalation, now):
    """The acknowledgement target as a due-time target (``cases.sla_state.target_state``: the
    same states, words and classes as the SLA cells)."""
    return target_state(
        due_at=escalation.acknowledgement_due_at,
        met_at=escalation.acknowledged_at,
        paused_at=None,
        now=now,
        warning=ACKNOWLEDGEMENT_WARNING,
    )


def red_flags_of(escalation: Escalation) -> list[dict[str, Any]]:
    """The matched phrases as the banner shows them (defensive about the JSON's shape)."""
    languages = dict(Language.choices)
    flags = []
    for flag in escalation.red_flags or []:
        if not isinstance(flag, dict) or not flag.get("phrase"):
            continue
        language = str(flag.get("language") or "")
        flags.append(
            {
                "phrase": str(flag["phrase"]),
                "label": str(flag.get("label") or ""),  # the concept (escalations.redflags)
                "language": languages.get(language, language),
                "negated": bool(flag.get("negated")),
                # the learned second opinion's flag (escalations.redflags.learned), not a rule's
                "model": flag.get("source") == "model",
            }
        )
    return flags


def emergencies_of(escalations) -> list[dict[str, Any]]:
    """The unresolved emergent escalations among ``escalations``, with their red flags."""
    return [
        {"escalation": escalation, "red_flags": red_flags_of(escalation)}
        for escalation in escalations
        if escalation.urgency == Urgency.EMERGENT and escalation.is_unresolved
    ]


def escalation_rows(
    user, escalations, *, reviewer: bool, bound: dict[str, Any]
) -> list[dict[str, Any]]:
    """Each escalation with the actions ``user`` may take on it (mirroring the services' own
    checks, which decide) and their forms; ``bound`` holds a refused form to show again."""
    now = timezone.now()
    bound_id = bound.get("escalation_id")
    rows = []
    for escalation in escalations:
        unresolved = escalation.is_unresolved
        mine = bool(escalation.addressed_to_me)
        row = {
            "escalation": escalation,
            "acknowledgement": acknowledgement_state(escalation, now),
            "red_flags": red_flags_of(escalation),
            "can_acknowledge": escalation.status == EscalationStatus.OPEN and mine,
            "can_resolve": unresolved and (mine or escalation.acknowledged_by_id == user.pk),
            "can_review": (
                reviewer
                and escalation.status == EscalationStatus.RESOLVED
                and escalation.reviewed_at is None
                and escalation.requested_by_id != user.pk
            ),
        }
        here = bound_id == escalation.pk
        if row["can_resolve"]:
            row["resolve_form"] = (here and bound.get("resolve")) or EscalationResolveForm(
                auto_id=f"id_resolve_{escalation.pk}_%s"
            )
        if row["can_review"]:
            row["review_form"] = (here and bound.get("review")) or EscalationReviewForm(
                auto_id=f"id_review_{escalation.pk}_%s"
            )
        rows.append(row)
    return rows


def active_pathways() -> list[EscalationPathway]:
    return list(EscalationPathway.objects.active().only("pk", "name").order_by("name", "pk"))


def unrouted_red_flags(case: Case, events) -> bool:
    """Whether the open ``case`` had a red flag that no escalation pathway took (``events``: its
    timeline events): the banner shows the emergency script for it too, since no escalation
    will (escalations.detection)."""
    return case.is_open and any(event.kind == EventKind.RED_FLAG_UNROUTED for event in events)


def case_escalation_context(
    user,
    case: Case,
    *,
    bound: dict[str, Any],
    can_work: bool,
    is_closed: bool,
    events=(),
) -> dict[str, Any]:
    """The case page's escalation part: the banner, the rows with their actions, the escalate
    form. Two queries (the escalations; the active pathways when the user may escalate),
    whatever the number of escalations. ``events``: the timeline already read."""
    escalations = list(
        visible_escalations(user).filter(case_id=case.pk).order_by("-requested_at", "-id")
    )
    reviewer = bool(case.can_supervise) or user.has_perm(REVIEW_PERMISSION)  # services.may_review
    context: dict[str, Any] = {
        "emergencies": emergencies_of(escalations),
        "unrouted_red_flag": unrouted_red_flags(case, events),
        "escalations": escalation_rows(user, escalations, reviewer=reviewer, bound=bound),
        "escalate_form": None,
        "escalate_open": "escalate" in bound,
    }
    if can_work and not is_closed:
        context["escalate_form"] = bound.get("escalate") or EscalateForm(pathways=active_pathways())
    return context


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
        from console.views.supervision import review_response

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
        "supervises": user.is_superuser or queues_of(user, SUPERVISE).exists(),
    }
    return render_page(request, "console/_escalation_list.html", context, status=status)


@console_page
@require_safe
def escalations(request):
    return recipients_response(request)


__all__ = [
    "REVIEW_PERMISSION",
    "case_banner",
    "case_escalate",
    "case_escalation_context",
    "escalation_acknowledge",
    "escalation_resolve",
    "escalation_review",
    "escalation_rows",
    "escalations",
    "recipients_response",
    "visible_escalations",
]
