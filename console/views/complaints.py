"""Complaints in the console (docs/architecture/support-categories.md, "Complaints").

* the case page's part (``console.views.panels.complaint_context``, used by
  ``console.views.case``): the grievance deadlines and where the complaint stands
  (``complaints.states``, decided in Python), and for those who may work the case the acknowledge
  button and the respond form;
* ``/console/cases/<reference>/complaint/acknowledge/`` and ``…/complaint/respond/`` — one
  service call each (POST-redirect-GET; a refusal shows the case page again with a 4xx);
* the overdue alerts (``panels.overdue_alerts``): the complaints the user may see whose deadline
  passed unmet (marked by the sweep, ``complaints.timers``), on the live queue and supervisor
  pages, and alone at ``/console/complaints/alerts/`` for live.js to swap in on a ``complaint``
  message;
* the queue rows' state (``panels.row_states``): a row of a complaint whose deadline passed says so.

Rows come only from ``restrict()``: a case the user may not see is a 404, and its complaint is
in nobody's alert list but theirs. The alert list shows references and deadline states only —
no patient data — and logs nothing; the case page, which shows the outcome and its summary, is
logged as a read like every case page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from cases.access import VIEW, WORK
from complaints.services import complaint_acknowledge, complaint_respond
from console.views.case import case_response
from console.views.common import case_or_404, console_page, refusal_status, refusal_text
from console.views.panels import RESPOND_KEY, ComplaintRespondForm, alerts_context


@console_page
@require_safe
def complaint_alerts(request):
    """The overdue alerts alone (``<section id="complaint-alerts">``), for live.js."""
    return render(request, "console/_complaint_alerts.html", alerts_context(request.user))


# --- actions ------------------------------------------------------------------------------------


def _refused(request, reference: str, error: ValidationError, bound=None):
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
