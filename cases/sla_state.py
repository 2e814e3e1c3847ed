"""The state of an SLA target, decided in one place (issue 15).

``target_state`` is the one rule: given a target's due time, when it was met, when the clock
stopped (if it is stopped) and ``now``, it says whether the target is

* ``running``  — the clock runs and the due time is more than the warning window away;
* ``warning``  — the clock runs and the due time is within the warning window
  (``CONSOLE_SLA_WARNING_MINUTES``, the window the timer sweep warns in: ``cases.sla``);
* ``breached`` — not met and the due time has been reached (the sweep marks a breach at the
  due time itself); for a stopped clock, reached at the pause — waiting never undoes a breach;
* ``paused``   — the clock is stopped (waiting on the patient or a third party) with time left;
* ``met``      — met at or before its due time ("met on time");
* ``met_late`` — met after its due time: a breach, never shown as "met";
* ``none``     — no target (no SLA policy applied), or a first-response target a case resolved
  without a written reply no longer has (docs/architecture/routing-and-sla.md).

With the state come the words and the CSS class the pages show, the words' time detail as of
``now``, and what the browser may do with the detail by itself: count down to the due time
(``countdown="until"``) or up from it (``"since"``), or nothing (a state that does not change
with time). ``changes_at`` is when the state will change by itself if no case event comes first
(running → warning, warning → breached); the timer sweep announces exactly those changes, and
live.js asks for a fresh snapshot if it hears nothing by then (docs/architecture/live-queue.md).

Every place that shows an SLA state uses this: the console's pages (``console_tags.sla_cell``),
the live queue's events and snapshots (``cases.events.case_fields``, rendered by live.js without
deciding anything), and the API's case representation. ``Case.objects.with_sla_state`` is the
same breach rule as SQL, for filters and counts (the admin, the supervisor page); a test keeps
the two equal. Pure: no queries, reads only the fields passed (``SLA_FIELDS`` for a case).
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings

from cases.workflow import OPEN_STATUSES

RUNNING = "running"
WARNING = "warning"
BREACHED = "breached"
PAUSED = "paused"
MET = "met"
MET_LATE = "met_late"
NONE = "none"
STATES = (RUNNING, WARNING, BREACHED, PAUSED, MET, MET_LATE, NONE)

# The state's CSS class (console/static/console/console.css): colour is never the only signal,
# the label says the state in words.
CSS = {
    RUNNING: "sla-ok",
    WARNING: "sla-soon",
    BREACHED: "sla-overdue",
    PAUSED: "sla-paused",
    MET: "sla-met",
    MET_LATE: "sla-met-late",
    NONE: "sla-none",
}
LABELS = {
    RUNNING: "On time",
    WARNING: "Due soon",
    BREACHED: "Breached",
    PAUSED: "Clock stopped",
    MET: "Met on time",
    MET_LATE: "Met late",
    NONE: "No target",
}
STATE_CHOICES = [(state, LABELS[state]) for state in STATES]

# The browser's countdown of the detail text: towards the due time, or away from it.
UNTIL = "until"
SINCE = "since"

# The case fields the states are computed from (a list or snapshot that loads ``only()`` some
# fields must load these).
SLA_FIELDS = (
    "status",
    "first_response_due_at",
    "first_response_at",
    "resolution_due_at",
    "resolved_at",
    "sla_paused_at",
)
TARGET_NAMES = ("first_response", "resolution")


def warning_window() -> datetime.timedelta:
    """How long before a due time a target is "due soon" and the sweep warns."""
    return datetime.timedelta(minutes=settings.CONSOLE_SLA_WARNING_MINUTES)


def duration_words(seconds: float) -> str:
    """``3 h 5 min``, ``12 min``, ``2 d 4 h``, ``under 1 min`` (live.js writes its countdown
    with the same words)."""
    minutes = int(abs(seconds) // 60)
    if minutes < 1:
        return "under 1 min"
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


@dataclass(frozen=True)
class TargetState:
    """One target's state and how to show it."""

    state: str  # one of STATES
    label: str  # the state in words
    detail: str  # its time detail as of the moment computed ("due in 10 min"), or ""
    css: str  # the CSS class of the state
    due_at: datetime.datetime | None
    met_at: datetime.datetime | None
    changes_at: datetime.datetime | None  # when the state changes by itself, if it does
    countdown: str | None  # UNTIL, SINCE or None: how the browser may tick the detail

    @property
    def text(self) -> str:
        """Label and detail in one sentence, as the pages show them."""
        return f"{self.label}, {self.detail}" if self.detail else self.label

    def as_json(self) -> dict[str, Any]:
        """For events, snapshots and the API: datetimes in ISO 8601."""
        data = asdict(self)
        for name in ("due_at", "met_at", "changes_at"):
            data[name] = data[name].isoformat() if data[name] else None
        return data


