"""The audit trail search and its CSV export (streamed; asynchronously under ASGI). Every search,
refused or not, writes its access-log entry before it responds."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from datetime import UTC
from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from compliance.access_log import AccessKind, record_request_access
from compliance.models import AuditEntry
from oversight import trail
from oversight.views.base import (
    EXPORT_TRAIL,
    VIEW_TRAIL,
    _render,
    _rows,
    _typed_query,
    compliance_required,
    require_read,
)

CSV_LINES_PER_CHUNK = 500


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
        "oversight/trail.html",
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
        "oversight/trail.html",
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
