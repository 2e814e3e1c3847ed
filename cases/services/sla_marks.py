"""The SLA timer's write side (``cases.timers.sweep``): the mark (``case_mark_sla``) of a case due
for a warning or breach (the candidates: ``cases.selectors.sla_sweep_candidates``)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases.choices import EventKind
from cases.errors import Invalid
from cases.events import CaseEventName, publish_case_event
from cases.models import Case, CaseEvent
from cases.services.base import lock_case, require_actor
from cases.sla import (
    BREACHED,
    LEVELS,
    TARGETS,
    level_due,
)
from compliance.audit import audited


@audited
@transaction.atomic
def case_mark_sla(
    *, actor: User, case: Case, target: str, level: str, now=None
) -> CaseEvent | None:
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
