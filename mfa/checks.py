"""``manage.py check``: ``MFA_REQUIRED_ROLES`` names only roles that people hold."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from accounts.roles import ROLE_PERMISSIONS, Role

PEOPLES_ROLES = sorted(set(ROLE_PERMISSIONS) - {Role.PARTNER_SYSTEM, Role.SENSITIVE_RECORDS})


@checks.register(checks.Tags.security)
def required_roles_exist(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    unknown = [name for name in settings.MFA_REQUIRED_ROLES if name not in PEOPLES_ROLES]
    if not unknown:
        return []
    return [
        checks.Error(
            f"MFA_REQUIRED_ROLES names {', '.join(map(repr, unknown))}, not a role of people.",
            hint=f"Use a comma-separated list of: {', '.join(PEOPLES_ROLES)}.",
            id="mfa.E001",
        )
    ]
