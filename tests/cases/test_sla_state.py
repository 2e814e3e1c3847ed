"""The one rule for an SLA target's state (``cases.sla_state``): every state, its words, class,
countdown and the moment it changes by itself; both targets of a case; agreement with the SQL
form of the breach rule (``Case.objects.with_sla_state``) and with the timer sweep's moments."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.choices import Status
from cases.models import Case
from cases.sla_state import (
    BREACHED,
    MET,
    MET_LATE,
    NONE,
    PAUSED,
    RUNNING,
    STATES,
    WARNING,
    case_sla,
    duration_words,
    target_state,
)
from tests.factories import make_case

UTC = datetime.UTC
NOW = datetime.datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
WINDOW = datetime.timedelta(minutes=30)


def minutes(value: float) -> datetime.datetime:
    return NOW + datetime.timedelta(minutes=value)


def state(due=None, met=None, paused=None, now=NOW, **options):
    return target_state(
        due_at=due, met_at=met, paused_at=paused, now=now, warning=WINDOW, **options
    )


# --- each state -----------------------------------------------------------------------------------


def test_running_far_from_its_due_time():
    result = state(due=minutes(185))
    assert (result.state, result.css) == (RUNNING, "sla-ok")
    assert result.text == "On time, due in 3 h 5 min"
    # it turns "due soon" at the due time minus the window, counting towards the due time
    assert result.changes_at == minutes(155) and result.countdown == "until"


def test_warning_within_the_window_and_at_its_edge():
    result = state(due=minutes(12))
    assert (result.state, result.css) == (WARNING, "sla-soon")
    assert result.text == "Due soon, due in 12 min"
    assert result.changes_at == minutes(12) and result.countdown == "until"
    assert state(due=minutes(30)).state == WARNING  # the sweep warns at due - window too
    assert state(due=minutes(30.01)).state == RUNNING


def test_breached_at_the_due_time_and_after():
    assert state(due=NOW).state == BREACHED  # the sweep marks the breach at the due time
    result = state(due=minutes(-75))
    assert (result.state, result.css) == (BREACHED, "sla-overdue")
    assert result.text == "Breached, overdue by 1 h 15 min"
    assert result.countdown == "since" and result.changes_at is None


def test_paused_with_time_left_does_not_change_by_itself():
    result = state(due=minutes(90), paused=minutes(-60))
    assert (result.state, result.css) == (PAUSED, "sla-paused")
    assert result.text == "Clock stopped, 2 h 30 min left"  # left as of the pause
    assert result.countdown is None and result.changes_at is None
    # later, the same: waiting does not count
    assert state(due=minutes(90), paused=minutes(-60), now=minutes(600)) == result


def test_a_due_time_passed_at_the_pause_stays_breached():
    result = state(due=minutes(-70), paused=minutes(-60))
    assert result.state == BREACHED
    assert result.text == "Breached, overdue by 10 min when the clock stopped"
    assert result.countdown is None and result.changes_at is None
    assert state(due=minutes(-60), paused=minutes(-60)).state == BREACHED  # reached at the pause


def test_met_on_time_including_exactly_at_the_due_time():
    for met in (minutes(-30), NOW):
        result = state(due=NOW, met=met, now=minutes(120))
        assert (result.state, result.css, result.text) == (MET, "sla-met", "Met on time")
        assert result.countdown is None and result.changes_at is None


def test_met_late_is_a_breach_never_met():
    result = state(due=minutes(-90), met=minutes(-25))
    assert (result.state, result.css) == (MET_LATE, "sla-met-late")
    assert result.text == "Met late, 1 h 5 min after its due time"
    assert result.label != "Met on time" and result.met_at == minutes(-25)
    # whatever the clock did since, and whenever it is read
    assert state(due=minutes(-90), met=minutes(-25), paused=minutes(-10), now=minutes(900)) == (
        result
    )


def test_no_target_and_a_target_no_longer_needed():
    result = state()
    assert (result.state, result.css, result.text) == (NONE, "sla-none", "No target")
    result = state(due=minutes(-10), not_needed=True)
    assert result.state == NONE
    assert result.text == "No target, resolved without a written reply"
    # met still counts as met when the case ended
    assert state(due=minutes(-10), met=minutes(-5), not_needed=True).state == MET_LATE


def test_the_window_defaults_to_the_setting(settings):
    settings.CONSOLE_SLA_WARNING_MINUTES = 120
    assert target_state(due_at=minutes(90), met_at=None, paused_at=None, now=NOW).state == WARNING
    settings.CONSOLE_SLA_WARNING_MINUTES = 60
    assert target_state(due_at=minutes(90), met_at=None, paused_at=None, now=NOW).state == RUNNING


def test_as_json_is_plain_and_without_phi():
    data = state(due=minutes(-90), met=minutes(-25)).as_json()
    assert data == {
        "state": "met_late",
        "label": "Met late",
        "detail": "1 h 5 min after its due time",
        "css": "sla-met-late",
        "due_at": "2026-03-02T13:30:00+00:00",
        "met_at": "2026-03-02T14:35:00+00:00",
        "changes_at": None,
        "countdown": None,
    }


def test_duration_words():
    assert duration_words(59) == "under 1 min"
    assert duration_words(-61) == "1 min"
    assert duration_words(3600) == "1 h"
    assert duration_words(2 * 86400 + 4 * 3600 + 59) == "2 d 4 h"
    assert duration_words(86400) == "1 d"


# --- both targets of a case -----------------------------------------------------------------------


def case_row(**fields):
    values = {
        "status": Status.IN_PROGRESS,
        "first_response_due_at": None,
        "first_response_at": None,
        "resolution_due_at": None,
        "resolved_at": None,
        "sla_paused_at": None,
    }
    values.update(fields)
    return SimpleNamespace(**values)


def test_the_resolution_target_is_met_by_resolving():
    case = case_row(
        status=Status.RESOLVED,
        first_response_due_at=minutes(-300),
        first_response_at=minutes(-290),
        resolution_due_at=minutes(-60),
        resolved_at=minutes(-30),
        sla_paused_at=minutes(-30),
    )
    sla = case_sla(case, NOW, WINDOW)
    assert (sla.first_response.state, sla.resolution.state) == (MET_LATE, MET_LATE)
    assert sla["resolution"].text == "Met late, 30 min after its due time"
    case.resolved_at = case.sla_paused_at = minutes(-90)
    assert case_sla(case, NOW, WINDOW).resolution.state == MET


def test_a_case_resolved_without_a_written_reply_has_no_first_response_target_left():
    case = case_row(
        status=Status.CLOSED,
        first_response_due_at=minutes(-300),
        resolution_due_at=minutes(60),
        resolved_at=minutes(-30),
        sla_paused_at=minutes(-30),
    )
    sla = case_sla(case, NOW, WINDOW)
    assert sla.first_response.state == NONE
    assert sla.resolution.state == MET


def test_a_waiting_case_stops_both_clocks_but_not_a_met_first_response():
    case = case_row(
        status=Status.WAITING_ON_PATIENT,
        first_response_due_at=minutes(-120),
        first_response_at=minutes(-100),
        resolution_due_at=minutes(240),
        sla_paused_at=minutes(-60),
    )
    sla = case_sla(case, NOW, WINDOW)
    assert sla.first_response.state == MET_LATE
    assert (sla.resolution.state, sla.resolution.detail) == (PAUSED, "5 h left")
    with pytest.raises(KeyError):
        sla["escalation"]
    assert set(sla.as_json()) == {"first_response", "resolution"}


# --- the SQL form of the breach rule agrees -------------------------------------------------------

OFFSETS = st.one_of(st.none(), st.integers(min_value=-600, max_value=600))
OPEN_OR_DONE = st.sampled_from(
    [Status.NEW, Status.IN_PROGRESS, Status.WAITING_ON_PATIENT, Status.RESOLVED, Status.CLOSED]
)


def at_offset(value):
    return None if value is None else minutes(value)


@pytest.mark.django_db
# The actor and category are shared by the examples on purpose; each example makes its own case.
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    status=OPEN_OR_DONE,
    first_due=OFFSETS,
    first_at=OFFSETS,
    resolution_due=OFFSETS,
    resolved=OFFSETS,
    paused=OFFSETS,
)
def test_with_sla_state_breaches_exactly_when_the_state_is_breached_or_met_late(
    actor, category, status, first_due, first_at, resolution_due, resolved, paused
):
    """Any combination of the fields (consistent with the workflow: a resolved or closed case
    has a resolution time and a stopped clock, an open one no resolution time): the admin's and
    the supervisor page's SQL annotation says "breached" exactly when the state is."""
    ended = status in (Status.RESOLVED, Status.CLOSED)
    waiting = status == Status.WAITING_ON_PATIENT
    if ended:
        resolved = resolved if resolved is not None else 0
        paused = resolved
    else:
        resolved = None
        paused = (paused if paused is not None else 0) if waiting else None
    fields = {
        "status": status,
        "first_response_due_at": at_offset(first_due),
        "first_response_at": at_offset(first_at),
        "resolution_due_at": at_offset(resolution_due),
        "resolved_at": at_offset(resolved),
        "sla_paused_at": at_offset(paused),
        "closed_at": at_offset(resolved) if status == Status.CLOSED else None,
    }
    case = make_case(actor=actor, category=category)
    Case.objects.filter(pk=case.pk).update(**fields)
    annotated = Case.objects.with_sla_state(NOW).get(pk=case.pk)
    sla = case_sla(annotated, NOW, WINDOW)
    late = {BREACHED, MET_LATE}
    assert annotated.first_response_breached == (sla.first_response.state in late), fields
    assert annotated.resolution_breached == (sla.resolution.state in late), fields
    assert {sla.first_response.state, sla.resolution.state} <= set(STATES)


def test_every_list_that_shows_states_loads_the_fields_they_need():
    """The states come from fields already loaded: the live queue's snapshot (``.only()`` of
    ``CASE_FIELDS``) and the queue page's rows (``ROW_FIELDS``) never load one more."""
    from cases.events import CASE_FIELDS
    from cases.sla_state import SLA_FIELDS
    from console.views.common import ROW_FIELDS

    assert set(SLA_FIELDS) <= set(CASE_FIELDS)
    assert set(SLA_FIELDS) <= set(ROW_FIELDS)
