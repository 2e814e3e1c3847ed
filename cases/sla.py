"""SLA clocks: stamping due times when a case opens, stopping the clock while the case waits on
the patient or a third party (or is resolved), and moving the due times on when it runs again.

The clock runs in *new*, *triaged* and *in progress*, and is stopped otherwise. When it stops,
``sla_paused_at`` records the moment. When it runs again, each due time that was still ahead at
the pause is set to "now + the business time that was left", so time spent waiting never counts.
A due time already passed at the pause stays passed: a breach is not undone by waiting. Only the
first-response target is moved when the first response has not happened yet.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from cases.business_time import Schedule
from cases.choices import Status
from cases.models import Case, Category, SlaPolicy

RUNNING_STATUSES = frozenset({Status.NEW, Status.TRIAGED, Status.IN_PROGRESS})


@dataclass(frozen=True)
class DueTimes:
    policy: SlaPolicy | None
    first_response_due_at: datetime.datetime | None
    resolution_due_at: datetime.datetime | None


def due_times(*, category: Category, priority: int, opened_at: datetime.datetime) -> DueTimes:
    """The policy for a new case and its due times (all None when no policy applies)."""
    policy = SlaPolicy.objects.for_case(category=category, priority=priority)
    if policy is None:
        return DueTimes(None, None, None)
    schedule = Schedule.from_calendar(policy.calendar)
    return DueTimes(
        policy,
        schedule.add(opened_at, policy.first_response_minutes),
        schedule.add(opened_at, policy.resolution_minutes),
    )


def clock_changes(case: Case, *, from_status: str, to_status: str, now: datetime.datetime) -> list:
    """Apply the pause/resume rules to ``case`` for a transition; return the changed fields."""
    was_running = from_status in RUNNING_STATUSES
    runs = to_status in RUNNING_STATUSES
    if case.sla_policy_id is None or was_running == runs:
        return []
    if was_running:  # stop the clock
        case.sla_paused_at = now
        return ["sla_paused_at"]
    paused_at = case.sla_paused_at
    case.sla_paused_at = None
    changed = ["sla_paused_at"]
    if paused_at is None:
        return changed
    schedule = Schedule.from_calendar(
        SlaPolicy.objects.select_related("calendar")
        .prefetch_related("calendar__hours", "calendar__holidays")
        .get(pk=case.sla_policy_id)
        .calendar
    )
    fields = ["resolution_due_at"]
    if case.first_response_at is None:
        fields.append("first_response_due_at")
    for name in fields:
        due = getattr(case, name)
        if due is not None and due > paused_at:
            left = schedule.between(paused_at, due)
            setattr(case, name, schedule.add(now, left.total_seconds() / 60))
            changed.append(name)
    return changed
