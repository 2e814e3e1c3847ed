"""The SLA timer (``cases.tasks.sweep_sla`` every minute from beat; ``manage.py run_timers`` in the
embedded default): ``sweep`` reads the cases due for a warning or breach mark
(``cases.selectors.sla_sweep_candidates``) and marks each (``cases.services.case_mark_sla``,
looked up at call time, as ``escalations.timers`` does).

It sits above both, so that ``cases.sla`` — the rules the services and selectors use — imports
neither (it used to import the services back inside ``sweep``: a cycle).
"""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone

from cases import services
from cases.selectors import sla_sweep_candidates
from cases.sla import BREACHED, SWEEP_BATCH, TARGETS, WARNING
from compliance.audit import system_actor

# The sweep's log lines keep the name they had when it lived in cases.sla.
logger = logging.getLogger("cases.sla")


def sweep(*, now: datetime.datetime | None = None, limit: int = SWEEP_BATCH) -> dict[str, int]:
    """Mark and announce the SLA warnings and breaches due at ``now`` (the timer sweep, every
    minute). Each mark is ``cases.services.case_mark_sla`` in its own transaction, as the system
    account; one that fails is logged (ids only) and the others go on. Nothing to do costs one
    query per target. Returns how many warnings and breaches were marked, and failures."""
    now = now or timezone.now()
    counts = {WARNING: 0, BREACHED: 0, "failed": 0}
    actor = None
    for target in TARGETS.values():
        for case in sla_sweep_candidates(target, now, limit=limit):
            due = getattr(case, target.due_field)
            level = BREACHED if due <= now else WARNING
            actor = actor or system_actor()
            try:
                marked = services.case_mark_sla(
                    actor=actor, case=case, target=target.name, level=level, now=now
                )
            except Exception:
                counts["failed"] += 1
                logger.exception(
                    "SLA sweep: marking case %s %s %s failed", case.pk, target.name, level
                )
                continue
            if marked is not None:
                counts[level] += 1
    if counts[WARNING] or counts[BREACHED] or counts["failed"]:
        logger.info(
            "SLA sweep: %s warning(s), %s breach(es), %s failure(s)",
            counts[WARNING],
            counts[BREACHED],
            counts["failed"],
        )
    return counts
