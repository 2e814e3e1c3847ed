"""The second factor's pages (thin edges: form → service → page):

* ``enrol`` — set up an authenticator app: a QR code (inline SVG, drawn by segno) and the same
  secret as text for typing in, confirmed by the first code; then the recovery codes, shown once.
* ``verify`` — the code step after the password: the app's code or a recovery code, or a
  passkey (django-otp-webauthn's script and ceremonies: mfa/passkeys.py).
* ``manage`` — the account's second factor: whether it is set up, recovery codes left, new
  recovery codes (password again), the passkeys and adding one, and voluntary enrolment for
  those not required to.
* ``passkey_remove`` — remove one of your own passkeys (password again).

Anonymous visitors go to the login page; service accounts (no pages) get a 404. Responses are
never cached (a secret or recovery codes may be on them).
"""

from __future__ import annotations

import functools
from base64 import b32encode
from collections.abc import Callable
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from mfa import policy, services
from mfa.forms import CodeForm, PasswordConfirmForm

DEFAULT_NEXT = "/"


def person_required(view: Callable) -> Callable:
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not policy.is_person(request.user):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return never_cache(require_http_methods(["GET", "HEAD", "POST"])(wrapper))


def _next(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return DEFAULT_NEXT


def _render(request, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    context = {**admin.site.each_context(request), "next": _next(request), **context}
    return render(request, template, context, status=status)


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@person_required
def enrol(request) -> HttpResponse:
    user = request.user
    if policy.is_enrolled(user):
        target = "mfa:manage" if user.is_verified() else "mfa:verify"
        return HttpResponseRedirect(_url(target, request))
    device = services.totp_enrolment_begin(actor=user)
    form = CodeForm(request.POST or None, recovery_allowed=False)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                codes = services.totp_enrolment_confirm(
                    actor=user, request=request, device=device, code=form.cleaned_data["code"]
                )
            except ValidationError as error:
                form.add_error("code", error)
            else:
                return _render(
                    request,
                    "mfa/recovery_codes.html",
                    {"title": "Second factor set up: your recovery codes", "codes": codes},
                )
        status = 400
    secret = b32encode(device.bin_key).decode()
    qr = segno.make(device.config_url, error="m")
    context = {
        "title": "Set up your second factor",
        "form": form,
        "secret": _grouped(secret),
        "qr_svg": qr.svg_inline(scale=4, title="QR code of the authenticator secret"),
        "required": policy.must_use(user),
    }
    return _render(request, "mfa/enrol.html", context, status=status)


@person_required
def verify(request) -> HttpResponse:
    user = request.user
    if user.is_verified():
        return HttpResponseRedirect(_next(request))
    if not policy.is_enrolled(user):
        target = "mfa:enrol" if policy.must_use(user) else None
        return HttpResponseRedirect(_url(target, request) if target else _next(request))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            outcome = services.second_factor_verify(
                request=request, user=user, code=form.cleaned_data["code"]
            )
            if outcome.passed:
                return HttpResponseRedirect(_next(request))
            if outcome.throttled_until is not None:
                status = 429
                wait = max(1, int((outcome.throttled_until - timezone.now()).total_seconds()))
                form.add_error(
                    "code",
                    ValidationError(
                        f"Too many wrong codes: try again in {wait} seconds.", code="throttled"
                    ),
                )
            else:
                form.add_error(
                    "code", ValidationError("That code is not right.", code="wrong_code")
                )
    context = {
        "title": "Enter your second factor",
        "form": form,
        "has_passkey": settings.MFA_PASSKEYS and bool(services.passkeys_of(user)),
    }
    return _render(request, "mfa/verify.html", context, status=status)


@person_required
def manage(request) -> HttpResponse:
    user = request.user
    enrolled = policy.is_enrolled(user)
    form = PasswordConfirmForm(request.POST or None, user=user)
    status = 200
    if request.method == "POST":
        status = 400
        if not enrolled:
            form.add_error(None, "Set up an authenticator app first.")
        elif form.is_valid():
            codes = services.recovery_codes_issue(actor=user, request=request)
            return _render(
                request,
                "mfa/recovery_codes.html",
                {"title": "Your new recovery codes", "codes": codes},
            )
    context = {
        "title": "Your second factor",
        "form": form,
        "enrolled": enrolled,
        "required": policy.must_use(user),
        "codes_left": services.recovery_codes_left(user) if enrolled else 0,
        "passkeys": services.passkeys_of(user) if enrolled else [],
        # Adding a passkey needs a session that gave its second factor (mfa/passkeys.py).
        "can_add_passkey": settings.MFA_PASSKEYS and enrolled and user.is_verified(),
    }
    return _render(request, "mfa/manage.html", context, status=status)


@person_required
def passkey_remove(request, passkey_id: int) -> HttpResponse:
    """Remove one of your own passkeys (POST, with the password); another person's is a 404."""
    user = request.user
    passkey = next((p for p in services.passkeys_of(user) if p.pk == passkey_id), None)
    if passkey is None or not user.is_verified():
        raise Http404("No such passkey.")
    form = PasswordConfirmForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        services.passkey_remove(actor=user, request=request, passkey_id=passkey.pk)
        return HttpResponseRedirect(reverse("mfa:manage"))
    context = {"title": "Remove a passkey", "form": form, "passkey": passkey}
    status = 400 if request.method == "POST" else 200
    return _render(request, "mfa/passkey_remove.html", context, status=status)


def _url(name: str, request) -> str:
    return reverse(name) + "?" + urlencode({"next": _next(request)})
