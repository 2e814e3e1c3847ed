"""Reading settings from the environment (patientcare/env.py): the window of the day used by the
login review's usual hours (LOGIN_USUAL_HOURS)."""

from __future__ import annotations

from datetime import time

import pytest
from django.core.exceptions import ImproperlyConfigured

from patientcare.env import env_hours


@pytest.mark.parametrize(
    ("value", "window"),
    [
        ("", (time(7), time(19))),  # unset: the default
        ("07:00-19:00", (time(7), time(19))),
        (" 8:30 - 17:45 ", (time(8, 30), time(17, 45))),
        ("22:00-06:00", (time(22), time(6))),  # over midnight
        ("00:00-23:59", (time(0), time(23, 59))),
    ],
)
def test_a_window_of_the_day(monkeypatch, value, window):
    monkeypatch.setenv("TEST_HOURS", value)
    assert env_hours("TEST_HOURS", "07:00-19:00") == window


@pytest.mark.parametrize(
    "value",
    [
        "7-19",
        "07:00",
        "07:00-",
        "07:00-24:00",
        "25:00-06:00",
        "07:60-19:00",
        "ab:cd-19:00",
        "07:00-19:00-20:00",
        "-07:00-19:00",
        "07:0-19:00",
        "\N{FULLWIDTH DIGIT SEVEN}:00-19:00",  # a digit, but not an ASCII one
    ],
)
def test_anything_else_refuses_to_start_with_the_variable_named(monkeypatch, value):
    monkeypatch.setenv("TEST_HOURS", value)
    with pytest.raises(ImproperlyConfigured, match=r"^TEST_HOURS must be a window of the day"):
        env_hours("TEST_HOURS", "07:00-19:00")


def test_an_empty_window_refuses(monkeypatch):
    monkeypatch.setenv("TEST_HOURS", "08:00-08:00")
    with pytest.raises(ImproperlyConfigured, match="same time"):
        env_hours("TEST_HOURS", "07:00-19:00")
