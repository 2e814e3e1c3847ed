"""``SecondFactorMiddleware``: a person who owes a second factor (``mfa.policy``) reaches only the
second factor's pages, logout, the login page and static files until they give it. Any other
page redirects to enrolment (no authenticator yet) or to the code step, with ``next`` for a
GET. The API (``/api/``) is left to DRF: staff sessions authenticate there through
``api.authentication.VerifiedSessionAuthentication`` (403 ``mfa_required``), partner tokens are
not sessions and are never asked.

Placed right after django-otp's ``OTPMiddleware`` (which sets ``request.user.is_verified()``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseForbidden, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse

from mfa.policy import State, session_state

API_PREFIX = "/api/"
HEALTH_PATHS = ("/healthz", "/readyz")
# Reachable while the second factor is owed.
OPEN_PAGES = (
    "mfa:enrol",
    "mfa:verify",
    "admin:logout",
    "admin:login",
    # The code step's passkey: its ceremony and its script's messages (mfa/passkeys.py).
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
)


def _path_of(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:  # a URLconf without it (a test's own, a trimmed deployment)
        return None


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if (
            path.startswith(API_PREFIX)
            or path in HEALTH_PATHS
            or (settings.STATIC_URL and path.startswith("/" + settings.STATIC_URL.lstrip("/")))
            or not request.user.is_authenticated
        ):
            return self.get_response(request)
        state = session_state(request.user)
        if state is State.SATISFIED:
            return self.get_response(request)
        open_paths = {_path_of(name) for name in OPEN_PAGES}
        if path in open_paths:
            return self.get_response(request)
        target = _path_of("mfa:enrol" if state is State.ENROL else "mfa:verify")
        if target is None:
            # No second factor's pages in this URLconf: refuse rather than serve the page.
            return HttpResponseForbidden("This account must give a second factor first.")
        if request.method in ("GET", "HEAD"):
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)
