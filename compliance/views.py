"""Compliance pages (docs/architecture/compliance-pages.md).

The break-the-glass request: a staff member asks for emergency access to a case they cannot see.
The compliance officer's pages under /compliance/: the home page (chain status, reviews waiting),
the audit trail search and its CSV export, "who accessed this patient's record", the
break-the-glass review list and sign-off, and the chain verification status.

Every compliance page needs its model permission (``compliance_required``): anonymous users are
sent to the login page, everybody else without the permission gets a 404, never a 403. The audit
trail holds PHI: every page that shows entries writes an access-log entry before it responds.
"""

from __future__ import annotations

import functools
import itertools
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from celery.result import EagerResult
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.handlers.asgi import ASGIRequest
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import Patient
from compliance import services, trail
from compliance.access_log import AccessKind, record_request_access, request_query
from compliance.audit import current_head
from compliance.forms import (
    BreakGlassFilterForm,
    BreakGlassRequestForm,
    BreakGlassSignOffForm,
    PatientLookupForm,
)
from compliance.models import (
    AuditEntry,
    BreakGlassAccess,
    ChainVerification,
    VerificationSource,
)
from compliance.tasks import verify_audit_chain

logger = logging.getLogger(__name__)

VIEW_TRAIL = "compliance.view_auditentry"
EXPORT_TRAIL = "compliance.export_auditentry"
REVIEW_BREAK_GLASS = "compliance.review_breakglassaccess"
VERIFY_CHAIN = "compliance.add_chainverification"

STALE_AFTER = timedelta(hours=36)  # the daily verification is late after this
REPORT_RECENT = 50  # the report's most recent accesses
WINDOW_LIMIT = 200  # a break-the-glass review's entries of the window
BREAK_GLASS_PAGE_SIZE = 25
CSV_LINES_PER_CHUNK = 500
require_safe_or_post = require_http_methods(["GET", "HEAD", "POST"])
require_read = require_http_methods(["GET", "HEAD"])


# --- access ---------------------------------------------------------------------------------------


def may_use(user, permissions: Iterable[str], *, any_of: bool = False) -> bool:
    """Whether ``user`` holds the page's permissions: an active person (service accounts and
    the system account act through the API and tasks, never these pages)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if getattr(user, "kind", "person") != "person":
        return False
    check = any if any_of else all
    return check(user.has_perm(permission) for permission in permissions)


def compliance_required(*permissions: str, any_of: bool = False) -> Callable:
    """A compliance page: anonymous users go to the login page; anybody else without the
    permissions gets a 404 (the page does not exist for them: no 403 that says it does).
    Responses are never cached (they show PHI)."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not may_use(request.user, permissions, any_of=any_of):
                raise Http404("No such page.")
            return view(request, *args, **kwargs)

        return never_cache(wrapper)

    return decorator


def _render(request, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    """A page in the admin's frame (header, navigation, messages)."""
    return render(request, template, {**admin.site.each_context(request), **context}, status=status)


def _add_service_errors(form, error: ValidationError, fields: dict[str, str]) -> None:
    """A service's ValidationError on the form: its fields mapped to the form's, the rest on the
    form itself."""
    for field, messages_ in error.message_dict.items():
        form.add_error(fields.get(field), messages_)


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
        "compliance/break_glass_request.html",
        {"form": form, "title": "Emergency access (break-the-glass)"},
        status=400 if request.method == "POST" and form.errors else 200,
    )


# --- home -----------------------------------------------------------------------------------------


