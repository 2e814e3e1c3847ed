"""Login lockout with django-axes (issue 17; docs/operations/configuration.md, "Login lockout").

Every password login goes through Django's ``authenticate`` — the admin's login page, which the
console and the compliance pages send people to (``LOGIN_URL``) — and axes' backend, first in
``AUTHENTICATION_BACKENDS``, refuses it while the account *or* the address is locked: after
``LOGIN_FAILURE_LIMIT`` failures within ``LOGIN_LOCKOUT_MINUTES`` for one username (from any
address), or from one address (for any usernames). A refused attempt while locked starts the
cool-off again; a successful login clears the failures of its username and address.
Administrators unlock early: the admin's "Access attempts" (delete the rows) or
``manage.py axes_reset_username NAME`` / ``axes_reset_ip ADDRESS`` / ``axes_reset``.
"""

from __future__ import annotations

import os
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from patientcare.env import env_hours, env_int

LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
if LOGIN_FAILURE_LIMIT < 1 or LOGIN_LOCKOUT_MINUTES < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES must be at least 1.")

AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
# By account or by address: either one over the limit locks.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# The client address the audit trail records (TRUSTED_PROXY_COUNT; X-Forwarded-For is never
# taken from the client itself).
AXES_CLIENT_IP_CALLABLE = "compliance.access_log.client_address"
# 429 with Retry-After and a page that says for how long and whom to ask (accounts/lockout.py).
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# Logins, logouts, failures and lockouts are recorded in the audit trail (compliance/auth_log.py):
# axes keeps only the failure counters it locks with (its "Access attempts").
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False

# The login review (/compliance/logins/, oversight/logins.py): successful logins outside the usual
# working hours (a window of the day in TIME_ZONE, "HH:MM-HH:MM"; a start after the end runs over
# midnight) are marked, and people with at least this many failed logins, or logins from at least
# this many addresses, in the period shown are listed first.
LOGIN_USUAL_HOURS = env_hours("LOGIN_USUAL_HOURS", "07:00-19:00")
LOGIN_REVIEW_FAILURES = env_int("LOGIN_REVIEW_FAILURES", LOGIN_FAILURE_LIMIT)
LOGIN_REVIEW_ADDRESSES = env_int("LOGIN_REVIEW_ADDRESSES", 3)
if LOGIN_REVIEW_FAILURES < 1 or LOGIN_REVIEW_ADDRESSES < 2:
    raise ImproperlyConfigured(
        "LOGIN_REVIEW_FAILURES must be at least 1 and LOGIN_REVIEW_ADDRESSES at least 2."
    )

# Where the admin — and with it the login page every other page sends people to (LOGIN_URL) —
# sits: "admin/" by default so that nothing moves; production should choose a less guessable
# prefix (docs/operations/configuration.md; `manage.py check --deploy` warns, patientcare.W001).
ADMIN_URL = os.environ.get("ADMIN_URL", "") or "admin/"
if (
    not ADMIN_URL.endswith("/")
    or ADMIN_URL.startswith("/")
    or "//" in ADMIN_URL
    or any(char.isspace() or char in "?#%\\" for char in ADMIN_URL)
):
    raise ImproperlyConfigured(
        f"ADMIN_URL must be a URL path prefix that ends with '/' and does not start with one "
        f"(such as 'staff-7f3k/'), not {ADMIN_URL!r}."
    )
