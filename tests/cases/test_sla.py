"""SLA clocks through the services: due times stamped by ``case_open`` from the most specific
policy, paused while waiting (or resolved) and moved on by ``case_transition``, the first response
stamped by ``case_add_note``, and the breach state read by ``Case.objects.with_sla_state``.

Every action runs under a frozen clock. The calendar is Mon-Fri 09:00-17:00 in New York with
Monday 19 January 2026 (MLK Day) a holiday; the standard policy gives 2 business hours for the
first response and 16 (two business days) for the resolution. In January New York is on EST.
"""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

from cases import services
from cases.choices import Channel, Priority, Status, Visibility
from cases.models import BusinessCalendar, BusinessHours, Case, Holiday, RoutingRule, SlaPolicy
from tests.factories import CategoryFactory, make_patient

pytestmark = pytest.mark.django_db

NY = zoneinfo.ZoneInfo("America/New_York")


def ny(month, day, hour=0, minute=0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=NY)


MON_10 = ny(1, 12, 10)  # the usual opening moment: Monday 12 January, 10:00
MON_10_30 = ny(1, 12, 10, 30)


@pytest.fixture
def calendar(db):
    calendar = BusinessCalendar.objects.create(name="Office", time_zone="America/New_York")
    for weekday in range(5):
        BusinessHours.objects.create(
            calendar=calendar,
            weekday=weekday,
            opens=datetime.time(9),
            closes=datetime.time(17),
        )
    Holiday.objects.create(calendar=calendar, date=datetime.date(2026, 1, 19), name="MLK Day")
    return calendar


@pytest.fixture
def policy(calendar):
    return SlaPolicy.objects.create(
        name="Standard", calendar=calendar, first_response_minutes=120, resolution_minutes=960
    )


def open_case(actor, category, at=MON_10, **overrides) -> Case:
    with time_machine.travel(at, tick=False):
        arguments = {
            "actor": actor,
            "patient": make_patient(actor),
            "category": category,
            "subject": "Parking",
            "description": "Where do I park for the clinic?",
            "channel": Channel.VOICE,
        }
        arguments.update(overrides)
        return services.case_open(**arguments)


def move(actor, case, to_status, at) -> Case:
    with time_machine.travel(at, tick=False):
        services.case_transition(actor=actor, case=case, to_status=to_status)
    case.refresh_from_db()
    return case


def write(actor, case, at, visibility=Visibility.PATIENT) -> Case:
    with time_machine.travel(at, tick=False):
        services.case_add_note(actor=actor, case=case, body="Hello", visibility=visibility)
    case.refresh_from_db()
    return case


def opened_body(case) -> str:
    return case.events.get(kind="opened").body


def due(case) -> tuple:
    return case.first_response_due_at, case.resolution_due_at


# --- stamping at open ----------------------------------------------------------------------------


def test_open_stamps_due_times_and_names_the_policy(actor, category, policy):
    case = open_case(actor, category)
    assert case.sla_policy == policy
    # 2 business hours; 16 business hours = Mon 7 h + Tue 8 h + Wed 1 h
    assert due(case) == (ny(1, 12, 12), ny(1, 14, 10))
    assert case.sla_paused_at is None
    assert case.first_response_at is None
    assert "SLA policy “Standard”" in opened_body(case)
    case.refresh_from_db()
    assert due(case) == (ny(1, 12, 12), ny(1, 14, 10))


def test_open_outside_hours_counts_from_the_next_opening(actor, category, policy):
    case = open_case(actor, category, at=ny(1, 10, 15))  # Saturday
    assert due(case) == (ny(1, 12, 11), ny(1, 13, 17))


def test_open_before_a_holiday_skips_it(actor, category, policy):
    case = open_case(actor, category, at=ny(1, 16, 16))  # Friday before MLK Day
    # Fri 1 h, (Mon holiday), Tue 8 h, Wed 7 h
    assert due(case) == (ny(1, 20, 10), ny(1, 21, 16))


