"""The login review page: authentication events (logins, logouts, failed logins, lockouts, the
second factor's enrolments, codes and resets) with their address and user agent, filters, and
counts per user; successful logins outside the usual hours and people with many failures or
addresses are marked (oversight/logins.py). Needs ``view_auditentry``; the page writes its
access-log entry before it responds."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse

from compliance.access_log import AccessKind, record_request_access
from compliance.models import AuditEntry
from oversight import logins
from oversight.views.base import VIEW_TRAIL, _render, compliance_required, require_read


@require_read
@compliance_required(VIEW_TRAIL)
def login_events(request) -> HttpResponse:
    form = logins.LoginFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    status = 400 if form.is_bound and form.errors else 200
    entries = logins.auth_events(filters)
    rows = list(entries[: logins.PAGE_SIZE]) if status == 200 else []
    counts = logins.counts_per_user(entries) if status == 200 else []
    record_request_access(
        request,
        [],
        kind=AccessKind.SEARCH,
        via="compliance",
        model=AuditEntry,
        summary="Authentication events reviewed",
    )
    context = {
        "title": "Logins, failures and lockouts",
        "form": form,
        "rows": rows,
        "counts": counts,
        "page_size": logins.PAGE_SIZE,
        "usual_hours": logins.usual_hours(),
        "time_zone": settings.TIME_ZONE,
        "thresholds": logins.review_thresholds(),
    }
    return _render(request, "oversight/logins.html", context, status=status)
