"""Template helpers of the console: SLA cells and display names.

The SLA state computed here is the one ``static/console/live.js`` recomputes every second in the
browser (the same states, labels and classes), so the page is right without JavaScript and stays
right with it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import template
from django.utils import timezone

register = template.Library()

NONE, MET, PAUSED, OVERDUE, SOON, OK = "none", "met", "paused", "overdue", "soon", "ok"


@dataclass(frozen=True)
class SlaState:
    state: str  # one of NONE, MET, PAUSED, OVERDUE, SOON, OK (the cell's CSS class: sla-<state>)
    label: str  # the state in words: colour is never the only signal
    due: datetime.datetime | None


def duration_words(seconds: float) -> str:
    """``3 h 5 min``, ``12 min``, ``2 d 4 h``, ``under 1 min`` (as live.js writes them)."""
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


def sla_state(
    due: datetime.datetime | None,
    *,
    met: bool,
    paused_at: datetime.datetime | None,
    now: datetime.datetime,
    warning: datetime.timedelta,
) -> SlaState:
    """A target's state: met, none, paused (clock stopped while waiting; a target already passed
    at the pause stays overdue), overdue, due soon (within ``warning``) or on time."""
    if met:
        return SlaState(MET, "Met", due)
    if due is None:
        return SlaState(NONE, "No target", None)
    clock = paused_at or now
    left = (due - clock).total_seconds()
    if left < 0:
        return SlaState(OVERDUE, f"Overdue by {duration_words(left)}", due)
    if paused_at is not None:
        return SlaState(PAUSED, f"Clock stopped ({duration_words(left)} left)", due)
    if left <= warning.total_seconds():
        return SlaState(SOON, f"Due soon: in {duration_words(left)}", due)
    return SlaState(OK, f"Due in {duration_words(left)}", due)


def case_sla(case, now: datetime.datetime, warning: datetime.timedelta) -> dict[str, SlaState]:
    """Both targets of an open case: first response and resolution."""
    return {
        "first_response": sla_state(
            case.first_response_due_at,
            met=case.first_response_at is not None,
            paused_at=case.sla_paused_at,
            now=now,
            warning=warning,
        ),
        "resolution": sla_state(
            case.resolution_due_at,
            met=case.resolved_at is not None,
            paused_at=case.sla_paused_at,
            now=now,
            warning=warning,
        ),
    }


@register.inclusion_tag("console/_sla.html")
def sla_cell(case, target: str, tag: str = "td"):
    """One SLA cell of ``case`` (``target``: first_response or resolution): the due time in a
    ``<time datetime>``, the state in words, and what live.js needs to count down (the due time,
    whether the target is met, when the clock stopped)."""
    state = case.sla[target]
    met = case.first_response_at if target == "first_response" else case.resolved_at
    return {
        "tag": tag,
        "target": target,
        "sla": state,
        "due": timezone.localtime(state.due) if state.due else None,
        "met": met is not None,
        "paused_at": case.sla_paused_at,
    }


@register.filter
def person_name(user, viewer=None) -> str:
    """A staff member as the console names them ("you" for the viewer)."""
    if user is None:
        return ""
    if viewer is not None and getattr(viewer, "pk", None) == user.pk:
        return "you"
    return user.display_name
