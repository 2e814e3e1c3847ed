"""``manage.py run_timers``: celery beat for the embedded default. It runs every interval entry of
``CELERY_BEAT_SCHEDULE`` inline (``--once``: each once), leaves clock-time entries to a real
beat, and reports a failing task without stopping the others."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
import time_machine
from celery.schedules import crontab, schedule
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.models import BusinessCalendar, SlaPolicy
from escalations import services
from escalations.choices import Urgency
from escalations.management.commands.run_timers import Entry, Timers, interval_entries
from tests.escalations.conftest import SBAR

T0 = datetime.datetime(2026, 3, 2, 14, 0, tzinfo=datetime.UTC)


def test_interval_entries_are_run_and_clock_time_entries_skipped():
    entries, skipped = interval_entries(
        {
            "seconds": {"task": "a", "schedule": 60.0},
            "whole": {"task": "b", "schedule": 30, "args": (1,), "kwargs": {"x": 2}},
            "delta": {"task": "c", "schedule": datetime.timedelta(minutes=5)},
            "celery": {"task": "d", "schedule": schedule(datetime.timedelta(seconds=90))},
            "daily": {"task": "e", "schedule": crontab(hour=7, minute=15)},
        }
    )
    assert entries == [
        Entry("seconds", "a", 60.0, (), {}),
        Entry("whole", "b", 30.0, (1,), {"x": 2}),
        Entry("delta", "c", 300.0, (), {}),
        Entry("celery", "d", 90.0, (), {}),
    ]
    assert skipped == ["daily"]


def test_the_settings_run_both_sweeps_every_minute(settings):
    entries, skipped = interval_entries(settings.CELERY_BEAT_SCHEDULE)
    every = {entry.task: entry.seconds for entry in entries}
    assert every["escalations.sweep_timers"] == 60.0
    assert every["cases.sweep_sla"] == 60.0
    assert "verify-audit-chain" in skipped


@pytest.mark.django_db
def test_once_sweeps_escalations_and_sla_marks(esc_world, settings):
    w = esc_world
    settings.CONSOLE_SLA_WARNING_MINUTES = 30
    calendar = BusinessCalendar.objects.create(name="Always", always_open=True)
    SlaPolicy.objects.create(
        name="Fast", calendar=calendar, first_response_minutes=60, resolution_minutes=600
    )
    with time_machine.travel(T0, tick=False):
        case = w.case()
        escalation = services.escalation_open(
            actor=w.agent, case=case, pathway=w.behavioral, urgency=Urgency.URGENT, **SBAR
        )
    out = StringIO()
    with time_machine.travel(T0 + datetime.timedelta(minutes=40), tick=False):
        call_command("run_timers", "--once", stdout=out)
    escalation.refresh_from_db()
    case.refresh_from_db()
    assert escalation.overdue_at == T0 + datetime.timedelta(minutes=40)  # 15-minute target
    assert case.first_response_warned_at == T0 + datetime.timedelta(minutes=40)  # due at 15:00
    assert "escalations-sweep-timers" in out.getvalue()
    assert "cases-sweep-sla" in out.getvalue()


@pytest.mark.django_db
def test_a_failing_task_is_reported_and_the_others_still_run(esc_world, settings, caplog):
    w = esc_world
    settings.CELERY_BEAT_SCHEDULE = {
        "broken": {"task": "no.such.task", "schedule": 60.0},
        "escalations": {"task": "escalations.sweep_timers", "schedule": 60.0},
    }
    with time_machine.travel(T0, tick=False):
        escalation = services.escalation_open(
            actor=w.agent, case=w.case(), pathway=w.behavioral, urgency=Urgency.URGENT, **SBAR
        )
    with (
        time_machine.travel(T0 + datetime.timedelta(minutes=20), tick=False),
        pytest.raises(CommandError, match="1 periodic task"),
    ):
        call_command("run_timers", "--once", stdout=StringIO())
    assert "periodic task broken (no.such.task) failed" in caplog.text
    escalation.refresh_from_db()
    assert escalation.overdue_at is not None


def test_once_and_serve_exclude_each_other():
    with pytest.raises(CommandError, match="exclude"):
        call_command("run_timers", "--once", "--serve", "127.0.0.1:0", stdout=StringIO())


def test_the_loop_runs_every_entry_at_start_and_stops_when_told():
    ran = []
    entries = [Entry("a", "a", 60.0, (), {}), Entry("b", "b", 60.0, (), {})]

    def run(entry):
        ran.append(entry.name)
        if len(ran) == len(entries):
            timers.stopped.set()
        return True

    timers = Timers(entries, run=run)
    timers.run_forever()  # returns once stopped
    assert ran == ["a", "b"]
