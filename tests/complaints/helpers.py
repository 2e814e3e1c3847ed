"""Helpers of the complaints tests."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import time_machine

from cases import services
from cases.choices import Channel
from tests.factories import make_patient

NEW_YORK = ZoneInfo("America/New_York")
UTC = datetime.UTC


def local(*args: int) -> datetime.datetime:
    """A wall-clock time in New York."""
    return datetime.datetime(*args, tzinfo=NEW_YORK)


def utc(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def open_complaint(actor, category, *, at: datetime.datetime | None = None, **details):
    """Open a complaints case through the service, optionally on a frozen clock."""
    details.setdefault("complaint_type", "care")
    details.setdefault("severity", "moderate")
    arguments = {
        "actor": actor,
        "patient": make_patient(actor),
        "category": category,
        "subject": "Complaint about a visit",
        "description": "The patient is unhappy with how a visit went.",
        "channel": Channel.VOICE,
        "details": details,
    }
    if at is None:
        return services.case_open(**arguments)
    with time_machine.travel(at, tick=False):
        return services.case_open(**arguments)
