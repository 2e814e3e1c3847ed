"""Who may break the glass, and how often (issue 17; docs/architecture/access.md,
"Break-the-glass"). The settings are in patientcare/settings_break_glass.py.

* ``may_break_glass(user)`` — an active person in one of ``BREAK_GLASS_ROLES`` (by default the
  roles with a clinical or privacy duty). Being a superuser does not count: emergency access to
  PHI follows the person's role, never the configuration account's blanket permissions.
* ``opened_in_window(user, now)`` — the emergency accesses ``user`` opened in the last 24 hours,
  for ``BREAK_GLASS_DAILY_LIMIT`` (a rolling window: it does not reset at some midnight).
* ``check_settings()`` — run when the application starts (``OversightConfig.ready``): every
  configured role must be a known job role.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from accounts.models import User
from accounts.roles import ROLE_PERMISSIONS, Role
from oversight.models import BreakGlassAccess

LIMIT_WINDOW = timedelta(hours=24)
# Not job roles a person breaks the glass in: a partner's service account never may, and the
# sensitive-records clearance is added to a job role, it is not one.
NOT_ALLOWED_ROLES = frozenset({Role.PARTNER_SYSTEM, Role.SENSITIVE_RECORDS})


def break_glass_roles() -> list[str]:
    return list(settings.BREAK_GLASS_ROLES)


def daily_limit() -> int:
    return int(settings.BREAK_GLASS_DAILY_LIMIT)


def check_settings() -> None:
    """ImproperlyConfigured for a ``BREAK_GLASS_ROLES`` that is empty or names anything but a
    job role of accounts/roles.py (a typo would silently lock everybody out, or worse)."""
    roles = settings.BREAK_GLASS_ROLES
    if isinstance(roles, str) or not roles:
        raise ImproperlyConfigured(
            "BREAK_GLASS_ROLES must list at least one role, e.g. 'Clinician,Compliance officer'."
        )
    known = sorted(set(ROLE_PERMISSIONS) - NOT_ALLOWED_ROLES)
    unknown = [role for role in roles if role not in known]
    if unknown:
        raise ImproperlyConfigured(
            f"BREAK_GLASS_ROLES names {', '.join(map(repr, unknown))}, which is not a job role; "
            f"choose among {', '.join(known)}."
        )
    limit = settings.BREAK_GLASS_DAILY_LIMIT
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
        raise ImproperlyConfigured("BREAK_GLASS_DAILY_LIMIT must be a whole number, 1 to 100.")


def may_break_glass(user) -> bool:
    """An active person holding one of the configured roles (a superuser is no exception)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "kind", User.Kind.PERSON) != User.Kind.PERSON:
        return False
    return user.groups.filter(name__in=break_glass_roles()).exists()


def opened_in_window(user, now: datetime) -> int:
    """How many emergency accesses ``user`` opened in the 24 hours before ``now``."""
    return BreakGlassAccess.objects.filter(user=user, granted_at__gt=now - LIMIT_WINDOW).count()


def next_allowed_at(user, now: datetime) -> datetime | None:
    """When the oldest access of the window leaves it (so one more may be opened)."""
    oldest = (
        BreakGlassAccess.objects.filter(user=user, granted_at__gt=now - LIMIT_WINDOW)
        .order_by("-granted_at")
        .values_list("granted_at", flat=True)[daily_limit() - 1 : daily_limit()]
    )
    first = next(iter(oldest), None)
    return first + LIMIT_WINDOW if first is not None else None
