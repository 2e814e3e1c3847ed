"""Break-the-glass pages: the request (a person in one of ``BREAK_GLASS_ROLES`` asks for emergency
access to a case they cannot see), and the compliance officer's review list and sign-off."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from cases.errors import Conflict, Forbidden
from compliance.access_log import AccessKind, record_request_access
from compliance.models import AuditEntry
from oversight import services, trail
from oversight.forms import BreakGlassFilterForm, BreakGlassRequestForm, BreakGlassSignOffForm
from oversight.models import BreakGlassAccess
from oversight.policy import daily_limit, may_break_glass
from oversight.views.base import (
    REVIEW_BREAK_GLASS,
    _add_service_errors,
    _render,
    _rows,
    compliance_required,
    require_read,
    require_safe_or_post,
)

WINDOW_LIMIT = 200  # a break-the-glass review's entries of the window
BREAK_GLASS_PAGE_SIZE = 25


# --- break-the-glass request (the roles of BREAK_GLASS_ROLES) ------------------------------------


# Refusals of the policy (who may, how often) are access attempts: logged in the audit trail.
AUDITED_REFUSALS = frozenset({"role_not_permitted", "daily_limit_reached", "not_staff"})


def _status(error: ValidationError) -> int:
    """The service's refusal as an HTTP status: Forbidden 403, Conflict 409, anything else 400."""
    if isinstance(error, Forbidden):
        return 403
    if isinstance(error, Conflict):
        return 409
    return 400


@never_cache
@require_safe_or_post
def break_glass_request(request):
    """Anonymous users go to the login page; anybody who may not break the glass (their role is
    not in ``BREAK_GLASS_ROLES``, superusers included) gets a 404: the page does not exist for
    them, as the compliance pages do not."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_staff or not may_break_glass(request.user):
        raise Http404("No such page.")
    confirming = request.method == "POST" and request.POST.get("confirm_step") == "1"
    form = BreakGlassRequestForm(request.POST or None, confirming=confirming)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                access = services.break_glass_open(
                    actor=request.user,
                    reference=form.cleaned_data["reference"],
                    reason=form.cleaned_data["reason"],
                    confirm_sensitive=confirming and form.cleaned_data["confirm_sensitive"],
                )
            except ValidationError as error:
                code = getattr(error, "code", "")
                status = _status(error)
                if code == "confirmation_required":
                    # The second step: the notice and the checkbox, the rest as typed.
                    form = BreakGlassRequestForm(request.POST, confirming=True)
                    form.is_valid()
                    if confirming:
                        form.add_error("confirm_sensitive", error.messages)
                    else:
                        status = 200
                else:
                    _add_service_errors(form, error, {"reference": "reference", "reason": "reason"})
                if code in AUDITED_REFUSALS:
                    _record_refusal(request, code, form.cleaned_data.get("reference", ""))
            else:
                messages.warning(
                    request,
                    f"Emergency access granted until "
                    f"{timezone.localtime(access.expires_at):%H:%M}. "
                    "It is recorded and will be reviewed by compliance.",
                )
                return redirect(reverse("admin:cases_case_change", args=[access.case_id]))
    return render(
        request,
        "oversight/break_glass_request.html",
        {
            "form": form,
            "confirming": form.confirming,
            "daily_limit": daily_limit(),
            "title": "Emergency access (break-the-glass)",
        },
        status=status,
    )


def _record_refusal(request, code: str, reference: str) -> None:
    """A refused emergency access is an access attempt: one audit-trail entry with the code and
    the reference typed (never the reason, which may hold PHI)."""
    record_request_access(
        request,
        [],
        kind=AccessKind.LOOKUP,
        via="break-glass",
        model=BreakGlassAccess,
        summary=f"Break-the-glass refused: {code}",
        query={"reference": reference, "code": code},
    )


# --- break-the-glass review -----------------------------------------------------------------------


@compliance_required(REVIEW_BREAK_GLASS)
@require_read
def break_glass_list(request):
    form = BreakGlassFilterForm(request.GET)
    if not form.is_valid():
        return _render(
            request,
            "oversight/break_glass_list.html",
            {"title": "Break-the-glass reviews", "form": form},
            status=400,
        )
    status = form.cleaned_data["status"]
    accesses = BreakGlassAccess.objects.select_related("user", "case", "reviewed_by").order_by(
        "-granted_at", "-id"
    )
    if status == BreakGlassFilterForm.AWAITING:
        accesses = accesses.awaiting_review()
    elif status == BreakGlassFilterForm.REVIEWED:
        accesses = accesses.filter(reviewed_at__isnull=False)
    page = Paginator(accesses, BREAK_GLASS_PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "oversight/break_glass_list.html",
        {
            "title": "Break-the-glass reviews",
            "form": form,
            "status": status,
            "status_label": dict(form.fields["status"].choices)[status],
            "page": page,
        },
    )


@compliance_required(REVIEW_BREAK_GLASS)
@require_safe_or_post
def break_glass_review(request, pk: int):
    access = get_object_or_404(
        BreakGlassAccess.objects.select_related("user", "case", "reviewed_by"), pk=pk
    )
    status = 200
    form = BreakGlassSignOffForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.break_glass_review(
                    actor=request.user,
                    access=access,
                    outcome=form.cleaned_data["outcome"],
                    notes=form.cleaned_data["notes"],
                )
            except ValidationError as error:
                _add_service_errors(form, error, {"outcome": "outcome", "notes": "notes"})
            else:
                messages.success(request, f"Emergency access #{access.pk} signed off.")
                return redirect("oversight:break-glass-review", pk=access.pk)
        status = 400
        access.refresh_from_db()  # another reviewer may have signed it off meanwhile
    entries, more = trail.entries_during(
        actor_id=access.user_id,
        case_pk=access.case_id,
        start=access.granted_at,
        end=access.expires_at,
        limit=WINDOW_LIMIT,
    )
    # The reason and the entries may hold PHI about the case's patient.
    record_request_access(
        request,
        [],
        kind=AccessKind.REPORT,
        via="compliance",
        model=AuditEntry,
        summary=f"Break-the-glass review of access {access.pk}",
        query={},
        subject=(access.case.patient_id, access.case_id),
    )
    own_access = access.user_id == request.user.pk
    shown = access.reviewed_at is None and not own_access
    # Errors of a refused sign-off when the form is no longer offered (signed off meanwhile, or
    # one's own access).
    refused = [] if shown else [message for errors in form.errors.values() for message in errors]
    granted_day = timezone.localdate(access.granted_at)
    expires_day = timezone.localdate(access.expires_at)
    return _render(
        request,
        "oversight/break_glass_review.html",
        {
            "title": f"Break-the-glass access #{access.pk}",
            "access": access,
            "form": form if shown else None,
            "refused": refused,
            "own_access": own_access,
            "rows": _rows(entries),
            "more": more,
            "window_limit": WINDOW_LIMIT,
            "trail_query": urlencode(
                {
                    "user": access.user.username,
                    "case_id": access.case_id,
                    "date_from": granted_day.isoformat(),
                    "date_to": expires_day.isoformat(),
                }
            ),
        },
        status=status,
    )
