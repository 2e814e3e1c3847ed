"""What every compliance page shares: the permissions they need, ``compliance_required`` (anonymous
users to the login page, anybody else without the permissions a 404), the admin's frame, and
the rows of audit entries the pages show."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.permissions import holds
from compliance.access_log import request_query
from compliance.models import AuditEntry
from oversight import trail

VIEW_TRAIL = "compliance.view_auditentry"
EXPORT_TRAIL = "compliance.export_auditentry"
REVIEW_BREAK_GLASS = "oversight.review_breakglassaccess"
VERIFY_CHAIN = "compliance.add_chainverification"

require_safe_or_post = require_http_methods(["GET", "HEAD", "POST"])
require_read = require_http_methods(["GET", "HEAD"])


# --- access ---------------------------------------------------------------------------------------


def may_use(user, permissions: Iterable[str], *, any_of: bool = False) -> bool:
    """Whether ``user`` holds the page's permissions: an active person (service accounts and
    the system account act through the API and tasks, never these pages) whose roles give them
    — the pages show PHI, so a superuser's blanket permission does not count (issue 17)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if getattr(user, "kind", "person") != "person":
        return False
    check = any if any_of else all
    return check(holds(user, permission) for permission in permissions)


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


def _rows(entries: Iterable[AuditEntry]) -> list[tuple[AuditEntry, str]]:
    return [(entry, trail.summarise(entry)) for entry in entries]


def _typed_query(request) -> dict[str, str]:
    """What the request asked for, as the access log keeps it, without NUL characters (which
    PostgreSQL refuses in JSON text): for the log of refused input, which may hold anything."""
    return {
        key.replace("\x00", ""): value.replace("\x00", "\ufffd")
        for key, value in request_query(request).items()
    }
