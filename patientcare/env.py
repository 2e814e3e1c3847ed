"""Reading settings from environment variables: booleans, whole numbers, comma-separated lists
and windows of the day, with a clear error for a value that is none of them (used by
patientcare.settings and the settings modules it imports)."""

from __future__ import annotations

import os
import re
from datetime import time

from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_hours(name: str, default: str) -> tuple[time, time]:
    """A daily window ``HH:MM-HH:MM`` (24-hour clock, start included, end excluded; a start after
    the end runs over midnight, as in ``22:00-06:00``) as two ``datetime.time`` values."""
    value = (os.environ.get(name) or "").strip() or default
    start, separator, end = value.partition("-")
    try:
        if not separator:
            raise ValueError(value)
        window = (_clock(start), _clock(end))
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{name} must be a window of the day such as 07:00-19:00, not {value!r}."
        ) from exc
    if window[0] == window[1]:
        raise ImproperlyConfigured(f"{name} must not start and end at the same time ({value!r}).")
    return window


def _clock(text: str) -> time:
    match = re.fullmatch(r"([0-9]{1,2}):([0-9]{2})", text.strip(), flags=re.ASCII)
    if match is None:
        raise ValueError(text)
    return time(int(match[1]), int(match[2]))  # ValueError past 23:59
