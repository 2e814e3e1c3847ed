"""The escalation timer (docs/architecture/escalations.md, "Timers"): every minute, from Celery
beat (``escalations.tasks.sweep_timers``) or, in the embedded default, ``manage.py run_timers``.

Each open escalation past its acknowledgement target is handed to
``escalations.services.escalation_fallback`` — marked overdue once and re-escalated to its
pathway's fallback when there is one — each in its own transaction, as the system account. One
that fails is logged (ids only) and the sweep goes on with the others; it is picked up again by
the next sweep, since nothing of it was written.

``renew`` runs beside it (the same task): the case grants of unresolved escalations are renewed
before they lapse (``escalations.renewal``), so that a recipient can still act on an escalation
that outlives its pathway's access period.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone

from compliance.audit import system_actor
from escalations import services
from escalations.renewal import escalation_renew_access, renewal_due
from escalations.selectors import overdue_escalations

logger = logging.getLogger(__name__)

# Escalations one sweep handles at most (the longest overdue first); the rest wait a minute.
SWEEP_BATCH = 200


def sweep(now: datetime | None = None, *, limit: int = SWEEP_BATCH) -> dict[str, int]:
    """Hand each overdue, unacknowledged escalation to ``escalation_fallback``. Returns counts:
    ``overdue`` (found), ``re_escalated`` (a fallback escalation opened), ``unchanged`` (marked
    without a fallback, or taken meanwhile) and ``failed``. Nothing to do costs one query."""

    now = now or timezone.now()
    counts = {"overdue": 0, "re_escalated": 0, "unchanged": 0, "failed": 0}
    due = list(overdue_escalations(now).only("pk")[:limit])
    if not due:
        return counts
    actor = system_actor()
    for escalation in due:
        counts["overdue"] += 1
        try:
            opened = services.escalation_fallback(actor=actor, escalation=escalation, now=now)
        except Exception:
            counts["failed"] += 1
            logger.exception("escalation timer: escalation %s failed", escalation.pk)
            continue
        counts["re_escalated" if opened is not None else "unchanged"] += 1
    logger.info(
        "escalation timer: %s overdue, %s re-escalated, %s failed",
        counts["overdue"],
        counts["re_escalated"],
        counts["failed"],
    )
    return counts


def renew(now: datetime | None = None, *, limit: int = SWEEP_BATCH) -> dict[str, int]:
    """Renew the case grants of the unresolved escalations due for it (earliest first, at most
    ``limit``). Returns counts: ``escalations`` (found), ``grants`` (extended) and ``failed``.
    Nothing to do costs one query."""

    now = now or timezone.now()
    counts = {"escalations": 0, "grants": 0, "failed": 0}
    due = list(renewal_due(now).only("pk")[:limit])
    if not due:
        return counts
    actor = system_actor()
    for escalation in due:
        counts["escalations"] += 1
        try:
            counts["grants"] += escalation_renew_access(actor=actor, escalation=escalation, now=now)
        except Exception:
            counts["failed"] += 1
            logger.exception("escalation timer: renewing escalation %s failed", escalation.pk)
    logger.info(
        "escalation timer: access of %s escalations renewed (%s grants), %s failed",
        counts["escalations"],
        counts["grants"],
        counts["failed"],
    )
    return counts
