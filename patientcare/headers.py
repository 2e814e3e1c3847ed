"""Browser hardening on every response Django answers (settings_headers.py).

- ``Cache-Control: no-store`` (and ``private``): pages and API responses carry PHI, and no
  browser, proxy or shared cache may keep them. Static files never reach this middleware
  (whitenoise or the development server answer them first); a path under ``STATIC_URL`` is
  left alone all the same.
- ``Permissions-Policy`` from ``settings.PERMISSIONS_POLICY``.
- The Content-Security-Policy comes from django-csp's middleware, outside this one, through its
  documented extension point (``CSPMiddleware.get_policy_parts``, subclassed below): it adds the
  same host's WebSocket origin to ``connect-src`` (the live queue). This middleware asks for the
  request's nonce, so every policy carries one.
"""

from __future__ import annotations

from collections.abc import Callable

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers, patch_cache_control


def permissions_policy(features: dict[str, list[str]]) -> str:
    """``camera=(), publickey-credentials-get=(self)``: the header's structured-field form."""
    return ", ".join(
        f"{feature}=({' '.join(allowed)})" for feature, allowed in sorted(features.items())
    )


class BrowserHardeningMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.permissions_policy = permissions_policy(settings.PERMISSIONS_POLICY)
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.path.startswith(self.static_prefix):
            return response
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        nonce = getattr(request, "csp_nonce", None)
        if nonce is not None:
            str(nonce)  # every policy names a nonce, whether or not the page used it
        return response


def socket_origin(request: HttpRequest) -> str:
    """The live queue's socket: ``wss://`` the same host (``ws://`` over plain HTTP)."""
    try:
        host = request.get_host()
    except DisallowedHost:
        return ""
    return f"{'wss' if request.is_secure() else 'ws'}://{host}"


class PatientCareCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the request's own WebSocket origin in ``connect-src``."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        origin = socket_origin(request)
        if origin:
            update = dict(parts.update or {})
            update["connect-src"] = [*update.get("connect-src", []), origin]
            parts.update = update
        return parts
