"""SLA clocks: stamping due times when a case opens, stopping the clock while the case waits on
the patient or a third party (or is resolved), and moving the due times on when it runs again.

The clock runs in *new*, *triaged* and *in progress*, and is stopped otherwise. When it stops,
``sla_paused_at`` records the moment. When it runs again, each due time that was still ahead at
the pause is set to "now + the business time that was left", so time spent waiting never counts.
A due time already passed at the pause stays passed: a breach is not undone by waiting. Only the
first-response target is moved when the first response has not happened yet. A target met while
the clock is stopped (a reply while waiting, resolving straight from waiting) is judged against the
due time moved on by the waiting so far.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from cases.business_time import NoBusinessHours, Schedule
from cases.choices import Status
from cases.models import Case, Category, SlaPolicy
from cases.sla_state import warning_window  # the console's "due soon" window: one setting
from cases.workflow import WAITING_STATUSES

logger = logging.getLogger(__name__)

RUNNING_STATUSES = frozenset({Status.NEW, Status.TRIAGED, Status.IN_PROGRESS})

# The sweep's levels: a target about to pass, a target passed.
WARNING = "warning"
BREACHED = "breached"
LEVELS = (WARNING, BREACHED)
# Cases one sweep marks at most per target (the most overdue first); the rest wait a minute.
SWEEP_BATCH = 500


@dataclass(frozen=True)
class Target:
    """One SLA target of a case and the fields that hold its due time and its marks."""

    name: str
    label: str

    @property
    def due_field(self) -> str:
        return f"{self.name}_due_at"

    @property
    def warned_field(self) -> str:
        return f"{self.name}_warned_at"

    @property
    def breached_field(self) -> str:
        return f"{self.name}_breached_at"

    def mark_field(self, level: str) -> str:
        return self.warned_field if level == WARNING else self.breached_field


FIRST_RESPONSE = Target("first_response", "First-response")
RESOLUTION = Target("resolution", "Resolution")
TARGETS = {target.name: target for target in (FIRST_RESPONSE, RESOLUTION)}


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
    try:
        return DueTimes(
            policy,
            schedule.add(opened_at, policy.first_response_minutes),
            schedule.add(opened_at, policy.resolution_minutes),
        )
    except NoBusinessHours:
        # A misconfigured calendar must never refuse a patient's contact: open without due
        # times and say so in the log (no PHI: ids only).
        logger.error(
            "SLA policy %s: calendar %s has no business hours", policy.pk, policy.calendar_id
        )
        return DueTimes(policy, None, None)


def clock_changes(case: Case, *, from_status: str, to_status: str, now: datetime.datetime) -> list:
    """Apply the pause/resume rules to ``case`` for a transition; return the changed fields.

    Running → stopped: the clock stops now. Stopped → running: the due times move on by the
    waiting time. Waiting → resolved or closed: the target is judged as of now, so the waiting
    time is first taken off (the due times move on) and the clock stays stopped from now.
    """
    was_running = from_status in RUNNING_STATUSES
    runs = to_status in RUNNING_STATUSES
    if case.sla_policy_id is None:
        return []
    if was_running and not runs:  # stop the clock
        case.sla_paused_at = now
        return ["sla_paused_at"]
    if not was_running and runs:  # run it again
        changed = _move_due_times(case, now, include_resolution=True)
        case.sla_paused_at = None
        return [*changed, "sla_paused_at"]
    if from_status in WAITING_STATUSES and to_status not in WAITING_STATUSES:
        changed = _move_due_times(case, now, include_resolution=True)
        case.sla_paused_at = now
        return [*changed, "sla_paused_at"]
    return []


def first_response_while_paused(case: Case, now: datetime.datetime) -> list:
    """A first response given while the clock is stopped is judged against the due time moved on
    by the waiting so far. Returns the changed fields."""
    if case.sla_policy_id is None or case.sla_paused_at is None:
        return []
    return _move_due_times(case, now, include_resolution=False)


def _move_due_times(case: Case, now: datetime.datetime, *, include_resolution: bool) -> list:
    """Move each due time still ahead at the pause to "now + the business time that was left".
    A due time already passed at the pause stays: a breach is not undone by waiting."""
    paused_at = case.sla_paused_at
    if paused_at is None:
        return []
    names = ["resolution_due_at"] if include_resolution else []
    if case.first_response_at is None:
        names.append("first_response_due_at")
    due = {name: getattr(case, name) for name in names}
    due = {name: value for name, value in due.items() if value is not None and value > paused_at}
    if not due:
        return []
    schedule = Schedule.from_calendar(
        SlaPolicy.objects.select_related("calendar")
        .prefetch_related("calendar__hours", "calendar__holidays")
        .get(pk=case.sla_policy_id)
        .calendar
    )
    changed = []
    for name, value in due.items():
        try:
            left = schedule.between(paused_at, value)
            setattr(case, name, schedule.add(now, left.total_seconds() / 60))
        except NoBusinessHours:
            logger.error("case %s: SLA calendar has no business hours; due time kept", case.pk)
            continue
        changed.append(name)
        # A new due time is warned of anew; a breach mark stays (the target was not passed here:
        # only a due time still ahead at the pause moves).
        warned = name.replace("_due_at", "_warned_at")
        if getattr(case, warned) is not None and getattr(case, name) != value:
            setattr(case, warned, None)
            changed.append(warned)
    return changed


# --- the timer sweep: warnings and breaches ------------------------------------------------------


def level_due(case: Case, target: Target, now: datetime.datetime) -> str | None:
    """The mark ``target`` of ``case`` is due for at ``now`` (WARNING, BREACHED) or None: none
    while the clock is stopped, once the first response is given (for that target), or once the
    mark is set."""
    due = getattr(case, target.due_field)
    if due is None or case.status not in RUNNING_STATUSES or case.sla_paused_at is not None:
        return None
    if target is FIRST_RESPONSE and case.first_response_at is not None:
        return None
    if getattr(case, target.breached_field) is not None:
        return None
    if due <= now:
        return BREACHED
    if due <= now + warning_window() and getattr(case, target.warned_field) is None:
        return WARNING
    return None
