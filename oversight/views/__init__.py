"""Compliance pages (docs/architecture/compliance-pages.md), one module per topic.

The break-the-glass request: a clinician or privacy officer asks for emergency access to a case
they cannot see (the roles of ``BREAK_GLASS_ROLES``, at most ``BREAK_GLASS_DAILY_LIMIT`` a day).
The compliance officer's pages under /compliance/: the home page (chain status, reviews waiting),
the audit trail search and its CSV export, "who accessed this patient's record", the
break-the-glass review list and sign-off, and the chain verification status.

Every compliance page needs its model permission (``compliance_required``): anonymous users are
sent to the login page, everybody else without the permission gets a 404, never a 403. The audit
trail holds PHI: every page that shows entries writes an access-log entry before it responds.

Modules:

* ``base`` — the permissions, ``compliance_required``, the admin's frame, shared helpers.
* ``break_glass`` — the request (the roles of ``BREAK_GLASS_ROLES``), the review list and the
  sign-off.
* ``home`` — the compliance home page.
* ``audit_trail`` — the trail search and its CSV export.
* ``patients`` — the MRN look-up and "who accessed this patient's record".
* ``logins`` — logins, logouts, failed logins and lockouts, with counts per user.
* ``chain`` — the chain verification status and "Verify now".

``compliance/urls.py`` and ``patientcare/urls.py`` use the views through this package.
"""

from oversight.views.audit_trail import trail_export, trail_search
from oversight.views.break_glass import break_glass_list, break_glass_request, break_glass_review
from oversight.views.chain import chain_status, chain_verify
from oversight.views.home import home
from oversight.views.logins import login_events
from oversight.views.patients import patient_access, patient_lookup

__all__ = [
    "break_glass_list",
    "break_glass_request",
    "break_glass_review",
    "chain_status",
    "chain_verify",
    "home",
    "login_events",
    "patient_access",
    "patient_lookup",
    "trail_export",
    "trail_search",
]
