"""The answer to a locked-out login (django-axes' ``AXES_LOCKOUT_CALLABLE``): 429 with
``Retry-After`` and a page that says that sign-in is locked, for how long, and that an
administrator can unlock it. It names neither the account nor whether it exists."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.template.response import TemplateResponse


def lockout_minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """axes calls this with (request, response, credentials); nothing but the request is used."""
    minutes = lockout_minutes()
    response = TemplateResponse(
        request,
        "accounts/locked_out.html",
        {"lockout_minutes": minutes, "title": "Sign-in locked"},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(minutes * 60)
    response.render()
    return response