def _state(state: str, detail: str = "", **times: Any) -> TargetState:
    return TargetState(
        state=state,
        label=LABELS[state],
        detail=detail,
        css=CSS[state],
        due_at=times.get("due_at"),
        met_at=times.get("met_at"),
        changes_at=times.get("changes_at"),
        countdown=times.get("countdown"),
    )


def target_state(
    *,
    due_at: datetime.datetime | None,
    met_at: datetime.datetime | None,
    paused_at: datetime.datetime | None,
    now: datetime.datetime,
    warning: datetime.timedelta | None = None,
    not_needed: bool = False,
) -> TargetState:
    """The state of one target (see the module docstring). ``paused_at``: when the clock
    stopped, None while it runs. ``not_needed``: the target no longer applies (a first response
    of a case resolved without a written reply). ``warning`` defaults to ``warning_window()``."""
    if due_at is None:
        return _state(NONE, met_at=met_at)
    times = {"due_at": due_at, "met_at": met_at}
    if met_at is not None:
        if met_at > due_at:
            late = duration_words((met_at - due_at).total_seconds())
            return _state(MET_LATE, f"{late} after its due time", **times)
        return _state(MET, **times)
    if not_needed:
        return _state(NONE, "resolved without a written reply", **times)
    window = warning_window() if warning is None else warning
    if paused_at is not None:
        left = (due_at - paused_at).total_seconds()
        if left <= 0:
            overdue = duration_words(left)
            return _state(BREACHED, f"overdue by {overdue} when the clock stopped", **times)
        return _state(PAUSED, f"{duration_words(left)} left", **times)
    left = (due_at - now).total_seconds()
    if left <= 0:
        return _state(BREACHED, f"overdue by {duration_words(left)}", countdown=SINCE, **times)
    if left <= window.total_seconds():
        detail = f"due in {duration_words(left)}"
        return _state(WARNING, detail, changes_at=due_at, countdown=UNTIL, **times)
    detail = f"due in {duration_words(left)}"
    return _state(RUNNING, detail, changes_at=due_at - window, countdown=UNTIL, **times)


@dataclass(frozen=True)
class CaseSla:
    """Both targets of a case."""

    first_response: TargetState
    resolution: TargetState

    def __getitem__(self, target: str) -> TargetState:
        if target not in TARGET_NAMES:
            raise KeyError(target)
        return getattr(self, target)

    def as_json(self) -> dict[str, dict[str, Any]]:
        return {name: self[name].as_json() for name in TARGET_NAMES}


def case_sla(case, now: datetime.datetime, warning: datetime.timedelta | None = None) -> CaseSla:
    """Both SLA targets of ``case`` at ``now``, from its fields (``SLA_FIELDS``; no query).

    The first response is judged against its due time; a case resolved or closed without any
    written reply has no first-response target left (the resolution target covers it). The
    resolution is met when the case was resolved (``resolved_at``)."""
    window = warning_window() if warning is None else warning
    ended = case.status not in OPEN_STATUSES
    return CaseSla(
        first_response=target_state(
            due_at=case.first_response_due_at,
            met_at=case.first_response_at,
            paused_at=case.sla_paused_at,
            now=now,
            warning=window,
            not_needed=ended,
        ),
        resolution=target_state(
            due_at=case.resolution_due_at,
            met_at=case.resolved_at,
            paused_at=case.sla_paused_at,
            now=now,
            warning=window,
        ),
    )