def test_category_policy_beats_kind_policy_beats_any(actor, category, calendar):
    SlaPolicy.objects.create(
        name="Any", calendar=calendar, first_response_minutes=240, resolution_minutes=960
    )
    SlaPolicy.objects.create(
        name="Kind",
        kind="general_information",
        calendar=calendar,
        first_response_minutes=60,
        resolution_minutes=480,
    )
    SlaPolicy.objects.create(
        name="Category",
        category=category,
        calendar=calendar,
        first_response_minutes=30,
        resolution_minutes=240,
    )
    same_kind = CategoryFactory(default_queue=category.default_queue)
    billing = CategoryFactory(kind="billing", default_queue=category.default_queue)

    by_category = open_case(actor, category)
    by_kind = open_case(actor, same_kind)
    by_any = open_case(actor, billing, details={"inquiry_type": "statement_question"})

    assert by_category.sla_policy.name == "Category"
    assert due(by_category) == (ny(1, 12, 10, 30), ny(1, 12, 14))
    assert "SLA policy “Category”" in opened_body(by_category)
    assert by_kind.sla_policy.name == "Kind"
    assert due(by_kind) == (ny(1, 12, 11), ny(1, 13, 10))
    assert "SLA policy “Kind”" in opened_body(by_kind)
    assert by_any.sla_policy.name == "Any"
    assert due(by_any) == (ny(1, 12, 14), ny(1, 14, 10))
    assert "SLA policy “Any”" in opened_body(by_any)


def test_priority_policy_beats_any_priority_policy(actor, category, calendar):
    SlaPolicy.objects.create(
        name="Every priority", calendar=calendar, first_response_minutes=120, resolution_minutes=960
    )
    SlaPolicy.objects.create(
        name="Urgent",
        priority=Priority.URGENT,
        calendar=calendar,
        first_response_minutes=15,
        resolution_minutes=60,
    )
    urgent = open_case(actor, category, priority=Priority.URGENT)
    normal = open_case(actor, category, priority=Priority.NORMAL)
    assert urgent.sla_policy.name == "Urgent"
    assert due(urgent) == (ny(1, 12, 10, 15), ny(1, 12, 11))
    assert normal.sla_policy.name == "Every priority"


def test_category_scope_beats_priority_scope(actor, category, calendar):
    SlaPolicy.objects.create(
        name="Urgent anywhere",
        priority=Priority.URGENT,
        calendar=calendar,
        first_response_minutes=15,
        resolution_minutes=60,
    )
    SlaPolicy.objects.create(
        name="This category",
        category=category,
        calendar=calendar,
        first_response_minutes=30,
        resolution_minutes=240,
    )
    case = open_case(actor, category, priority=Priority.URGENT)
    assert case.sla_policy.name == "This category"


def test_priority_raised_by_a_routing_rule_selects_the_policy(actor, category, calendar):
    RoutingRule.objects.create(
        name="Chat is urgent", order=1, channel=Channel.CHAT, set_priority=40
    )
    SlaPolicy.objects.create(
        name="Every priority", calendar=calendar, first_response_minutes=120, resolution_minutes=960
    )
    SlaPolicy.objects.create(
        name="Urgent",
        priority=Priority.URGENT,
        calendar=calendar,
        first_response_minutes=15,
        resolution_minutes=60,
    )
    case = open_case(actor, category, channel=Channel.CHAT)
    assert case.priority == Priority.URGENT
    assert case.sla_policy.name == "Urgent"


def test_inactive_policies_are_ignored(actor, category, calendar):
    SlaPolicy.objects.create(
        name="Old category policy",
        category=category,
        calendar=calendar,
        first_response_minutes=30,
        resolution_minutes=240,
        active=False,
    )
    SlaPolicy.objects.create(
        name="Any", calendar=calendar, first_response_minutes=120, resolution_minutes=960
    )
    case = open_case(actor, category)
    assert case.sla_policy.name == "Any"


