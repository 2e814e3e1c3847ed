"""The grievance deadline sweep (docs/architecture/support-categories.md, "Complaints"): every
minute, from Celery beat (``complaints.tasks.sweep_overdue``) or, in the embedded default,
``manage.py run_timers``.

Each complaint whose acknowledgement or response deadline passed unmet, and that the sweep has
not marked for that deadline yet, is handed to ``complaints.services.complaint_mark_overdue`` —
each in its own transaction, as the system account, which marks it once, writes a
``complaint_overdue`` timeline event and alerts the complaint's queues live. One that fails is
logged (ids only) and the sweep goes on; nothing of it was written, so the next sweep takes it
again. At most ``SWEEP_BATCH`` per run, the longest overdue first: the rest wait a minute.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone

from cases.models import Case
from complaints import services
from compliance.audit import system_actor

logger = logging.getLogger(__name__)

SWEEP_BATCH = 200


def sweep(now: datetime | None = None, *, limit: int = SWEEP_BATCH) -> dict[str, int]:
    """Mark the complaints overdue now. Returns counts: ``found``, ``acknowledgement`` and
    ``response`` (deadlines marked), ``unchanged`` (met or marked meanwhile) and ``failed``.
    Nothing to do costs one query."""

    now = now or timezone.now()
    counts = {"found": 0, "acknowledgement": 0, "response": 0, "unchanged": 0, "failed": 0}
    case_ids = list(services.overdue_to_mark(now)[:limit])
    if not case_ids:
        return counts
    actor = system_actor()
    for case_id in case_ids:
        counts["found"] += 1
        try:
            marked = services.complaint_mark_overdue(actor=actor, case=Case(pk=case_id), now=now)
        except Exception:
            counts["failed"] += 1
            logger.exception("complaint deadline sweep: case %s failed", case_id)
            continue
        for deadline in marked:
            counts[deadline] += 1
        if not marked:
            counts["unchanged"] += 1
    logger.info(
        "complaint deadline sweep: %s found, %s acknowledgements and %s responses marked overdue, "
        "%s failed",
        counts["found"],
        counts["acknowledgement"],
        counts["response"],
        counts["failed"],
    )
    return counts
