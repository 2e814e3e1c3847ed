"""What an SLA cell of the console shows (the queue rows, "my cases", the case page), ready to draw:
the state ``cases.sla_state`` decided (the one rule; live.js draws the same from events and
decides nothing) and its times formatted once.

A page of 50 rows has 100 SLA cells, and each shows its due time three ways (``data-due``, the
``<time datetime>``, the local time in words) and maybe the moment its state changes: formatting
each through the template's ``date`` filter was most of the queue page's time (issue 18). Here each
distinct datetime is formatted once per page (``LocalTimes``): the ISO 8601 text of the local time
(what ``|date:"c"`` gives) and the local time as the pages show it (``DISPLAY_FORMAT``, the
``date`` filter's format, weekday and month names translated as before).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import dateformat, timezone

from cases.sla_state import TARGET_NAMES, CaseSla, TargetState

DISPLAY_FORMAT = "D j M H:i"  # "Mon 7 Dec 14:05", in the deployment's time zone


class LocalTimes:
    """``(iso, text)`` of aware datetimes in the current time zone, each distinct value
    formatted once (one per page: it keeps every value it formatted)."""

    def __init__(self) -> None:
        self._formatted: dict[datetime.datetime, tuple[str, str]] = {}

    def __call__(self, value: datetime.datetime | None) -> tuple[str, str]:
        if value is None:
            return "", ""
        found = self._formatted.get(value)
        if found is None:
            local = timezone.localtime(value)
            found = (local.isoformat(), dateformat.format(local, DISPLAY_FORMAT))
            self._formatted[value] = found
        return found


@dataclass(frozen=True)
class SlaCell:
    """One SLA target of a case as a cell shows it (console/templates/console/_sla.html)."""

    target: str  # first_response or resolution
    sla: TargetState
    due_iso: str  # "" without a due time
    due_text: str
    changes_iso: str  # "" when the state does not change by itself

    @property
    def countdown(self) -> str:
        return self.sla.countdown or ""


def sla_cell(sla: CaseSla, target: str, times: LocalTimes) -> SlaCell:
    state = sla[target]
    due_iso, due_text = times(state.due_at)
    return SlaCell(
        target=target,
        sla=state,
        due_iso=due_iso,
        due_text=due_text,
        changes_iso=times(state.changes_at)[0],
    )


def sla_cells(sla: CaseSla, times: LocalTimes) -> list[SlaCell]:
    """Both cells of a row, in the table's column order."""
    return [sla_cell(sla, target, times) for target in TARGET_NAMES]