def test_ties_go_to_the_oldest_policy(actor, category, calendar):
    for name in ("First", "Second"):
        SlaPolicy.objects.create(
            name=name, calendar=calendar, first_response_minutes=120, resolution_minutes=960
        )
    assert open_case(actor, category).sla_policy.name == "First"


def test_without_a_policy_nothing_is_due(actor, category, calendar):
    SlaPolicy.objects.create(
        name="Inactive",
        calendar=calendar,
        first_response_minutes=120,
        resolution_minutes=960,
        active=False,
    )
    case = open_case(actor, category)
    assert case.sla_policy is None
    assert due(case) == (None, None)
    assert opened_body(case).endswith("; no SLA policy applies.")


def test_an_always_open_calendar_counts_every_hour(actor, category):
    nurse_line = BusinessCalendar.objects.create(name="Nurse line", always_open=True)
    SlaPolicy.objects.create(
        name="24/7", calendar=nurse_line, first_response_minutes=60, resolution_minutes=24 * 60
    )
    case = open_case(actor, category, at=ny(1, 10, 23))  # Saturday night
    assert due(case) == (ny(1, 11, 0), ny(1, 11, 23))


# --- pausing and resuming ------------------------------------------------------------------------


def start_work(actor, case, at=MON_10_30) -> Case:
    return move(actor, case, Status.IN_PROGRESS, at)


@pytest.mark.parametrize("waiting", [Status.WAITING_ON_PATIENT, Status.WAITING_ON_THIRD_PARTY])
def test_waiting_moves_both_due_times_by_the_business_time_spent(actor, category, policy, waiting):
    case = start_work(actor, open_case(actor, category))
    assert case.sla_paused_at is None
    case = move(actor, case, waiting, ny(1, 12, 11))
    assert case.sla_paused_at == ny(1, 12, 11)
    assert due(case) == (ny(1, 12, 12), ny(1, 14, 10))  # unchanged while waiting

    case = move(actor, case, Status.IN_PROGRESS, ny(1, 14, 11))
    # 16 business hours waited (Mon 6 + Tue 8 + Wed 2): Mon 12:00 -> Wed 12:00, Wed 10:00 -> Fri
    assert case.sla_paused_at is None
    assert due(case) == (ny(1, 14, 12), ny(1, 16, 10))


def test_running_statuses_do_not_pause(actor, category, policy):
    case = open_case(actor, category)
    case = move(actor, case, Status.TRIAGED, ny(1, 12, 10, 15))
    case = move(actor, case, Status.IN_PROGRESS, ny(1, 12, 10, 30))
    assert case.sla_paused_at is None
    assert due(case) == (ny(1, 12, 12), ny(1, 14, 10))


def test_pause_over_a_weekend_and_a_holiday(actor, category, policy):
    case = open_case(actor, category, at=ny(1, 16, 10))  # Friday
    # Fri 7 h, (Mon holiday), Tue 8 h, Wed 1 h
    assert due(case) == (ny(1, 16, 12), ny(1, 21, 10))
    case = start_work(actor, case, ny(1, 16, 10, 30))
    case = move(actor, case, Status.WAITING_ON_PATIENT, ny(1, 16, 11))
    case = move(actor, case, Status.IN_PROGRESS, ny(1, 20, 11))
    # waited Fri 6 h + Tue 2 h = 8 business hours
    assert due(case) == (ny(1, 20, 12), ny(1, 22, 10))


def test_resuming_outside_hours_counts_from_the_next_opening(actor, category, policy):
    case = start_work(actor, open_case(actor, category))
    case = move(actor, case, Status.WAITING_ON_PATIENT, ny(1, 12, 11))
    case = move(actor, case, Status.IN_PROGRESS, ny(1, 17, 12))  # Saturday; Monday a holiday
    assert due(case) == (ny(1, 20, 10), ny(1, 21, 16))


