"""Deployment checks of the project's own settings (``manage.py check --deploy``; CI runs it in
production mode with ``--fail-level WARNING``)."""

from __future__ import annotations

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
