"""The case page's change actions (issue 15, ``cases.changes``): the sensitivity of the case and
of its patient (who holds ``cases.set_sensitivity``: supervisors), the queue, the category (with
the new kind's details) and the priority (who may work the case). Like ``console.views.case``:
the case through ``restrict()`` (else 404), the form, one service call, POST-redirect-GET; a
refusal shows the case page again with the reason and a 4xx, having changed nothing. A change
that takes the case out of the user's sight (marked sensitive by a supervisor without the
clearance) redirects to the live queue instead of a case page they may no longer read.

The forms are drawn by ``console/templates/console/_case_changes.html``, included by the case
page; ``console.views.panels.case_changes_context`` gives them to
``console.views.case.case_response``."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from cases import changes
from cases.access import VIEW, WORK
from cases.choices import Priority
from cases.models import Case, Sensitivity
from console.change_forms import (
    CategoryForm,
    MoveForm,
    PriorityForm,
    SensitivityForm,
    details_form_class,
)
from console.views.case import case_response
from console.views.common import case_or_404, console_page, refusal_status, refusal_text
from console.views.panels import PREFIXES, move_targets, other_categories


def _after(request, user, case: Case, done: str) -> HttpResponse:
    messages.success(request, done)
    if Case.objects.restrict(user, VIEW).filter(pk=case.pk).exists():
        return redirect("console:case", reference=case.reference)
    return redirect("console:queue")


def _change(
    request, reference: str, *, action: str, form, key: str, perform: Callable[[Case], str]
) -> HttpResponse:
    user = request.user
    case = case_or_404(user, reference, action)
    if not form.is_valid():
        return case_response(request, case, bound={key: form}, status=400)
    try:
        done = perform(case)
    except ValidationError as error:
        return case_response(
            request,
            case_or_404(user, reference, VIEW),
            bound={key: form},
            refusal=refusal_text(error),
            status=refusal_status(error),
        )
    return _after(request, user, case, done)


def _sensitivity_view(key: str, *, of_patient: bool) -> Callable:
    @console_page
    @require_POST
    def view(request, reference: str):
        if not request.user.has_perm(changes.SET_SENSITIVITY):
            # The console answers 404, never 403: the action does not exist for this user.
            raise Http404("No such page.")
        form = SensitivityForm(request.POST, prefix=PREFIXES[key], of_patient=of_patient)

        def perform(case: Case) -> str:
            value, reason = form.cleaned_data["sensitivity"], form.cleaned_data["reason"]
            label = f"marked “{Sensitivity(value).label}”" if value else "not sensitive"
            if of_patient:
                changes.patient_set_sensitivity(
                    actor=request.user, patient=case.patient, sensitivity=value, reason=reason
                )
                return f"The patient of case {case.reference} is now {label}."
            changes.case_set_sensitivity(
                actor=request.user, case=case, sensitivity=value, reason=reason
            )
            return f"Case {case.reference} is now {label}."

        return _change(request, reference, action=VIEW, form=form, key=key, perform=perform)

    return view


case_sensitivity = _sensitivity_view("sensitivity", of_patient=False)
case_patient_sensitivity = _sensitivity_view("patient_sensitivity", of_patient=True)


@console_page
@require_POST
def case_move(request, reference: str):
    user = request.user
    case = case_or_404(user, reference, WORK)
    form = MoveForm(request.POST, prefix=PREFIXES["move"], queues=move_targets(user, case))

    def perform(case: Case) -> str:
        queue = form.cleaned_data["queue"]
        changes.case_move(actor=user, case=case, queue=queue, reason=form.cleaned_data["reason"])
        return f"Case {case.reference} moved to {queue.name}."

    return _change(request, reference, action=WORK, form=form, key="move", perform=perform)


@console_page
@require_POST
def case_category(request, reference: str):
    """Recategorise. A change to a kind with details needs them: the first post (category only)
    is refused by the service naming the missing details, and the page comes back with the new
    kind's details form; the second post carries both (``with_details``)."""
    user = request.user
    case = case_or_404(user, reference, WORK)
    form = CategoryForm(
        request.POST, prefix=PREFIXES["category"], categories=other_categories(case)
    )
    if not form.is_valid():
        return case_response(request, case, bound={"category": form}, status=400)
    category = form.cleaned_data["category"]
    details_class = details_form_class(category)
    details_form = None
    details = None
    if details_class is not None:
        sent = request.POST.get("with_details") == str(category.pk)
        details_form = details_class(request.POST if sent else None, prefix=PREFIXES["details"])
        if sent:
            if not details_form.is_valid():
                bound = {"category": form, "details": details_form}
                return case_response(request, case, bound=bound, status=400)
            details = {name: details_form.cleaned_data[name] for name in details_form.fields}
    try:
        changes.case_change_category(
            actor=user,
            case=case,
            category=category,
            details=details,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        needs_details = details_form is not None and any(
            field.startswith("details") for field in getattr(error, "error_dict", {})
        )
        refusal = refusal_text(error)
        if needs_details and details is None:
            refusal = f"Cases of this category need {category.kind_label} details: fill them in."
        return case_response(
            request,
            case_or_404(user, reference, VIEW),
            bound={"category": form, "details": details_form if needs_details else None},
            refusal=refusal,
            status=refusal_status(error),
        )
    return _after(request, user, case, f"Case {case.reference} is now in {category.name}.")


@console_page
@require_POST
def case_priority(request, reference: str):
    form = PriorityForm(request.POST, prefix=PREFIXES["priority"])

    def perform(case: Case) -> str:
        priority = form.cleaned_data["priority"]
        changes.case_change_priority(
            actor=request.user, case=case, priority=priority, reason=form.cleaned_data["reason"]
        )
        return f"Case {case.reference} is now {Priority(priority).label.lower()} priority."

    return _change(request, reference, action=WORK, form=form, key="priority", perform=perform)