def test_a_due_time_passed_at_the_pause_stays_passed(actor, category, policy):
    case = start_work(actor, open_case(actor, category))
    case = move(actor, case, Status.WAITING_ON_PATIENT, ny(1, 12, 13))  # no reply by 12:00
    case = move(actor, case, Status.IN_PROGRESS, ny(1, 14, 11))
    assert case.first_response_due_at == ny(1, 12, 12)
    # 13 business hours were left (Mon 4 + Tue 8 + Wed 1): Wed 11:00 -> Thu 16:00
    assert case.resolution_due_at == ny(1, 15, 16)
    state = Case.objects.with_sla_state(ny(1, 14, 11)).get(pk=case.pk)
    assert state.first_response_breached is True


def test_the_first_response_target_is_not_moved_once_met(actor, category, policy):
    case = write(actor, open_case(actor, category), ny(1, 12, 10, 20))
    assert case.first_response_at == ny(1, 12, 10, 20)
    case = start_work(actor, case)
    case = move(actor, case, Status.WAITING_ON_PATIENT, ny(1, 12, 11))
    case = move(actor, case, Status.IN_PROGRESS, ny(1, 14, 11))
    assert due(case) == (ny(1, 12, 12), ny(1, 16, 10))


def test_resolving_stops_the_clock_and_reopening_resumes_it(actor, category, policy):
    case = open_case(actor, category)
    case = move(actor, case, Status.RESOLVED, ny(1, 12, 11))
    assert case.resolved_at == ny(1, 12, 11)
    assert case.sla_paused_at == ny(1, 12, 11)
    case = move(actor, case, Status.IN_PROGRESS, ny(1, 14, 11))  # reopened
    assert case.resolved_at is None
    assert case.sla_paused_at is None
    assert due(case) == (ny(1, 14, 12), ny(1, 16, 10))


def test_resolved_while_waiting_is_judged_at_resolution(actor, category, policy):
    """Resolving straight from waiting takes the waiting time off first (due times move on),
    then the clock stays stopped from the resolution; a reopen counts on from there."""
    case = start_work(actor, open_case(actor, category))
    case = move(actor, case, Status.WAITING_ON_PATIENT, ny(1, 12, 11))
    case = move(actor, case, Status.RESOLVED, ny(1, 13, 11))
    assert case.sla_paused_at == ny(1, 13, 11)
    assert due(case) == (ny(1, 13, 12), ny(1, 15, 10))
    case = move(actor, case, Status.IN_PROGRESS, ny(1, 14, 11))
    assert due(case) == (ny(1, 14, 12), ny(1, 16, 10))


def test_waiting_to_waiting_keeps_the_pause(actor, category, policy):
    case = start_work(actor, open_case(actor, category))
    case = move(actor, case, Status.WAITING_ON_PATIENT, ny(1, 12, 11))
    case = move(actor, case, Status.WAITING_ON_THIRD_PARTY, ny(1, 13, 11))
    assert case.sla_paused_at == ny(1, 12, 11)
    assert due(case) == (ny(1, 12, 12), ny(1, 14, 10))
    case = move(actor, case, Status.WAITING_ON_PATIENT, ny(1, 13, 15))
    assert case.sla_paused_at == ny(1, 12, 11)
    case = move(actor, case, Status.IN_PROGRESS, ny(1, 14, 11))
    assert due(case) == (ny(1, 14, 12), ny(1, 16, 10))


def test_two_pauses_add_up(actor, category, policy):
    case = start_work(actor, open_case(actor, category))
    case = move(actor, case, Status.WAITING_ON_PATIENT, ny(1, 12, 11))
    case = move(actor, case, Status.IN_PROGRESS, ny(1, 14, 11))
    case = move(actor, case, Status.WAITING_ON_THIRD_PARTY, ny(1, 14, 11, 30))
    case = move(actor, case, Status.IN_PROGRESS, ny(1, 15, 11, 30))
    # second pause: 8 business hours; Fri 16 10:00 + 8 h crosses the weekend and MLK Day
    assert due(case) == (ny(1, 15, 12), ny(1, 20, 10))


