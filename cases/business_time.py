"""Business-time arithmetic: "8 business hours after Friday 16:00" and "how much business time lies
between two moments", in a calendar's time zone, with holidays and daylight-saving changes.

Opening intervals are local wall-clock times turned into real instants with ``zoneinfo``; all
durations are then measured between instants, so a 24-hour calendar day with a DST change really
has 23 or 25 hours, and a 09:00-17:00 day has 8 hours either way. A wall time that does not exist
(the skipped hour in spring) is read with the offset before the jump, as ``zoneinfo`` does: an
opening at 02:30 on the spring-forward night opens at 03:30 daylight time.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

UTC = datetime.UTC
MIDNIGHT = datetime.time(0, 0)
# Safety net: a calendar with hours always finds time within a few weeks; this bounds a search
# through an (invalid) calendar whose every day is a holiday.
MAX_DAYS = 3 * 366


class NoBusinessHours(ValueError):
    """The calendar has no opening hours to count in."""


@dataclass(frozen=True)
class Schedule:
    time_zone: str
    # weekday (0 = Monday) -> [(opens, closes)], closes == 00:00 meaning midnight
    weekly: dict[int, tuple[tuple[datetime.time, datetime.time], ...]] = field(default_factory=dict)
    holidays: frozenset[datetime.date] = frozenset()
    always_open: bool = False

    @classmethod
    def from_calendar(cls, calendar) -> Schedule:
        """Build from a BusinessCalendar (uses prefetched ``hours`` and ``holidays`` if present)."""
        weekly: dict[int, list[tuple[datetime.time, datetime.time]]] = {}
        for hours in calendar.hours.all():
            weekly.setdefault(hours.weekday, []).append((hours.opens, hours.closes))
        return cls(
            time_zone=calendar.time_zone,
            weekly={day: tuple(sorted(spans)) for day, spans in weekly.items()},
            holidays=frozenset(holiday.date for holiday in calendar.holidays.all()),
            always_open=calendar.always_open,
        )

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    # --- the two operations -----------------------------------------------------------------------

    def add(self, start: datetime.datetime, minutes: float) -> datetime.datetime:
        """The instant ``minutes`` of business time after ``start``."""
        original, start = start, _utc(start)
        remaining = datetime.timedelta(minutes=minutes)
        if remaining <= datetime.timedelta(0):
            return original
        if self.always_open:
            return start + remaining
        for opens, closes in self._intervals_from(start):
            begin = max(opens, start)
            available = closes - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise NoBusinessHours(f"No business hours within {MAX_DAYS} days in this calendar.")

    def between(self, start: datetime.datetime, end: datetime.datetime) -> datetime.timedelta:
        """Business time between two instants (zero when ``end`` is not after ``start``)."""
        start, end = _utc(start), _utc(end)
        if end <= start:
            return datetime.timedelta(0)
        if self.always_open:
            return end - start
        total = datetime.timedelta(0)
        for opens, closes in self._intervals_from(start):
            if opens >= end:
                break
            total += min(closes, end) - max(opens, start)
        return total

    def is_open(self, moment: datetime.datetime) -> bool:
        """Whether ``moment`` falls inside an opening interval (on-call hours)."""
        moment = _utc(moment)
        if self.always_open:
            return True
        for opens, closes in self._intervals_from(moment):
            return opens <= moment < closes
        return False

    # --- intervals ------------------------------------------------------------------------------

    def _intervals_from(
        self, start: datetime.datetime
    ) -> Iterator[tuple[datetime.datetime, datetime.datetime]]:
        """Opening intervals as UTC instants, in order, from the local day of ``start`` on,
        skipping those that ended before ``start``."""
        if not any(self.weekly.values()):
            raise NoBusinessHours("The calendar has no weekly hours.")
        zone = self.zone
        day = start.astimezone(zone).date() - datetime.timedelta(days=1)
        for _ in range(MAX_DAYS):
            for opens, closes in self._local_intervals(day, zone):
                if closes > start:
                    yield opens, closes
            day += datetime.timedelta(days=1)

    def _local_intervals(
        self, day: datetime.date, zone: zoneinfo.ZoneInfo
    ) -> Iterable[tuple[datetime.datetime, datetime.datetime]]:
        if day in self.holidays:
            return ()
        spans = []
        for opens, closes in self.weekly.get(day.weekday(), ()):
            begin = _instant(day, opens, zone)
            end = (
                _instant(day + datetime.timedelta(days=1), MIDNIGHT, zone)
                if closes == MIDNIGHT
                else _instant(day, closes, zone)
            )
            if end > begin:
                spans.append((begin, end))
        spans.sort()
        merged: list[tuple[datetime.datetime, datetime.datetime]] = []
        for begin, end in spans:  # overlapping rows count once
            if merged and begin <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((begin, end))
        return merged


def _instant(day: datetime.date, time: datetime.time, zone: zoneinfo.ZoneInfo) -> datetime.datetime:
    local = datetime.datetime.combine(day, time, tzinfo=zone)
    # Normalise through UTC: a non-existent wall time (spring-forward gap) becomes a real instant.
    return local.astimezone(UTC)


def _utc(moment: datetime.datetime) -> datetime.datetime:
    """Aware datetimes only, and in UTC: arithmetic on a zoned datetime moves the wall clock, not
    real time, across a daylight-saving change."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("Business-time arithmetic needs timezone-aware datetimes.")
    return moment.astimezone(UTC)
