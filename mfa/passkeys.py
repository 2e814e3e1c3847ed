"""Passkeys (WebAuthn) as a second factor, through django-otp-webauthn's views and its script.

The library's four ceremony views are subclassed through their documented hooks
(``check_can_register``, ``check_can_authenticate``, ``complete_auth``) and mounted under its
own namespace (``otp_webauthn``, which its template tags reverse) by ``mfa.passkey_urls``; the
library's own URLconf is not included. What the subclasses add:

* only a logged-in *person* takes part; registering needs a session that already gave its
  second factor (the library asks that only of people with a device), and an anonymous
  request is refused even if ``OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN`` were turned on;
* a passkey registered is audited as ``mfa_enrolled`` (method ``webauthn``);
* a passkey used is audited as ``mfa_verified`` and marks the session verified exactly as the
  code step does (``mfa.services.passkey_verified``: a new session key, ``django_otp.login``);
  a refused one as ``mfa_failed`` with the library's error code (never the credential); then
  the browser goes to ``next`` (on this site) or ``/``, as after a code.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, JsonResponse
from django_otp_webauthn import exceptions
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

from mfa import policy, services
from mfa.views import DEFAULT_NEXT


def _person_or_refuse(request) -> None:
    if not settings.MFA_PASSKEYS:  # no host name to bind passkeys to: they are unavailable
        raise Http404("Passkeys are not available on this deployment.")
    user = request.user
    if not user.is_authenticated:
        raise exceptions.PasswordlessLoginDisabled()
    if not policy.is_person(user):
        raise exceptions.NotAuthenticated()


class _RegistrationChecks:
    def check_can_register(self) -> None:
        _person_or_refuse(self.request)
        if not self.request.user.is_verified():
            raise exceptions.NotVerified(
                detail="Give your second factor in this session before adding a passkey."
            )


class PasskeyRegistrationBegin(_RegistrationChecks, BeginCredentialRegistrationView):
    pass


class PasskeyRegistrationComplete(_RegistrationChecks, CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        if isinstance(response, JsonResponse) and response.status_code == 200:
            services.passkey_registered(actor=self.request.user, request=self.request)
        return response


class _AuthenticationChecks:
    def check_can_authenticate(self) -> None:
        _person_or_refuse(self.request)
        super().check_can_authenticate()  # type: ignore[misc]


class PasskeyAuthenticationBegin(_AuthenticationChecks, BeginCredentialAuthenticationView):
    pass


class PasskeyAuthenticationComplete(_AuthenticationChecks, CompleteCredentialAuthenticationView):
    def complete_auth(self, device):
        services.passkey_verified(request=self.request, user=self.request.user, device=device)

    def get_success_url(self) -> str:
        # ``next`` when it stays on this site (the library checks it), else where the code step
        # goes: never the library's fallback, Django's unused LOGIN_REDIRECT_URL.
        return self.get_redirect_url() or DEFAULT_NEXT

    def handle_exception(self, exc):
        user = getattr(self.request, "user", None)
        if (
            isinstance(exc, exceptions.OTPWebAuthnApiError)
            and user is not None
            and user.is_authenticated
            and policy.is_person(user)
        ):
            services.passkey_failed(request=self.request, user=user, reason=exc.code)
        return super().handle_exception(exc)