def test_a_case_without_a_policy_is_unaffected(actor, category):
    case = start_work(actor, open_case(actor, category))
    case = move(actor, case, Status.WAITING_ON_PATIENT, ny(1, 12, 11))
    assert case.sla_paused_at is None
    case = move(actor, case, Status.IN_PROGRESS, ny(1, 14, 11))
    case = move(actor, case, Status.RESOLVED, ny(1, 14, 12))
    assert (case.sla_paused_at, *due(case)) == (None, None, None)
    assert not Case.objects.sla_breached(ny(3, 1)).filter(pk=case.pk).exists()


# --- the first response --------------------------------------------------------------------------


def test_the_first_public_reply_stamps_the_first_response(actor, category, policy):
    case = open_case(actor, category)
    case = write(actor, case, ny(1, 12, 10, 10), Visibility.INTERNAL)
    assert case.first_response_at is None
    case = write(actor, case, ny(1, 12, 10, 40))
    assert case.first_response_at == ny(1, 12, 10, 40)
    case = write(actor, case, ny(1, 12, 11))
    assert case.first_response_at == ny(1, 12, 10, 40)


def test_a_reply_stamps_the_first_response_without_a_policy(actor, category):
    case = write(actor, open_case(actor, category), ny(1, 12, 10, 40))
    assert case.first_response_at == ny(1, 12, 10, 40)


# --- breach state --------------------------------------------------------------------------------


def sla_state(case, now) -> tuple:
    """(first response breached, resolution breached, in ``sla_breached``). The annotations are
    read as truth values."""
    annotated = Case.objects.with_sla_state(now).get(pk=case.pk)
    breached = Case.objects.sla_breached(now).filter(pk=case.pk).exists()
    return (
        bool(annotated.first_response_breached),
        bool(annotated.resolution_breached),
        breached,
    )


def test_not_yet_due(actor, category, policy):
    case = open_case(actor, category)
    assert sla_state(case, ny(1, 12, 11)) == (False, False, False)
    assert sla_state(case, ny(1, 12, 11, 59)) == (False, False, False)
    # due at exactly 12:00: reached, and so breached — the moment the timer sweep marks it
    # (cases.sla.level_due) and cases.sla_state says "breached"
    assert sla_state(case, ny(1, 12, 12)) == (True, False, True)


def test_first_response_overdue(actor, category, policy):
    case = open_case(actor, category)
    assert sla_state(case, ny(1, 12, 12, 1)) == (True, False, True)


def test_replied_late_stays_breached(actor, category, policy):
    case = write(actor, open_case(actor, category), ny(1, 12, 13))
    assert sla_state(case, ny(1, 12, 14)) == (True, False, True)


def test_replied_on_time(actor, category, policy):
    case = write(actor, open_case(actor, category), ny(1, 12, 11))
    assert sla_state(case, ny(1, 13, 11)) == (False, False, False)


def test_resolution_overdue(actor, category, policy):
    case = write(actor, open_case(actor, category), ny(1, 12, 11))
    assert sla_state(case, ny(1, 14, 9, 59)) == (False, False, False)
    assert sla_state(case, ny(1, 14, 10, 1)) == (False, True, True)


def test_paused_before_the_due_time_is_not_breached_however_long_it_waits(actor, category, policy):
    case = start_work(actor, open_case(actor, category))
    case = move(actor, case, Status.WAITING_ON_PATIENT, ny(1, 12, 11))
    assert sla_state(case, ny(3, 1)) == (False, False, False)


def test_paused_after_the_due_time_is_breached(actor, category, policy):
    case = start_work(actor, open_case(actor, category))
    case = move(actor, case, Status.WAITING_ON_THIRD_PARTY, ny(1, 12, 13))
    assert sla_state(case, ny(1, 12, 14)) == (True, False, True)
    assert sla_state(case, ny(3, 1)) == (True, False, True)


