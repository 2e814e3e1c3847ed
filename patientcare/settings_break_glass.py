"""Break-the-glass (emergency access) settings (issue 17; docs/architecture/access.md,
"Break-the-glass"; docs/operations/configuration.md).

* ``BREAK_GLASS_MINUTES`` — how long an emergency access lasts (1 to 480 minutes).
* ``BREAK_GLASS_ROLES`` — the role groups (accounts/roles.py) whose members may break the glass:
  by default the roles with a clinical or privacy duty, Clinician and Compliance officer. Agents,
  supervisors and administrators may not. The names are checked against the known roles when
  the application starts (``oversight.apps``): a misspelt role is an error, not a silent lock-out.
* ``BREAK_GLASS_DAILY_LIMIT`` — how many emergency accesses one person may open in any 24 hours
  (a rolling window, so the limit does not reset at midnight in some time zone).
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from patientcare.env import env_int, env_list

BREAK_GLASS_MINUTES = env_int("BREAK_GLASS_MINUTES", 60)
if not 1 <= BREAK_GLASS_MINUTES <= 8 * 60:
    raise ImproperlyConfigured("BREAK_GLASS_MINUTES must be between 1 and 480.")

BREAK_GLASS_ROLES = env_list("BREAK_GLASS_ROLES", ["Clinician", "Compliance officer"])

BREAK_GLASS_DAILY_LIMIT = env_int("BREAK_GLASS_DAILY_LIMIT", 3)
if not 1 <= BREAK_GLASS_DAILY_LIMIT <= 100:
    raise ImproperlyConfigured("BREAK_GLASS_DAILY_LIMIT must be between 1 and 100.")
