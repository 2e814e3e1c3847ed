"""Deployment checks of the project's own settings (``manage.py check --deploy``; CI runs it in
production mode with ``--fail-level WARNING``)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register

DEFAULT_ADMIN_URL = "admin/"


@register(Tags.security, deploy=True)
def check_admin_url(app_configs=None, **kwargs):
    """The admin and its login page at the well-known ``/admin/`` draw every scanner on the
    internet to the one form that takes staff passwords: production should move it."""
    if settings.ADMIN_URL != DEFAULT_ADMIN_URL:
        return []
    return [
        Warning(
            "The admin (and the login page) is at the default /admin/.",
            hint="Set ADMIN_URL to a less guessable prefix such as 'staff-7f3k/' "
            "(docs/operations/configuration.md).",
            id="patientcare.W001",
        )
    ]


def _is_local(host: str | None) -> bool:
    """Loopback or a Unix socket: traffic that never crosses a network."""
    if not host or host.startswith("/"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


@register(Tags.security, deploy=True)
def check_transport_encryption(app_configs=None, **kwargs):
    """PHI crosses the network to PostgreSQL and Redis: TLS with the server's certificate
    checked (docs/operations/security.md, "TLS to PostgreSQL and Redis")."""
    warnings = []
    database = settings.DATABASES["default"]
    options = database.get("OPTIONS", {})
    if (
        database["ENGINE"].endswith("postgresql")
        and not _is_local(database.get("HOST"))
        and options.get("sslmode") != "verify-full"
    ):
        warnings.append(
            Warning(
                "The database is reached over the network without sslmode=verify-full.",
                hint="Add ?sslmode=verify-full&sslrootcert=/path/ca.pem to DATABASE_URL "
                "(docs/operations/security.md).",
                id="patientcare.W002",
            )
        )
    redis_url = getattr(settings, "REDIS_URL", "")
    if redis_url:
        parts = urlsplit(redis_url)
        if parts.scheme == "redis" and not _is_local(parts.hostname):
            warnings.append(
                Warning(
                    "Redis is reached over the network without TLS.",
                    hint="Use rediss:// in REDIS_URL, with ?ssl_ca_certs=/path/ca.pem unless "
                    "the system's CAs sign its certificate (docs/operations/security.md).",
                    id="patientcare.W003",
                )
            )
    return warnings


@register(Tags.security, deploy=True)
def check_passkeys_available(app_configs=None, **kwargs):
    """Passkeys need a host name to bind to (patientcare/settings_mfa.py): with only IP addresses
    in ALLOWED_HOSTS and no MFA_PASSKEY_RP_ID they are unavailable, and the operator is told."""
    if getattr(settings, "MFA_PASSKEYS", True):
        return []
    return [
        Warning(
            "Passkeys are unavailable: ALLOWED_HOSTS names no host and MFA_PASSKEY_RP_ID is unset.",
            hint="Serve on a host name, or set MFA_PASSKEY_RP_ID (docs/operations/configuration.md,"
            ' "Second factor"). Authenticator apps and recovery codes work meanwhile.',
            id="patientcare.W004",
        )
    ]
