"""Access logging: every read of PHI writes ACCESS entries to the audit trail
(docs/architecture/audit.md, "Reads").

One entry per record shown — a case page, each case of a list page, each patient a look-up
returned — so that "who saw this patient's record" is a plain indexed search. The entries of one
page share a correlation id (``cid``) and are chained with one lock, one head read and one INSERT
(``AuditEntry.append_many``). A search that returns nothing is logged too (one entry naming the
searched model): looking someone up is an access attempt.

The write happens before the response leaves: if it fails, the page fails rather than show PHI
unlogged.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from auditlog.cid import get_cid
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.encoding import smart_str

from compliance.models import AuditEntry
from compliance.pci import redact_card_data
from compliance.subjects import subject_of


class AccessKind:
    VIEW = "view"  # one record's page
    LIST = "list"  # a list page: each record listed
    SEARCH = "search"  # a list filtered by a search term
    LOOKUP = "lookup"  # the intake look-up box
    HISTORY = "history"  # a record's past versions
    EXPORT = "export"  # a download
    REPORT = "report"  # a compliance report about the record

    ALL = (VIEW, LIST, SEARCH, LOOKUP, HISTORY, EXPORT, REPORT)


# Parameters that say nothing about what was asked for.
_IGNORED_PARAMETERS = {"csrfmiddlewaretoken", "_changelist_filters", "p", "o", "cursor"}
MAX_QUERY_VALUE = 200


def client_address(request) -> str | None:
    """The client's IP address. ``REMOTE_ADDR`` unless ``TRUSTED_PROXY_COUNT`` proxies stand in
    front of the application: then the address the outermost trusted proxy saw, taken from the
    right of ``X-Forwarded-For`` (the left part is whatever the client chose to send)."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def safe_text(value: str) -> str:
    """Text fit for the trail: card numbers redacted (PCI DSS 3.3) and NUL replaced (PostgreSQL
    refuses it in JSON: a crafted query string must not turn a page into a 500)."""
    return redact_card_data(value.replace("\x00", "\ufffd"))[0]


def request_query(request) -> dict[str, str]:
    """What the request asked for (filters and search terms), bounded in size. ``record_access``
    redacts card numbers someone typed into a search box (PCI DSS 3.3: not even in the trail)."""
    source = request.GET
    query = {}
    for key in sorted(source):
        if key in _IGNORED_PARAMETERS:
            continue
        query[key[:50]] = ",".join(source.getlist(key))[:MAX_QUERY_VALUE]
    return query


def record_access(
    objects: Iterable[models.Model],
    *,
    actor,
    kind: str,
    via: str,
    remote_addr: str | None = None,
    path: str = "",
    query: Mapping[str, Any] | None = None,
    model: type[models.Model] | None = None,
    cid: str | None = None,
    summary: str = "",
    subject: tuple[int | None, int | None] = (None, None),
) -> int:
    """Write one ACCESS entry per object. Without objects: one entry about ``model`` when a search
    found nothing (``query``) or when ``summary`` says what was read (an export, a search of the
    trail itself), with ``subject`` (patient pk, case pk) when it was about one patient or case.
    Returns the number of entries written."""

    if kind not in AccessKind.ALL:
        raise ValueError(f"Unknown access kind {kind!r}.")
    if actor is None or not getattr(actor, "pk", None):
        raise ValueError("Access logging needs the actor.")
    objects = list(objects)
    details: dict[str, Any] = {"kind": kind, "via": via}
    if path:
        details["path"] = safe_text(path[:300])
    if query:
        details["query"] = {
            safe_text(str(key)): safe_text(str(value)) for key, value in query.items()
        }
    if len(objects) > 1:
        details["listed"] = len(objects)
    cid = cid or uuid.uuid4().hex
    entries = []
    for obj in objects:
        patient_pk, case_pk = subject_of(obj)
        entries.append(
            AuditEntry(
                content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
                object_pk=str(obj.pk),
                object_id=obj.pk if isinstance(obj.pk, int) else None,
                object_repr=smart_str(obj)[:500],
                action=AuditEntry.Action.ACCESS,
                actor=actor,
                remote_addr=remote_addr,
                additional_data={"access": details},
                patient_pk=patient_pk,
                case_pk=case_pk,
                cid=cid,
            )
        )
    if not entries and model is not None and (query or summary):
        entries.append(
            AuditEntry(
                content_type=ContentType.objects.get_for_model(model, for_concrete_model=True),
                object_pk="",
                object_repr=summary or f"{model._meta.verbose_name_plural}: nothing found",
                action=AuditEntry.Action.ACCESS,
                actor=actor,
                remote_addr=remote_addr,
                additional_data={"access": details if summary else {**details, "listed": 0}},
                patient_pk=subject[0],
                case_pk=subject[1],
                cid=cid,
            )
        )
    AuditEntry.append_many(entries)
    return len(entries)


def record_request_access(
    request,
    objects: Iterable[models.Model],
    *,
    kind: str,
    via: str,
    model: type[models.Model] | None = None,
    query: Mapping[str, Any] | None = None,
    summary: str = "",
    subject: tuple[int | None, int | None] = (None, None),
) -> int:
    """``record_access`` for a web request: its user, client address, path and query."""
    return record_access(
        objects,
        actor=request.user,
        kind=kind,
        via=via,
        remote_addr=client_address(request),
        path=request.path,
        query=request_query(request) if query is None else query,
        model=model,
        summary=summary,
        subject=subject,
        cid=get_cid(),  # the request's correlation id (auditlog's middleware), when it has one
    )
