"""The services issue a constant number of SQL queries, whatever the number of rows.

Each count is pinned per database (PostgreSQL takes case numbers from a sequence in one query,
SQLite from a counter row in two) and must be the same with 1 and with 25 cases already there."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.choices import Channel, Status, Visibility
from cases.models import BusinessCalendar, BusinessHours, Holiday, RoutingRule, SlaPolicy
from tests.factories import make_case, make_patient

pytestmark = pytest.mark.django_db

EXPECTED = {
    # open: SAVEPOINT, routing rules, queue languages, SLA policy + hours + holidays,
    #       case number, INSERT case, INSERT event, the red-flag configuration (escalations:
    #       active pathways and their phrases, one query), RELEASE
    # transition that resumes the SLA clock: + policy, hours, holidays
    # every call: + 1 INSERT of the case's row version (simple-history), and the audit trail's
    #             plain INSERTs, one per entry (auditlog's own receivers; no chain lock or head:
    #             the sealer chains them later, compliance/sealer.py); an update adds auditlog's
    #             SELECT of the row's old values. Open: the case's and the event's entries (2,
    #             as many as the lock-and-head round trip plus one INSERT before); an internal
    #             note: the event's entry only (1 INSERT: 8 as before); the others: old values,
    #             the case's entry, the event's (3, one more than before).
    "postgresql": {
        "open": 14,
        "assign": 9,
        "transition": 9,
        "pause": 9,
        "resume": 12,
        "note": 8,
        "reply": 9,
    },
    # the SQLite counter takes an UPDATE and a SELECT
    "sqlite": {
        "open": 15,
        "assign": 9,
        "transition": 9,
        "pause": 9,
        "resume": 12,
        "note": 8,
        "reply": 9,
    },
}


@pytest.fixture
def sla_setup(category, queue):
    calendar = BusinessCalendar.objects.create(name="Office", time_zone="America/New_York")
    for weekday in range(5):
        BusinessHours.objects.create(
            calendar=calendar,
            weekday=weekday,
            opens=datetime.time(8),
            closes=datetime.time(18),
        )
    Holiday.objects.create(calendar=calendar, date=datetime.date(2026, 12, 25), name="Christmas")
    SlaPolicy.objects.create(
        name="Everything", calendar=calendar, first_response_minutes=240, resolution_minutes=2400
    )
    RoutingRule.objects.create(name="Chat first", order=1, channel=Channel.CHAT)


def _count(work) -> tuple[int, object]:
    # Each call is a request's own transaction in production, which starts without the audit
    # chain's head (the test's transaction never ends, so it would stay cached).
    with CaptureQueriesContext(connection) as ctx:
        result = work()
    return len(ctx.captured_queries), result


def _measure(actor, other_agent, category, patient):
    counts = {}
    counts["open"], case = _count(
        lambda: services.case_open(
            actor=actor,
            patient=patient,
            category=category,
            subject="s",
            description="d",
            channel=Channel.SMS,
        )
    )
    counts["assign"], case = _count(
        lambda: services.case_assign(actor=actor, case=case, assignee=other_agent)
    )
    counts["transition"], case = _count(
        lambda: services.case_transition(actor=actor, case=case, to_status=Status.IN_PROGRESS)
    )
    counts["pause"], case = _count(
        lambda: services.case_transition(
            actor=actor, case=case, to_status=Status.WAITING_ON_PATIENT
        )
    )
    counts["resume"], case = _count(
        lambda: services.case_transition(actor=actor, case=case, to_status=Status.IN_PROGRESS)
    )
    counts["note"], _ = _count(
        lambda: services.case_add_note(
            actor=actor, case=case, body="n", visibility=Visibility.INTERNAL
        )
    )
    counts["reply"], _ = _count(
        lambda: services.case_add_note(
            actor=actor, case=case, body="r", visibility=Visibility.PATIENT
        )
    )
    return counts


def test_service_query_counts_are_pinned_and_constant(actor, other_agent, category, sla_setup):
    patient = make_patient(actor)
    make_case(actor=actor, category=category, patient=patient)
    few = _measure(actor, other_agent, category, patient)
    for _ in range(25):
        case = make_case(actor=actor, category=category, patient=patient)
        services.case_add_note(actor=actor, case=case, body="x", visibility=Visibility.PATIENT)
    many = _measure(actor, other_agent, category, patient)
    assert few == many
    assert few == EXPECTED[connection.vendor]
