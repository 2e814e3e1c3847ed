"""SLA due times after a change of what chose the policy: the priority or the category of an
open case (``cases.changes``), and the automatic priority raise of an escalation.

``SlaPolicy.objects.for_case(category=…, priority=…)`` picks the policy, as at intake
(``cases.sla.due_times``). When the policy that applies now is the case's own, nothing changes.
When it differs, each target that is still running is recomputed so that the business time
already used on the clock counts under the new policy:

* the time used is the old target's length minus the business time left until its due time, at
  the moment of the change (or at the pause, while the clock is stopped: waiting never counts —
  the old due time was moved on by every earlier wait);
* the new due time is the new policy's target minus that used time, counted from the same
  moment in the new policy's calendar. If nothing is left, the target is due at that moment: the
  sweep marks it breached (a higher priority is judged by its own, shorter target).

A target already met (first response given; case resolved) or already passed (due time reached,
or marked breached) keeps its due time: history is not rewritten, and lowering a priority does
not undo a breach. A case without a policy before (no due times, no pause record) counts every
moment since it opened as used. No policy now: the running targets lose their due times.
A warning mark is cleared when its due time moves (the sweep warns anew), as on resume.
"""

from __future__ import annotations

import datetime
import logging

from cases.business_time import NoBusinessHours, Schedule
from cases.models import Case, SlaPolicy
from cases.sla import FIRST_RESPONSE, RESOLUTION, RUNNING_STATUSES, Target

logger = logging.getLogger(__name__)

# Every field ``recompute_due_times`` may change: what a caller holding another instance of the
# case copies from the one that was changed.
SLA_FIELDS = (
    "sla_policy",
    "first_response_due_at",
    "resolution_due_at",
    "first_response_warned_at",
    "resolution_warned_at",
    "sla_paused_at",
)

_MINUTES = {FIRST_RESPONSE.name: "first_response_minutes", RESOLUTION.name: "resolution_minutes"}


def _schedule(policy: SlaPolicy) -> Schedule:
    return Schedule.from_calendar(policy.calendar)


def _policy(pk: int | None) -> SlaPolicy | None:
    if pk is None:
        return None
    return (
        SlaPolicy.objects.select_related("calendar")
        .prefetch_related("calendar__hours", "calendar__holidays")
        .filter(pk=pk)
        .first()
    )


def _settled(case: Case, target: Target, at: datetime.datetime) -> bool:
    """Whether ``target`` is met or passed: its due time is history and stays."""
    due = getattr(case, target.due_field)
    if target is FIRST_RESPONSE and case.first_response_at is not None:
        return True
    if target is RESOLUTION and case.resolved_at is not None:
        return True
    if getattr(case, target.breached_field) is not None:
        return True
    return due is not None and due <= at


def _used_minutes(
    case: Case, target: Target, old: SlaPolicy | None, new_schedule: Schedule, at
) -> float:
    """Business minutes of ``target`` already used at ``at`` (see the module docstring)."""
    due = getattr(case, target.due_field)
    if old is None or due is None:
        return new_schedule.between(case.created_at, at).total_seconds() / 60
    length = getattr(old, _MINUTES[target.name])
    left = _schedule(old).between(at, due).total_seconds() / 60
    return max(length - left, 0.0)


def recompute_due_times(case: Case, *, now: datetime.datetime) -> list[str]:
    """Apply the policy that fits ``case``'s category and priority now (the case already carries
    the new values, read under its row lock); return the changed fields for the caller's save."""
    new = SlaPolicy.objects.for_case(category=case.category, priority=case.priority)
    if (new.pk if new else None) == case.sla_policy_id:
        return []
    old = _policy(case.sla_policy_id)
    # The moment the clock shows: the pause while it is stopped, else now. A case without a
    # policy kept no pause record: its clock stops now if it is not running.
    running = case.status in RUNNING_STATUSES
    at = case.sla_paused_at if (old is not None and case.sla_paused_at is not None) else now
    changed = ["sla_policy"]
    new_schedule = _schedule(new) if new is not None else None
    for target in (FIRST_RESPONSE, RESOLUTION):
        if _settled(case, target, at):
            continue
        before = getattr(case, target.due_field)
        if new is None:
            due = None
        else:
            try:
                used = _used_minutes(case, target, old, new_schedule, at)
                left = getattr(new, _MINUTES[target.name]) - used
                due = new_schedule.add(at, left) if left > 0 else at
            except NoBusinessHours:
                logger.error(
                    "case %s: SLA policy %s has no business hours; %s due time kept",
                    case.pk,
                    new.pk,
                    target.name,
                )
                continue
        if due == before:
            continue
        setattr(case, target.due_field, due)
        changed.append(target.due_field)
        if getattr(case, target.warned_field) is not None:
            setattr(case, target.warned_field, None)
            changed.append(target.warned_field)
    case.sla_policy = new
    paused_at = case.sla_paused_at
    if new is None:
        paused_at = None
    elif old is None and not running:
        paused_at = now
    if paused_at != case.sla_paused_at:
        case.sla_paused_at = paused_at
        changed.append("sla_paused_at")
    return changed


def describe(case: Case, before: dict[str, datetime.datetime | None]) -> str:
    """One sentence for the timeline: the policy and the due times now (UTC)."""
    parts = []
    for target in (FIRST_RESPONSE, RESOLUTION):
        due = getattr(case, target.due_field)
        if due != before.get(target.due_field):
            when = f"{due.astimezone(datetime.UTC):%Y-%m-%d %H:%M} UTC" if due else "none"
            parts.append(f"{target.label} due {when}")
    policy = f"SLA policy “{case.sla_policy.name}”" if case.sla_policy else "no SLA policy"
    return f"{policy}; " + ("; ".join(parts) if parts else "due times unchanged") + "."


def due_snapshot(case: Case) -> dict[str, datetime.datetime | None]:
    return {
        target.due_field: getattr(case, target.due_field) for target in (FIRST_RESPONSE, RESOLUTION)
    }
