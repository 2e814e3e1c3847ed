"""The services issue a constant number of SQL queries, whatever the number of rows.

Each count is pinned per database (PostgreSQL takes case numbers from a sequence in one query,
SQLite from a counter row in two) and must be the same with 1 and with 25 cases already there."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.choices import Channel, Status, Visibility
from tests.factories import make_case, make_patient

pytestmark = pytest.mark.django_db

EXPECTED = {
    # vendor: {operation: queries}
    # SAVEPOINT, nextval/counter, INSERT case, INSERT event, RELEASE
    "postgresql": {"open": 5, "assign": 5, "transition": 5, "note": 5, "reply": 5},
    # the counter takes an UPDATE and a SELECT
    "sqlite": {"open": 6, "assign": 5, "transition": 5, "note": 5, "reply": 5},
}


def _measure(actor, other_agent, category, patient):
    counts = {}
    with CaptureQueriesContext(connection) as ctx:
        case = services.case_open(
            actor=actor,
            patient=patient,
            category=category,
            subject="s",
            description="d",
            channel=Channel.SMS,
        )
    counts["open"] = len(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        case = services.case_assign(actor=actor, case=case, assignee=other_agent)
    counts["assign"] = len(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        case = services.case_transition(actor=actor, case=case, to_status=Status.IN_PROGRESS)
    counts["transition"] = len(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        services.case_add_note(actor=actor, case=case, body="n", visibility=Visibility.INTERNAL)
    counts["note"] = len(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        services.case_add_note(actor=actor, case=case, body="r", visibility=Visibility.PATIENT)
    counts["reply"] = len(ctx.captured_queries)
    return counts


def test_service_query_counts_are_pinned_and_constant(actor, other_agent, category):
    patient = make_patient(actor)
    make_case(actor=actor, category=category, patient=patient)
    few = _measure(actor, other_agent, category, patient)
    for _ in range(25):
        case = make_case(actor=actor, category=category, patient=patient)
        services.case_add_note(actor=actor, case=case, body="x", visibility=Visibility.PATIENT)
    many = _measure(actor, other_agent, category, patient)
    assert few == many
    assert few == EXPECTED[connection.vendor]
