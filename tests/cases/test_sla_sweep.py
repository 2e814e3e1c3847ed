"""The SLA timer sweep (``cases.timers.sweep``, ``cases.services.case_mark_sla``) under a frozen
clock: a warning ``CONSOLE_SLA_WARNING_MINUTES`` before a due time and a breach at it, each once,
only while the clock runs, with a timeline event and a live-queue announcement.

The policy counts around the clock (an always-open calendar): a case opened Monday 2 March 2026
at 14:00 UTC is due a first response at 15:00 and a resolution at 18:00; the warning window is
30 minutes.
"""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cases import services
from cases.choices import EventKind, Status, Visibility
from cases.events import CaseEventName, queue_group
from cases.models import BusinessCalendar, Case, SlaPolicy
from cases.services import sla_sweep_candidates
from cases.sla import BREACHED, FIRST_RESPONSE, RESOLUTION, WARNING
from cases.tasks import sweep_sla
from cases.timers import sweep
from tests.factories import make_patient

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def at(hour, minute=0, second=0, day=2) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, minute, second, tzinfo=UTC)


OPENED = at(14)


@pytest.fixture(autouse=True)
def _window(settings):
    settings.CONSOLE_SLA_WARNING_MINUTES = 30


@pytest.fixture
def policy(db):
    calendar = BusinessCalendar.objects.create(name="Around the clock", always_open=True)
    return SlaPolicy.objects.create(
        name="Fast", calendar=calendar, first_response_minutes=60, resolution_minutes=240
    )


def open_case(actor, category, when=OPENED) -> Case:
    with time_machine.travel(when, tick=False):
        return services.case_open(
            actor=actor,
            patient=make_patient(actor),
            category=category,
            subject="Parking",
            description="Where do I park for the clinic?",
            channel="voice",
        )


def sweep_at(when) -> dict:
    with time_machine.travel(when, tick=False):
        return sweep()


def move(actor, case, to_status, when) -> Case:
    with time_machine.travel(when, tick=False):
        services.case_transition(actor=actor, case=case, to_status=to_status)
    case.refresh_from_db()
    return case


def reply(actor, case, when) -> Case:
    with time_machine.travel(when, tick=False):
        services.case_add_note(actor=actor, case=case, body="Hello", visibility=Visibility.PATIENT)
    case.refresh_from_db()
    return case


def marks(case) -> tuple:
    case.refresh_from_db()
    return (
        case.first_response_warned_at,
        case.first_response_breached_at,
        case.resolution_warned_at,
        case.resolution_breached_at,
    )


def sla_events(case) -> list[tuple[str, str, str]]:
    return list(
        case.events.filter(kind__in=[EventKind.SLA_WARNING, EventKind.SLA_BREACHED])
        .order_by("created_at", "pk")
        .values_list("kind", "new_value", "body")
    )


def counts(warnings=0, breaches=0, failed=0) -> dict:
    return {WARNING: warnings, BREACHED: breaches, "failed": failed}


# --- warnings and breaches, once each ------------------------------------------------------------


def test_nothing_is_marked_before_the_warning_window(actor, category, policy):
    case = open_case(actor, category)
    assert sweep_at(at(14, 29, 59)) == counts()
    assert marks(case) == (None, None, None, None)
    assert sla_events(case) == []


def test_a_warning_is_given_once_at_the_due_time_minus_the_window(actor, category, policy):
    case = open_case(actor, category)
    assert sweep_at(at(14, 30)) == counts(warnings=1)
    assert marks(case) == (at(14, 30), None, None, None)
    assert sla_events(case) == [
        (
            EventKind.SLA_WARNING,
            "first_response",
            "First-response target passes at 15:00 UTC on 2026-03-02.",
        )
    ]
    assert sweep_at(at(14, 31)) == counts()
    assert sweep_at(at(14, 59)) == counts()
    assert len(sla_events(case)) == 1
    event = case.events.get(kind=EventKind.SLA_WARNING)
    assert event.visibility == Visibility.INTERNAL
    assert event.actor.username == "system"