def latest_verification_status() -> dict:
    """The latest finished chain verification, whether it found the chain broken, and whether
    it is too old (none finished within ``STALE_AFTER``)."""
    latest = (
        ChainVerification.objects.filter(finished_at__isnull=False)
        .select_related("requested_by")
        .order_by("-finished_at", "-id")
        .first()
    )
    return {
        "latest": latest,
        "broken": latest is not None and latest.intact is False,
        "stale": latest is None or latest.finished_at < timezone.now() - STALE_AFTER,
        "stale_hours": int(STALE_AFTER.total_seconds() // 3600),
    }


@compliance_required(VIEW_TRAIL, REVIEW_BREAK_GLASS, any_of=True)
@require_read
def home(request):
    user = request.user
    context: dict = {"title": "Compliance", "is_home": True}
    if user.has_perm(VIEW_TRAIL):
        context["chain"] = latest_verification_status()
        context["lookup_form"] = PatientLookupForm(viewer=user)
    if user.has_perm(REVIEW_BREAK_GLASS):
        context["awaiting_review"] = BreakGlassAccess.objects.awaiting_review().count()
    return _render(request, "compliance/home.html", context)


# --- the audit trail ------------------------------------------------------------------------------


def _filter_params(form: trail.TrailSearchForm) -> dict[str, str]:
    """The search's filters as asked (what links to other pages of it keep)."""
    params = {}
    for name in trail.TrailSearchForm.FILTERS:
        value = str(form.data.get(name, "")).strip()
        if value:
            params[name] = value
    return params


def _filter_query(form: trail.TrailSearchForm, **extra: str) -> str:
    return urlencode({**_filter_params(form), **extra})


def _rows(entries: Iterable[AuditEntry]) -> list[tuple[AuditEntry, str]]:
    return [(entry, trail.summarise(entry)) for entry in entries]


def _typed_query(request) -> dict[str, str]:
    """What the request asked for, as the access log keeps it, without NUL characters (which
    PostgreSQL refuses in JSON text): for the log of refused input, which may hold anything."""
    return {
        key.replace("\x00", ""): value.replace("\x00", "\ufffd")
        for key, value in request_query(request).items()
    }


def _refused_search(request, form: trail.TrailSearchForm, template_context: dict) -> HttpResponse:
    """Invalid filters: a 400 with the errors. The attempt is logged (what was typed, e.g. an MRN
    that matches nobody, is a look-up too), but nothing was shown."""
    record_request_access(
        request,
        [],
        kind=AccessKind.SEARCH,
        via="compliance",
        model=AuditEntry,
        summary="Audit trail search refused: invalid filters",
        query=_typed_query(request),
    )
    return _render(
        request,
        "compliance/trail.html",
        {"title": "Audit trail", "form": form, **template_context},
        status=400,
    )


def _linked_filters(form: trail.TrailSearchForm) -> list[tuple[str, str]]:
    """The filters that came from a link (by id): what each says, and the search without it."""
    linked = []
    for name, label in (("patient_id", "patient record"), ("case_id", "case record")):
        if form.cleaned_data.get(name) is not None:
            params = _filter_params(form)
            params.pop(name, None)
            linked.append((f"{label} #{form.cleaned_data[name]}", urlencode(params)))
    return linked


@compliance_required(VIEW_TRAIL)
@require_read
def trail_search(request):
    form = trail.TrailSearchForm(request.GET, viewer=request.user)
    if not form.is_valid():
        return _refused_search(request, form, {})
    result = trail.page(form.cleaned_data)
    record_request_access(
        request,
        [],
        kind=AccessKind.SEARCH,
        via="compliance",
        model=AuditEntry,
        summary="Audit trail search",
        query=form.filters(),
        subject=form.subject(),
    )
    return _render(
        request,
        "compliance/trail.html",
        {
            "title": "Audit trail",
            "form": form,
            "rows": _rows(result.entries),
            "searched": True,
            "older_query": _filter_query(form, cursor=result.next_cursor)
            if result.next_cursor
            else "",
            "newest_query": _filter_query(form) if form.cleaned_data.get("cursor") else None,
            "export_query": _filter_query(form),
            "linked_filters": _linked_filters(form),
            "page_size": trail.PAGE_SIZE,
        },
    )


async def _stream_async(lines: Iterator[str]) -> AsyncIterator[str]:
    """The CSV for an ASGI server, which would otherwise read a synchronous iterator into memory
    whole before sending a byte: database reads in the request's thread, a chunk at a time."""
    take = sync_to_async(lambda: "".join(itertools.islice(lines, CSV_LINES_PER_CHUNK)))
    try:
        while chunk := await take():
            yield chunk
    finally:
        await sync_to_async(getattr(lines, "close", lambda: None))()


@compliance_required(VIEW_TRAIL, EXPORT_TRAIL)
@require_GET
def trail_export(request):
    form = trail.TrailSearchForm(request.GET, viewer=request.user)
    if not form.is_valid():
        return _refused_search(request, form, {"export_refused": True})
    # Logged before the first byte leaves (and so before anything is read).
    record_request_access(
        request,
        [],
        kind=AccessKind.EXPORT,
        via="compliance",
        model=AuditEntry,
        summary="Audit trail export",
        query=form.filters(),
        subject=form.subject(),
    )
    lines = trail.csv_rows(trail.search(form.cleaned_data))
    content = _stream_async(lines) if isinstance(request, ASGIRequest) else lines
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    stamp = timezone.now().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    return response


# --- who accessed a patient's record --------------------------------------------------------------


@compliance_required(VIEW_TRAIL)
@require_read
def patient_lookup(request):
    """The MRN box: to the patient's report. An MRN that matches nobody is a 400 with the error
    (and is logged as a look-up that found nothing)."""
    if "mrn" not in request.GET:
        form = PatientLookupForm(viewer=request.user)
        return _render(
            request, "compliance/patient_lookup.html", {"title": "Patient look-up", "form": form}
        )
    form = PatientLookupForm(request.GET, viewer=request.user)
    if form.is_valid():
        return redirect("compliance:patient-access", pk=form.cleaned_data["mrn"].pk)
    if form.has_error("mrn", "not_found"):
        record_request_access(
            request,
            [],
            kind=AccessKind.LOOKUP,
            via="compliance",
            model=Patient,
            query=_typed_query(request),
        )
    return _render(
        request,
        "compliance/patient_lookup.html",
        {"title": "Patient look-up", "form": form},
        status=400,
    )


@compliance_required(VIEW_TRAIL)
@require_read
def patient_access(request, pk: int):
    patient = get_object_or_404(Patient.objects.restrict(request.user, "view"), pk=pk)
    people = trail.accesses_of_patient(patient.pk)
    emergency = list(
        BreakGlassAccess.objects.filter(case__patient_id=patient.pk)
        .select_related("user", "case", "reviewed_by")
        .order_by("-granted_at", "-id")
    )
    recent = trail.page(
        {"patient": patient.pk, "action": AuditEntry.Action.ACCESS}, size=REPORT_RECENT
    )
    record_request_access(request, [patient], kind=AccessKind.REPORT, via="compliance")
    trail_url = reverse("compliance:trail")
    for person in people:
        person["trail_query"] = urlencode(
            {"patient_id": patient.pk, "user": person["actor__username"]}
        )
    return _render(
        request,
        "compliance/patient_access.html",
        {
            "title": "Who accessed this record",
            "patient": patient,
            "people": people,
            "emergency": emergency,
            "rows": _rows(recent.entries),
            "more_recent": recent.next_cursor is not None,
            "recent_limit": REPORT_RECENT,
            "trail_url": trail_url,
            "accesses_query": urlencode(
                {"patient_id": patient.pk, "action": AuditEntry.Action.ACCESS}
            ),
            "all_query": urlencode({"patient_id": patient.pk}),
        },
    )


# --- break-the-glass review -----------------------------------------------------------------------


@compliance_required(REVIEW_BREAK_GLASS)
@require_read
def break_glass_list(request):
    form = BreakGlassFilterForm(request.GET)
    if not form.is_valid():
        return _render(
            request,
            "compliance/break_glass_list.html",
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
        "compliance/break_glass_list.html",
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
                return redirect("compliance:break-glass-review", pk=access.pk)
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
        "compliance/break_glass_review.html",
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


# --- the chain ------------------------------------------------------------------------------------


@compliance_required(VIEW_TRAIL)
@require_read
def chain_status(request):
    head = current_head()
    if head is not None:
        head = {**head, "time": datetime.fromisoformat(head["timestamp"])}
    verifications = list(
        ChainVerification.objects.select_related("requested_by").order_by("-started_at", "-id")[:20]
    )
    return _render(
        request,
        "compliance/chain.html",
        {
            "title": "Audit chain verification",
            "head": head,
            "verifications": verifications,
            "status": latest_verification_status(),
        },
    )


@compliance_required(VIEW_TRAIL, VERIFY_CHAIN)
@require_POST
def chain_verify(request):
    """Verify now: inline where Celery is eager (development, tests), else queued for a worker."""
    try:
        result = verify_audit_chain.delay(
            source=VerificationSource.PAGE, requested_by=request.user.pk
        )
    except Exception:
        logger.exception("audit chain verification requested by user %s failed", request.user.pk)
        messages.error(
            request, "The verification could not be run. It is recorded below if it started."
        )
        return redirect("compliance:chain")
    if isinstance(result, EagerResult):
        record = ChainVerification.objects.filter(pk=result.result).first()
        if record is not None and record.intact:
            messages.success(
                request, f"The audit chain is intact ({record.checked} entries checked)."
            )
        elif record is not None:
            where = f" at entry {record.broken_at}" if record.broken_at is not None else ""
            messages.error(request, f"The audit chain is BROKEN{where}: {record.reason}")
    else:
        messages.info(
            request,
            "Verification requested: it runs in the background. Reload this page for its result.",
        )
    return redirect("compliance:chain")
