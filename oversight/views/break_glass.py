"""Break-the-glass pages: the request (any staff member asks for emergency access to a case they
cannot see), and the compliance officer's review list and sign-off."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from compliance.access_log import AccessKind, record_request_access
from compliance.models import AuditEntry
from oversight import services, trail
from oversight.forms import BreakGlassFilterForm, BreakGlassRequestForm, BreakGlassSignOffForm
from oversight.models import BreakGlassAccess
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


# --- break-the-glass request (any staff member) ---------------------------------------------------


@staff_member_required
def break_glass_request(request):
    form = BreakGlassRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access = services.break_glass_open(
                actor=request.user,
                reference=form.cleaned_data["reference"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.warning(
                request,
                f"Emergency access granted until {access.expires_at:%H:%M}. "
                "It is recorded and will be reviewed by compliance.",
            )
            return redirect(reverse("admin:cases_case_change", args=[access.case_id]))
    return render(
        request,
        "oversight/break_glass_request.html",
        {"form": form, "title": "Emergency access (break-the-glass)"},
        status=400 if request.method == "POST" and form.errors else 200,
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