def test_a_breach_is_marked_once_at_the_due_time(actor, category, policy):
    case = open_case(actor, category)
    sweep_at(at(14, 30))
    assert sweep_at(at(14, 59, 59)) == counts()
    assert sweep_at(at(15)) == counts(breaches=1)
    assert marks(case) == (at(14, 30), at(15), None, None)
    assert sweep_at(at(15, 1)) == counts()
    assert sweep_at(at(16)) == counts()
    assert [kind for kind, _, _ in sla_events(case)] == [
        EventKind.SLA_WARNING,
        EventKind.SLA_BREACHED,
    ]
    assert sla_events(case)[-1][2] == "First-response target passed at 15:00 UTC on 2026-03-02."


def test_a_target_found_already_passed_is_breached_without_a_warning(actor, category, policy):
    case = open_case(actor, category)
    assert sweep_at(at(15, 10)) == counts(breaches=1)
    assert marks(case) == (None, at(15, 10), None, None)
    assert [kind for kind, _, _ in sla_events(case)] == [EventKind.SLA_BREACHED]


def test_both_targets_in_one_sweep(actor, category, policy):
    case = open_case(actor, category)
    assert sweep_at(at(17, 45)) == counts(warnings=1, breaches=1)
    assert marks(case) == (None, at(17, 45), at(17, 45), None)
    assert sweep_at(at(18)) == counts(breaches=1)
    assert marks(case) == (None, at(17, 45), at(17, 45), at(18))


# --- the clock stopped ---------------------------------------------------------------------------


@pytest.mark.parametrize("waiting", [Status.WAITING_ON_PATIENT, Status.WAITING_ON_THIRD_PARTY])
def test_a_waiting_case_is_never_marked(actor, category, policy, waiting):
    case = move(actor, open_case(actor, category), Status.IN_PROGRESS, at(14, 5))
    case = move(actor, case, waiting, at(14, 10))
    assert case.sla_paused_at == at(14, 10)
    for moment in (at(14, 40), at(15, 30), at(18, 30), at(9, day=3)):
        assert sweep_at(moment) == counts()
    assert marks(case) == (None, None, None, None)
    assert sla_events(case) == []


def test_resolved_and_closed_cases_are_never_marked(actor, category, policy):
    resolved = move(actor, open_case(actor, category), Status.RESOLVED, at(14, 10))
    closed = move(actor, open_case(actor, category), Status.RESOLVED, at(14, 10))
    closed = move(actor, closed, Status.CLOSED, at(14, 20))
    assert sweep_at(at(19)) == counts()
    assert marks(resolved) == marks(closed) == (None, None, None, None)


def test_a_case_without_a_policy_is_never_marked(actor, category):
    case = open_case(actor, category)
    assert case.first_response_due_at is None
    assert sweep_at(at(23)) == counts()
    assert marks(case) == (None, None, None, None)


def test_a_met_first_response_is_not_marked_but_the_resolution_is(actor, category, policy):
    case = reply(actor, open_case(actor, category), at(14, 20))
    assert case.first_response_at == at(14, 20)
    assert sweep_at(at(15, 30)) == counts()
    assert sweep_at(at(17, 30)) == counts(warnings=1)
    assert sweep_at(at(18)) == counts(breaches=1)
    assert marks(case) == (None, None, at(17, 30), at(18))
    assert [target for _, target, _ in sla_events(case)] == ["resolution", "resolution"]
    assert sla_events(case)[0][2] == "Resolution target passes at 18:00 UTC on 2026-03-02."


def test_a_first_response_after_the_warning_stops_the_breach(actor, category, policy):
    case = open_case(actor, category)
    sweep_at(at(14, 40))
    reply(actor, case, at(14, 50))
    assert sweep_at(at(15, 5)) == counts()
    assert marks(case) == (at(14, 40), None, None, None)


