"""The SLA timer's write side (``cases.sla.sweep``): the cases due for a warning or breach mark
(``sla_sweep_candidates``) and the mark itself (``case_mark_sla``)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cases.choices import EventKind
from cases.errors import Invalid
from cases.events import CaseEventName, publish_case_event
from cases.models import Case, CaseEvent
from cases.services.base import lock_case, require_actor
from cases.sla import (
    BREACHED,
    FIRST_RESPONSE,
    LEVELS,
    RUNNING_STATUSES,
    SWEEP_BATCH,
    TARGETS,
    Target,
    level_due,
    warning_window,
)
from compliance.audit import audited


def sla_sweep_candidates(target: Target, now: datetime.datetime, *, limit: int = SWEEP_BATCH):
    """The cases whose SLA ``target`` is due for a mark at ``now`` (``cases.sla.sweep``), most
    overdue first, at most ``limit``: clock running, due within the warning window, not
    breached, and not warned unless already past due. A system read of the timer (no user: no
    ``restrict()``), here on the write path beside ``claim_next_candidates``; each row is
    re-checked under its lock by ``case_mark_sla``. One query, which PostgreSQL answers from the
    (status, due time) indexes (``case_frt_due_idx``, ``case_resolution_due_idx``)."""
    due = target.due_field
    candidates = Case.objects.filter(
        status__in=sorted(RUNNING_STATUSES),
        sla_paused_at__isnull=True,
        **{f"{due}__lte": now + warning_window(), f"{target.breached_field}__isnull": True},
    ).filter(Q(**{f"{target.warned_field}__isnull": True}) | Q(**{f"{due}__lte": now}))
    if target is FIRST_RESPONSE:
        candidates = candidates.filter(first_response_at__isnull=True)
    return candidates.order_by(due, "pk").only("pk", due)[:limit]


@audited
@transaction.atomic
def case_mark_sla(*, actor, case: Case, target: str, level: str, now=None) -> CaseEvent | None:
    """Mark that ``target`` (``first_response`` or ``resolution``) of ``case`` is about to pass
    (``level="warning"``) or has passed (``"breached"``) at ``now``: the mark's field, a timeline
    event and a ``case.sla_warning`` / ``case.sla_breached`` announcement. The timer sweep's step.

    Re-checked under the case's row lock (``cases.sla.level_due``): nothing is written — None is
    returned — when the mark is not due at ``now`` (already set, the clock stopped, the first
    response given, the due time moved on), so a second sweep, or two at once, mark once."""
    require_actor(actor)
    if target not in TARGETS:
        raise Invalid(f"Unknown SLA target {target!r}.", code="invalid_choice", field="target")
    if level not in LEVELS:
        raise Invalid(f"Unknown SLA level {level!r}.", code="invalid_choice", field="level")
    now = now or timezone.now()
    case = lock_case(case)
    sla_target = TARGETS[target]
    if level_due(case, sla_target, now) != level:
        return None
    mark = sla_target.mark_field(level)
    setattr(case, mark, now)
    case._history_user = actor
    case.save(update_fields=[mark, "updated_at"])
    due = getattr(case, sla_target.due_field).astimezone(datetime.UTC)
    tense = "passed" if level == BREACHED else "passes"
    timeline = CaseEvent.objects.create(
        case=case,
        kind=EventKind.SLA_BREACHED if level == BREACHED else EventKind.SLA_WARNING,
        actor=actor,
        new_value=target,
        body=f"{sla_target.label} target {tense} at {due:%H:%M} UTC on {due:%Y-%m-%d}.",
    )
    publish_case_event(
        case,
        CaseEventName.SLA_BREACHED if level == BREACHED else CaseEventName.SLA_WARNING,
        event=timeline,
    )
    return timeline
