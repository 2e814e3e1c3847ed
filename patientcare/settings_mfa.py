"""The second factor with django-otp (issue 17; docs/operations/configuration.md, "Second factor").

Who must use it (``mfa.policy``): superusers, the roles in ``MFA_REQUIRED_ROLES`` (by default
administrators, compliance officers and supervisors), every person when
``MFA_REQUIRED_FOR_ALL_STAFF`` is on, and anybody who enrolled an authenticator voluntarily.
Service accounts (partner systems, the system account) never: they do not log in to the pages.
A person who must and has no authenticator yet is sent to enrolment on their first login;
one who has one, to the code step. ``mfa.middleware.SecondFactorMiddleware`` keeps every page
but the second factor's own, logout and static files closed until then; the API answers 403
``mfa_required`` (api/authentication.py).

Passkeys (django-otp-webauthn) are a second device type beside the authenticator app, never a
login of their own: ``passkey_relying_party`` below derives and checks their relying party.
"""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from patientcare.env import env_bool, env_int, env_list

MFA_REQUIRED_ROLES = env_list(
    "MFA_REQUIRED_ROLES", ["Administrator", "Compliance officer", "Supervisor"]
)
MFA_REQUIRED_FOR_ALL_STAFF = env_bool("MFA_REQUIRED_FOR_ALL_STAFF", False)
# The name the authenticator app shows beside the account (otpauth:// issuer).
OTP_TOTP_ISSUER = os.environ.get("MFA_ISSUER", "PatientCare").strip() or "PatientCare"
# Wrong codes: django-otp's exponential back-off per device (1 s, 2 s, 4 s … after each failure
# in a row; reset by a right code). 0 would switch it off, which is refused here.
OTP_TOTP_THROTTLE_FACTOR = env_int("MFA_THROTTLE_FACTOR", 1)
OTP_STATIC_THROTTLE_FACTOR = OTP_TOTP_THROTTLE_FACTOR
if OTP_TOTP_THROTTLE_FACTOR < 1:
    raise ImproperlyConfigured("MFA_THROTTLE_FACTOR must be at least 1: wrong codes are throttled.")
# How many single-use recovery codes a person gets at enrolment and at each renewal.
MFA_RECOVERY_CODES = env_int("MFA_RECOVERY_CODES", 10)
if not 5 <= MFA_RECOVERY_CODES <= 20:
    raise ImproperlyConfigured("MFA_RECOVERY_CODES must be 5 to 20.")
# Never show a secret, a QR code or a recovery code in the admin (mfa/admin.py replaces
# django-otp's device admins with read-only lists; this keeps its own ones quiet too).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- passkeys (django-otp-webauthn): a second device type beside the authenticator app -------
# Only as a second factor: its passwordless login would skip the password and the lockout.
# mfa/passkeys.py refuses a ceremony without a logged-in person as well.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_NAME = os.environ.get("MFA_PASSKEY_RP_NAME", "").strip() or OTP_TOTP_ISSUER
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = "mfa.passkeys"
# The demo's port (run.py, manage.py runserver): its origin http://localhost:8000.
LOCAL_PASSKEY_PORT = 8000


def _is_domain(host: str) -> bool:
    """A host name a passkey can be scoped to: not an IP address, not a wildcard."""
    host = host.strip().lstrip(".").lower()
    if not host or host == "*" or host.startswith("[") or ":" in host:
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return True
    return False


def _valid_origin(origin: str, rp_id: str) -> bool:
    parts = urlsplit(origin)
    host = (parts.hostname or "").lower()
    if parts.path or parts.query or parts.fragment or not host:
        return False
    # Plain http only on localhost (a browser's "secure context").
    secure = host == "localhost" if parts.scheme == "http" else parts.scheme == "https"
    return secure and (host == rp_id or host.endswith("." + rp_id))


def passkey_relying_party(allowed_hosts: list[str], *, production: bool) -> tuple[str, list[str]]:
    """The relying party id and the origins passkeys are accepted from (settings.py calls this
    with ``ALLOWED_HOSTS``). ``MFA_PASSKEY_RP_ID`` (default: the first host name of
    ``ALLOWED_HOSTS``, without a leading dot) and ``MFA_PASSKEY_ORIGINS`` (default: ``https://``
    each host name of ``ALLOWED_HOSTS`` within the relying party id; outside production also
    ``http://localhost:8000``, the demo). A passkey is bound to its relying party id: changing
    it means registering passkeys again. ``("", [])`` when ``ALLOWED_HOSTS`` names no host and
    ``MFA_PASSKEY_RP_ID`` is unset: passkeys are then unavailable (``MFA_PASSKEYS`` False)."""
    hosts = [host.strip().lstrip(".").lower() for host in allowed_hosts if _is_domain(host)]
    explicit = os.environ.get("MFA_PASSKEY_RP_ID", "").strip().lower()
    if not explicit and not hosts:
        # Only IP addresses to serve on: passkeys cannot be bound to one, so they are
        # unavailable (no button, the ceremonies a 404, a deploy-check warning) — never a refused
        # start; the authenticator app and recovery codes work as ever.
        return "", []
    rp_id = explicit or hosts[0]
    if not _is_domain(rp_id):
        raise ImproperlyConfigured(
            "MFA_PASSKEY_RP_ID must be a host name (passkeys cannot be bound to an IP address); "
            "set it, or name a host in ALLOWED_HOSTS."
        )
    within = [host for host in hosts if host == rp_id or host.endswith("." + rp_id)]
    default = [f"https://{host}" for host in within]
    if not production and rp_id == "localhost":
        default.append(f"http://localhost:{LOCAL_PASSKEY_PORT}")
    origins = env_list("MFA_PASSKEY_ORIGINS", default)
    wrong = [origin for origin in origins if not _valid_origin(origin, rp_id)]
    if wrong or not origins:
        raise ImproperlyConfigured(
            f"MFA_PASSKEY_ORIGINS: {', '.join(wrong) or 'none'} — each must be https://HOST[:PORT] "
            f"(http:// only for localhost) with HOST {rp_id!r} or a subdomain of it."
        )
    return rp_id, origins