# --- due times moved on by waiting ---------------------------------------------------------------


def test_moving_the_due_time_on_clears_the_warning_so_a_new_one_is_given(actor, category, policy):
    case = move(actor, open_case(actor, category), Status.IN_PROGRESS, at(14, 5))
    sweep_at(at(14, 30))
    case = move(actor, case, Status.WAITING_ON_PATIENT, at(14, 40))
    assert case.first_response_warned_at == at(14, 30)  # still set while waiting
    case = move(actor, case, Status.IN_PROGRESS, at(15, 40))
    # 20 minutes were left at the pause: due 16:00 now, and the warning is to be given again.
    assert case.first_response_due_at == at(16)
    assert marks(case) == (None, None, None, None)
    assert sweep_at(at(15, 29)) == counts()
    assert sweep_at(at(15, 30)) == counts(warnings=1)
    assert sweep_at(at(16)) == counts(breaches=1)
    assert marks(case) == (at(15, 30), at(16), None, None)
    assert [(kind, body[-30:]) for kind, _, body in sla_events(case)] == [
        (EventKind.SLA_WARNING, "passes at 15:00 UTC on 2026-03-02."[-30:]),
        (EventKind.SLA_WARNING, "passes at 16:00 UTC on 2026-03-02."[-30:]),
        (EventKind.SLA_BREACHED, "passed at 16:00 UTC on 2026-03-02."[-30:]),
    ]


def test_a_breach_is_not_undone_by_waiting(actor, category, policy):
    case = move(actor, open_case(actor, category), Status.IN_PROGRESS, at(14, 5))
    sweep_at(at(15))
    case = move(actor, case, Status.WAITING_ON_PATIENT, at(15, 10))
    case = move(actor, case, Status.IN_PROGRESS, at(16, 10))
    assert case.first_response_due_at == at(15)  # passed at the pause: it stays
    assert case.first_response_breached_at == at(15)
    assert sweep_at(at(16, 15)) == counts()
    assert [kind for kind, _, _ in sla_events(case)] == [EventKind.SLA_BREACHED]


def test_a_due_time_that_does_not_move_keeps_its_warning(actor, category, policy):
    case = move(actor, open_case(actor, category), Status.IN_PROGRESS, at(14, 5))
    sweep_at(at(14, 30))
    # Resolving straight from waiting moves the due times by the waiting (none here: 0 minutes).
    case = move(actor, case, Status.WAITING_ON_PATIENT, at(14, 40))
    case = move(actor, case, Status.IN_PROGRESS, at(14, 40))
    assert case.first_response_due_at == at(15)
    assert case.first_response_warned_at == at(14, 30)
    assert sweep_at(at(14, 45)) == counts()


# --- announcements -------------------------------------------------------------------------------


def test_marks_are_announced_to_the_live_queue_after_commit(
    actor, category, policy, listener, django_capture_on_commit_callbacks
):
    case = open_case(actor, category)
    listener.join(queue_group(case.queue_id))
    with django_capture_on_commit_callbacks(execute=True):
        sweep_at(at(14, 30))
    with django_capture_on_commit_callbacks(execute=True):
        sweep_at(at(15))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sweep_at(at(15, 1))
    assert callbacks == []  # nothing marked, nothing announced
    messages = listener.receive_all()
    assert [message["event"] for message in messages] == [
        CaseEventName.SLA_WARNING,
        CaseEventName.SLA_BREACHED,
    ]
    assert {message["case_id"] for message in messages} == {case.pk}
    assert messages[1]["seq"] == messages[0]["seq"] + 1
    text = json.dumps(messages)
    patient = case.patient
    for value in (patient.given_name, patient.family_name, patient.mrn, "Parking"):
        assert value not in text


# --- bounded, robust, cheap ----------------------------------------------------------------------