def test_resolved_on_time_is_not_breached(actor, category, policy):
    case = write(actor, open_case(actor, category), ny(1, 12, 11))
    case = move(actor, case, Status.RESOLVED, ny(1, 13, 11))
    assert sla_state(case, ny(3, 1)) == (False, False, False)


def test_resolved_late_is_breached(actor, category, policy):
    case = write(actor, open_case(actor, category), ny(1, 12, 11))
    case = move(actor, case, Status.RESOLVED, ny(1, 15, 11))
    assert sla_state(case, ny(3, 1)) == (False, True, True)
    case = move(actor, case, Status.CLOSED, ny(1, 16, 11))
    assert sla_state(case, ny(3, 1)) == (False, True, True)


def test_reopened_after_the_due_time_is_breached(actor, category, policy):
    case = write(actor, open_case(actor, category), ny(1, 12, 11))
    case = move(actor, case, Status.RESOLVED, ny(1, 13, 11))
    case = move(actor, case, Status.IN_PROGRESS, ny(1, 13, 12))
    # 7 business hours were left at the resolution (Tue 11:00 -> Wed 10:00)
    assert case.resolution_due_at == ny(1, 14, 11)
    assert sla_state(case, ny(1, 14, 11, 1)) == (False, True, True)


def test_with_sla_state_defaults_to_now(actor, category, policy):
    case = open_case(actor, category)
    with time_machine.travel(ny(1, 12, 12, 30), tick=False):
        annotated = Case.objects.with_sla_state().get(pk=case.pk)
        assert annotated.first_response_breached is True
        assert list(Case.objects.sla_breached()) == [case]


def test_sla_breached_across_cases(actor, category, policy):
    on_time = write(actor, open_case(actor, category), ny(1, 12, 11))
    late = open_case(actor, category)
    now = ny(1, 12, 13)
    assert set(Case.objects.sla_breached(now)) == {late}
    assert on_time not in Case.objects.sla_breached(now)


def test_sla_state_annotations_are_booleans(actor, category, policy):
    case = open_case(actor, category)
    annotated = Case.objects.with_sla_state(ny(1, 12, 11)).get(pk=case.pk)
    assert annotated.first_response_breached is False
    assert annotated.resolution_breached is False


def test_filtering_on_not_breached_finds_open_cases(actor, category, policy):
    on_time = write(actor, open_case(actor, category), ny(1, 12, 11))
    late = open_case(actor, category)
    now = ny(1, 12, 13)
    assert set(Case.objects.sla_breached(now)) == {late}
    not_breached = Case.objects.with_sla_state(now).filter(
        first_response_breached=False, resolution_breached=False
    )
    assert set(not_breached) == {on_time}


# --- targets met while the clock is stopped -------------------------------------------------------


def test_a_first_reply_while_waiting_is_on_time(actor, category, policy):
    case = start_work(actor, open_case(actor, category))
    # on hold for the pharmacy at 11:00 with an hour of first-response time left ...
    case = move(actor, case, Status.WAITING_ON_THIRD_PARTY, ny(1, 12, 11))
    # ... the first reply to the patient goes out the next day, still on hold: no running time
    # has passed since the pause
    case = write(actor, case, ny(1, 13, 10))
    assert sla_state(case, ny(1, 13, 10, 30))[0] is False
    case = move(actor, case, Status.IN_PROGRESS, ny(1, 13, 11))
    assert sla_state(case, ny(1, 13, 11, 30))[0] is False


def test_resolving_straight_from_waiting_is_on_time(actor, category, policy):
    case = write(actor, open_case(actor, category), ny(1, 12, 10, 15))
    case = start_work(actor, case)
    case = move(actor, case, Status.WAITING_ON_PATIENT, ny(1, 12, 11))
    # the patient answers on Friday and the case is resolved at once: 1 h of running time used
    case = move(actor, case, Status.RESOLVED, ny(1, 16, 10))
    assert sla_state(case, ny(1, 16, 10, 30)) == (False, False, False)
