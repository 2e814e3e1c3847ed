"""The write path of the second factor (ARCHITECTURE.md convention 1): enrolment of an
authenticator app, recovery codes, the code step, and an administrator's reset. Each writes its
authentication event to the audit trail (``compliance.auth_log``); no secret, code or recovery
code is ever recorded or logged.

Codes are checked by django-otp's devices (``django_otp.verify_token``: the device locked for the
check, a code used once, the throttling of wrong codes); a session is marked verified with
``django_otp.login``. Recovery codes are django-otp's static tokens, one device per person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import User
from compliance.auth_log import AuthEvent, record_auth_event
from mfa import policy

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
TOTP = "totp"
RECOVERY_CODE = "recovery_code"
WEBAUTHN = "webauthn"
RESET_PERMISSION = "otp_totp.delete_totpdevice"


@dataclass(frozen=True)
class Outcome:
    """The result of a code step: ``device`` when it passed; otherwise whether the devices were
    throttled (and until when) rather than the code wrong."""

    device: Any = None
    method: str = TOTP
    throttled_until: datetime | None = None

    @property
    def passed(self) -> bool:
        return self.device is not None


def normalise_code(raw: str) -> str:
    """What a person typed, without the spaces and hyphens apps and printouts add."""
    return "".join(raw.split()).replace("-", "").lower()


def code_method(code: str) -> str | None:
    """``totp`` for the app's code (6 digits), ``recovery_code`` for a recovery code (8 letters
    and digits), None for anything else."""
    if len(code) == 6 and code.isdigit():
        return TOTP
    if len(code) == 8 and code.isalnum() and code.isascii():
        return RECOVERY_CODE
    return None


# --- enrolment ------------------------------------------------------------------------------------


def totp_enrolment_begin(*, actor) -> TOTPDevice:
    """The authenticator being set up for ``actor``: the unconfirmed device of an earlier visit
    (the same secret until it is confirmed), or a new one with a fresh random secret."""
    if not policy.is_person(actor):
        raise PermissionDenied("Only people use a second factor.")
    if policy.is_enrolled(actor):
        raise ValidationError(
            "An authenticator app is already set up for this account; an administrator resets "
            "it when the phone is lost.",
            code="already_enrolled",
        )
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by(
        "-pk"
    ).first() or TOTPDevice.objects.create(user=actor, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def totp_enrolment_confirm(*, actor, request, device: TOTPDevice, code: str) -> list[str]:
    """Confirm ``device`` with the first code the app shows: the device becomes the person's
    authenticator, the session is verified, and the recovery codes are issued (returned, to be
    shown once). A wrong code raises ``ValidationError`` (audited as ``mfa_failed``)."""
    if device.user_id != actor.pk or device.confirmed:
        raise PermissionDenied("Not an authenticator being set up for this account.")
    # Checked in a transaction of its own: a wrong code's throttling count stays written.
    verified = verify_token(actor, device.persistent_id, code)
    if verified is None:
        _failed(request, actor, TOTP, stage="enrolment")
        raise ValidationError(
            "That code does not match: check the phone's clock and enter the code the app "
            "shows now.",
            code="wrong_code",
        )
    with transaction.atomic():
        verified.confirmed = True
        verified.save(update_fields=["confirmed"])
        # Leftovers of earlier, never confirmed attempts.
        TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
        record_auth_event(AuthEvent.MFA_ENROLLED, request=request, user=actor, method=TOTP)
        codes = recovery_codes_issue(actor=actor, request=request)
    _mark_verified(request, verified)
    return codes


def recovery_codes_issue(*, actor, request) -> list[str]:
    """A new set of single-use recovery codes for ``actor`` (returned, to be shown once); the
    previous set stops working."""
    if not policy.is_enrolled(actor):
        raise ValidationError(
            "Set up an authenticator app first; recovery codes stand in for it.",
            code="not_enrolled",
        )
    with transaction.atomic():
        StaticDevice.objects.filter(user=actor).delete()
        device = StaticDevice.objects.create(user=actor, name=RECOVERY_NAME, confirmed=True)
        codes: list[str] = []
        while len(codes) < settings.MFA_RECOVERY_CODES:
            token = StaticToken.random_token()
            if token not in codes and code_method(token) == RECOVERY_CODE:
                codes.append(token)
        StaticToken.objects.bulk_create(StaticToken(device=device, token=t) for t in codes)
        record_auth_event(
            AuthEvent.MFA_RECOVERY_CODES, request=request, user=actor, count=len(codes)
        )
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- the code step --------------------------------------------------------------------------------


def second_factor_verify(*, request, user, code: str) -> Outcome:
    """Check ``code`` (already normalised: ``normalise_code``) against the person's authenticator
    or recovery codes. Passed: the session is verified (and its key renewed) and ``mfa_verified``
    recorded; otherwise ``mfa_failed``, with ``throttled`` when django-otp's back-off refused to
    check at all."""
    method = code_method(code)
    if method is None:
        raise ValidationError(
            "Enter the 6-digit code from the authenticator app, or one 8-character recovery code.",
            code="malformed",
        )
    model = TOTPDevice if method == TOTP else StaticDevice
    devices = list(model.objects.filter(user=user, confirmed=True).order_by("pk"))
    throttled_until = None
    passed = None
    with transaction.atomic():
        for device in devices:
            allowed, data = device.verify_is_allowed()
            if not allowed:
                throttled_until = (data or {}).get("locked_until")
                continue
            passed = verify_token(user, device.persistent_id, code)
            if passed is not None:
                break
        if passed is not None:
            record_auth_event(AuthEvent.MFA_VERIFIED, request=request, user=user, method=method)
    if passed is None:
        _failed(request, user, method, throttled=throttled_until is not None)
        return Outcome(method=method, throttled_until=throttled_until)
    _mark_verified(request, passed)
    return Outcome(device=passed, method=method)


# --- passkeys (the ceremonies are django-otp-webauthn's: mfa/passkeys.py) -------------------------


def passkey_registered(*, actor, request) -> None:
    """A passkey was added to ``actor``'s account (by the library, in a session that already gave
    its second factor): audited as ``mfa_enrolled``, method ``webauthn``."""
    record_auth_event(AuthEvent.MFA_ENROLLED, request=request, user=actor, method=WEBAUTHN)


def passkey_verified(*, request, user, device: WebAuthnCredential) -> None:
    """``device`` (checked by the library: the person's own, confirmed, the signature right)
    passed the code step: ``mfa_verified`` and the session verified as after a code."""
    if device.user_id != user.pk or not device.confirmed:
        raise PermissionDenied("Not a passkey of this account.")
    record_auth_event(AuthEvent.MFA_VERIFIED, request=request, user=user, method=WEBAUTHN)
    _mark_verified(request, device)


def passkey_failed(*, request, user, reason: str) -> None:
    """A passkey refused (``reason``: the library's error code, never credential data)."""
    _failed(request, user, WEBAUTHN, reason=reason)


def passkey_remove(*, actor, request, passkey_id: int) -> None:
    """``actor`` removes one of their own passkeys (a session that gave its second factor; the
    page asks for the password first). Someone else's, or none: ``WebAuthnCredential.DoesNotExist``
    (the page's 404). The authenticator app and the other passkeys stay."""
    if not policy.is_person(actor) or not actor.is_verified():
        raise PermissionDenied("Give your second factor in this session first.")
    with transaction.atomic():
        passkey = WebAuthnCredential.objects.select_for_update().get(pk=passkey_id, user=actor)
        passkey.delete()
        record_auth_event(AuthEvent.MFA_REMOVED, request=request, user=actor, method=WEBAUTHN)


def passkeys_of(user) -> list[WebAuthnCredential]:
    return list(WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("pk"))


def _failed(request, user, method: str, **extra: Any) -> None:
    record_auth_event(AuthEvent.MFA_FAILED, request=request, user=user, method=method, **extra)


def _mark_verified(request, device) -> None:
    # A new session key for the more trusted session (as a login renews it).
    request.session.cycle_key()
    otp_login(request, device)


# --- an administrator's reset ---------------------------------------------------------------------


def second_factor_reset(*, actor, user, request=None) -> int:
    """Remove every authenticator, passkey and recovery code of ``user`` (a lost phone): at
    their next login they enrol again (if they must). Their sessions verified with a removed
    device are no longer verified. Returns how many devices were removed. ``actor``: an
    administrator (``otp_totp.delete_totpdevice``), or the system account for an operator's
    ``manage.py mfa_reset``."""
    operator = getattr(actor, "kind", None) == User.Kind.SYSTEM
    if not (operator or actor.has_perm(RESET_PERMISSION)):
        raise PermissionDenied("Resetting a second factor needs otp_totp.delete_totpdevice.")
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
        for model in (StaticDevice, WebAuthnCredential):
            removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
        record_auth_event(
            AuthEvent.MFA_RESET, request=request, user=actor, subject=user, devices=removed
        )
    return removed