def test_nothing_to_do_costs_one_query_per_target(
    actor, category, policy, django_assert_num_queries
):
    open_case(actor, category)
    sweep_at(at(14, 30))
    with time_machine.travel(at(14, 35), tick=False), django_assert_num_queries(2):
        assert sweep() == counts()


def test_one_run_is_bounded_and_takes_the_most_overdue_first(actor, category, policy):
    late = open_case(actor, category, when=at(13))
    later = open_case(actor, category, when=at(13, 30))
    assert [c.pk for c in sla_sweep_candidates(FIRST_RESPONSE, at(15))] == [late.pk, later.pk]
    with time_machine.travel(at(15), tick=False):
        assert sweep(limit=1) == counts(breaches=1)
    assert marks(late)[1] == at(15)
    assert marks(later)[1] is None
    assert sweep_at(at(15, 1)) == counts(breaches=1)
    assert marks(later)[1] == at(15, 1)


def test_one_failing_case_does_not_stop_the_sweep(actor, category, policy, monkeypatch, caplog):
    first = open_case(actor, category, when=at(13))
    second = open_case(actor, category, when=at(13, 30))
    real = services.case_mark_sla

    def failing(*, case, **kwargs):
        if case.pk == first.pk:
            raise RuntimeError("boom")
        return real(case=case, **kwargs)

    monkeypatch.setattr(services, "case_mark_sla", failing)
    assert sweep_at(at(15)) == counts(breaches=1, failed=1)
    assert marks(first)[1] is None
    assert marks(second)[1] == at(15)
    assert f"marking case {first.pk} first_response breached failed" in caplog.text
    monkeypatch.setattr(services, "case_mark_sla", real)
    assert sweep_at(at(15, 1)) == counts(breaches=1)  # picked up by the next sweep
    assert marks(first)[1] == at(15, 1)


def test_the_celery_task_runs_the_sweep(actor, category, policy):
    case = open_case(actor, category)
    with time_machine.travel(at(14, 30), tick=False):
        sweep_sla.delay()
    assert marks(case)[0] == at(14, 30)


# --- the service ---------------------------------------------------------------------------------


def test_case_mark_sla_refuses_unknown_targets_and_levels(actor, category, policy):
    case = open_case(actor, category)
    with pytest.raises(ValidationError) as target:
        services.case_mark_sla(actor=actor, case=case, target="lunch", level=WARNING)
    assert target.value.error_dict["target"][0].code == "invalid_choice"
    with pytest.raises(ValidationError) as level:
        services.case_mark_sla(actor=actor, case=case, target="resolution", level="panic")
    assert level.value.error_dict["level"][0].code == "invalid_choice"


def test_case_mark_sla_writes_nothing_when_the_mark_is_not_due(actor, category, policy):
    case = open_case(actor, category)
    mark = services.case_mark_sla
    # A breach before the due time, a warning before the window, a warning once breached.
    assert (
        mark(actor=actor, case=case, target="first_response", level=BREACHED, now=at(14, 59))
        is None
    )
    assert mark(actor=actor, case=case, target="resolution", level=WARNING, now=at(17, 29)) is None
    assert (
        mark(actor=actor, case=case, target="first_response", level=BREACHED, now=at(15))
        is not None
    )
    assert mark(actor=actor, case=case, target="first_response", level=WARNING, now=at(15)) is None
    assert (
        mark(actor=actor, case=case, target="first_response", level=BREACHED, now=at(15, 5)) is None
    )
    assert marks(case) == (None, at(15), None, None)
    assert len(sla_events(case)) == 1


def test_case_mark_sla_records_the_actor_in_the_row_history(actor, category, policy):
    case = open_case(actor, category)
    services.case_mark_sla(
        actor=actor, case=case, target=RESOLUTION.name, level=WARNING, now=at(17, 40)
    )
    latest = case.history.order_by("-history_id").first()
    assert latest.resolution_warned_at == at(17, 40)
    assert latest.history_user_id == actor.pk
