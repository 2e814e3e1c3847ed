"""Complaints in the console (docs/architecture/support-categories.md, "Complaints").

* the case page's part (``complaint_context``, used by ``console.views.case``): the grievance
  deadlines and where the complaint stands (``complaints.states``, decided here in Python), and
  for those who may work the case the acknowledge button and the respond form;
* ``/console/cases/<reference>/complaint/acknowledge/`` and ``…/complaint/respond/`` — one
  service call each (POST-redirect-GET; a refusal shows the case page again with a 4xx);
* the overdue alerts (``overdue_alerts``): the complaints the user may see whose deadline passed
  unmet (marked by the sweep, ``complaints.timers``), on the live queue and supervisor pages, and
  alone at ``/console/complaints/alerts/`` for live.js to swap in on a ``complaint`` message;
* the queue rows' state (``row_states``): a row of a complaint whose deadline passed says so.

Rows come only from ``restrict()``: a case the user may not see is a 404, and its complaint is
in nobody's alert list but theirs. The alert list shows references and deadline states only —
no patient data — and logs nothing; the case page, which shows the outcome and its summary, is
logged as a read like every case page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from cases.access import VIEW, WORK
from cases.models import MAX_TEXT_LENGTH, Case
from complaints.models import Complaint, Outcome
from complaints.services import complaint_acknowledge, complaint_respond
from complaints.states import acknowledged_late, deadline_state
from console.views.common import case_or_404, console_page, refusal_status, refusal_text

COMPLAINTS_KIND = "complaints"
ALERT_LIMIT = 50
RESPOND_KEY = "complaint_respond"


class ComplaintRespondForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[("", "Choose…"), *[(v, label) for v, label in Outcome.choices if v != "pending"]],
    )
    summary = forms.CharField(
        label="Summary of the response given to the patient (optional only when withdrawn)",
        required=False,
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- reading ------------------------------------------------------------------------------------


def complaint_context(user, case: Case, *, bound: dict[str, Any], can_work: bool) -> dict:
    """The case page's complaint part (one query, none for a case of another kind)."""
    if case.category.kind != COMPLAINTS_KIND:
        return {"complaint": None}
    complaint = Complaint.objects.restrict(user, VIEW).filter(case_id=case.pk).first()
    if complaint is None:
        return {"complaint": None}
    from console.views.case import shown_fields

    responded = complaint.responded_at is not None
    context: dict[str, Any] = {
        "complaint": complaint,
        "complaint_state": deadline_state(complaint),
        "complaint_acknowledged_late": acknowledged_late(complaint),
        "complaint_outcome": shown_fields(user, complaint, ("outcome", "outcome_summary"))
        if responded
        else [],
        "can_acknowledge_complaint": can_work and complaint.acknowledged_at is None,
        "complaint_respond_form": None,
    }
    if can_work and complaint.acknowledged_at is not None and not responded:
        context["complaint_respond_form"] = bound.get(RESPOND_KEY) or ComplaintRespondForm(
            auto_id="id_complaint_%s"
        )
    return context


def overdue_alerts(user) -> tuple[list[dict[str, Any]], bool]:
    """The complaints of the cases ``user`` may see that the sweep marked overdue and that are
    still waiting (longest overdue first, at most ``ALERT_LIMIT``), each with its state; and
    whether there were more. One query."""
    rows = list(
        Complaint.objects.restrict(user, VIEW)
        .alerting()
        .select_related("case", "case__queue")
        .only(
            "case__id",
            "case__reference",
            "case__queue__name",
            "acknowledgement_due_at",
            "acknowledged_at",
            "acknowledgement_overdue_at",
            "response_due_at",
            "responded_at",
            "response_overdue_at",
        )
        .order_by("acknowledgement_due_at", "case_id")[: ALERT_LIMIT + 1]
    )
    now = timezone.now()
    alerts = [{"complaint": row, "state": deadline_state(row, now)} for row in rows[:ALERT_LIMIT]]
    return alerts, len(rows) > ALERT_LIMIT


def alerts_context(user) -> dict[str, Any]:
    alerts, more = overdue_alerts(user)
    return {"complaint_alerts": alerts, "complaint_alerts_more": more, "alert_limit": ALERT_LIMIT}


def row_states(user, cases: list[Case]) -> list[Case]:
    """Set ``complaint_state`` on each queue row that is a complaint (None on the others) and
    return the rows: one query when the page has complaints, none otherwise. The rows need
    ``category__kind``."""
    ids = [case.pk for case in cases if case.category.kind == COMPLAINTS_KIND]
    found = {}
    if ids:
        found = {
            complaint.case_id: complaint
            for complaint in Complaint.objects.restrict(user, VIEW)
            .filter(case_id__in=ids)
            .only(
                "case_id",
                "acknowledgement_due_at",
                "acknowledged_at",
                "acknowledgement_overdue_at",
                "response_due_at",
                "responded_at",
                "response_overdue_at",
            )
        }
    now = timezone.now()
    for case in cases:
        complaint = found.get(case.pk)
        case.complaint_state = deadline_state(complaint, now) if complaint else None
    return cases


@console_page
@require_safe
def complaint_alerts(request):
    """The overdue alerts alone (``<section id="complaint-alerts">``), for live.js."""
    return render(request, "console/_complaint_alerts.html", alerts_context(request.user))


# --- actions ------------------------------------------------------------------------------------


def _refused(request, reference: str, error: ValidationError, bound=None):
    from console.views.case import case_response

    return case_response(
        request,
        case_or_404(request.user, reference, VIEW),
        bound=bound,
        refusal=refusal_text(error),
        status=refusal_status(error),
    )


@console_page
@require_POST
def case_complaint_acknowledge(request, reference: str):
    case = case_or_404(request.user, reference, WORK)
    try:
        complaint_acknowledge(actor=request.user, case=case)
    except ValidationError as error:
        return _refused(request, reference, error)
    messages.success(request, f"The complaint of case {case.reference} is acknowledged.")
    return redirect("console:case", reference=case.reference)


@console_page
@require_POST
def case_complaint_respond(request, reference: str):
    from console.views.case import case_response

    case = case_or_404(request.user, reference, WORK)
    form = ComplaintRespondForm(request.POST, auto_id="id_complaint_%s")
    if not form.is_valid():
        return case_response(request, case, bound={RESPOND_KEY: form}, status=400)
    try:
        complaint_respond(
            actor=request.user,
            case=case,
            outcome=form.cleaned_data["outcome"],
            summary=form.cleaned_data["summary"],
        )
    except ValidationError as error:
        return _refused(request, reference, error, bound={RESPOND_KEY: form})
    messages.success(
        request, f"The response to the complaint of case {case.reference} is recorded."
    )
    return redirect("console:case", reference=case.reference)
