"""Access logging of every API read (docs/architecture/audit.md, "Reads: access logging").

Each read of PHI through the API writes ACCESS entries to the audit trail through
``compliance.access_log.record_request_access`` with ``via="api"``, before the response leaves
(if the write fails, the request fails rather than show PHI unlogged):

* a list page: one entry per case listed (``list``); a page that found nothing for a filter, one
  entry naming the model and the query (looking someone up is an access attempt);
* a case (``GET /cases/{reference}/``) and its messages (``GET …/messages/``): one ``view``
  entry for the case.

Writes are audited by the services themselves (the request's user is their ``actor``).
Configuration lists (categories, queues) hold no PHI and are not logged.
"""

from __future__ import annotations

from collections.abc import Sequence

from cases.models import Case
from compliance.access_log import AccessKind, record_request_access

VIA = "api"


def log_case_list(request, cases: Sequence[Case]) -> int:
    return record_request_access(request, cases, kind=AccessKind.LIST, via=VIA, model=Case)


def log_case_view(request, case: Case) -> int:
    return record_request_access(request, [case], kind=AccessKind.VIEW, via=VIA, model=Case)
