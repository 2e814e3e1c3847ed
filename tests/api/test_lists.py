"""Lists: filters, cursor pagination (each case exactly once, no COUNT, stable under inserts) and
query counts pinned and constant in the number of rows (list, retrieve, messages)."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services
from cases.choices import Channel, Priority, Status
from tests.api.conftest import AGENT, COMPLIANCE, PARTNER_A, PARTNER_B, SUPERUSER
from tests.factories import CategoryFactory, make_case, make_patient

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def open_cases(world, count: int, *, start=START, **overrides):
    """``count`` cases in queue A, one minute apart from ``start``, for one patient."""
    patient = make_patient(world.users[AGENT], mrn=None)
    cases = []
    for n in range(count):
        with time_machine.travel(start + datetime.timedelta(minutes=n), tick=False):
            arguments = {"actor": world.users[AGENT], "channel": Channel.VOICE}
            arguments.update(overrides)
            cases.append(make_case(patient=patient, category=world.category, **arguments))
    return cases


def references(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["reference"] for item in response.json()["results"]]


def path_of(url: str | None) -> str | None:
    if url is None:
        return None
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


# --- filters -------------------------------------------------------------------------------------


def test_filters(world):
    agent = world.users[AGENT]
    other_category = CategoryFactory(name="Other", slug="other", default_queue=world.queue)
    early = open_cases(world, 2, start=START)
    late = open_cases(world, 2, start=START + datetime.timedelta(days=2), priority=Priority.URGENT)
    odd = make_case(actor=agent, category=other_category, channel=Channel.SMS)
    services.case_transition(actor=agent, case=late[0], to_status=Status.TRIAGED)
    client = world.client(AGENT)

    def found(query: str) -> set[str]:
        return set(references(client.get(f"/api/v1/cases/?{query}")))

    assert found("status=triaged") == {late[0].reference}
    assert found("status=new") == {c.reference for c in [*early, late[1], odd, world.case]}
    assert found("status=triaged&status=new") == {
        c.reference for c in [*early, *late, odd, world.case]
    }
    assert found("priority=40") == {c.reference for c in late}
    assert found("category=other") == {odd.reference}
    assert found("queue=queue-a") == {c.reference for c in [*early, *late, odd, world.case]}
    assert found("queue=queue-b") == set()
    assert found("external_reference=A-0001") == {world.case.reference}
    window = "created_after=2026-03-02T00:00:00Z&created_before=2026-03-03T00:00:00Z"
    assert found(window) == {c.reference for c in early}
    assert found("created_after=2026-03-04T00:00:00Z&created_before=2026-03-05T00:00:00Z") == {
        c.reference for c in late
    }
    after = (timezone.now() - datetime.timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
    assert late[0].reference in found(f"updated_after={after}")  # its transition just now
    assert early[0].reference not in found(f"updated_after={after}")


def test_filters_only_narrow_what_restrict_allows(world):
    make_case(actor=world.users[PARTNER_B], channel=Channel.PARTNER_API,
              source_organisation=world.org_b, external_reference="A-0001",
              category=world.category)  # fmt: skip
    assert references(world.client(PARTNER_A).get("/api/v1/cases/?external_reference=A-0001")) == [
        world.case.reference
    ]
    assert len(references(world.client(COMPLIANCE).get("/api/v1/cases/?external_reference=A-0001")))
    assert (
        len(references(world.client(SUPERUSER).get("/api/v1/cases/?external_reference=A-0001")))
        == 2
    )


# --- cursor pagination ---------------------------------------------------------------------------


def test_cursor_pagination_returns_each_case_once_without_counting(world):
    cases = open_cases(world, 22)
    expected = [world.case.reference, *(c.reference for c in cases)]  # oldest first
    expected.sort(key=lambda ref: next(c for c in [world.case, *cases] if c.reference == ref).pk)
    client = world.client(AGENT)
    seen: list[str] = []
    url = "/api/v1/cases/?page_size=5"
    pages = 0
    while url:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
        seen += references(response)
        pages += 1
        if pages == 2:  # a case opened while paging appears at the end, once
            newcomer = open_cases(world, 1, start=timezone.now())[0]
            expected.append(newcomer.reference)
        url = path_of(response.json()["next"])
    assert pages == 5
    assert sorted(seen) == sorted(expected)
    assert len(seen) == len(set(seen))
    ordered = sorted([world.case, *cases, newcomer], key=lambda c: (c.created_at, c.pk))
    assert seen == [c.reference for c in ordered]


def test_previous_links_walk_back(world):
    open_cases(world, 7)
    client = world.client(AGENT)
    first = client.get("/api/v1/cases/?page_size=3").json()
    second = client.get(path_of(first["next"])).json()
    back = client.get(path_of(second["previous"])).json()
    assert [c["reference"] for c in back["results"]] == [c["reference"] for c in first["results"]]


def test_messages_are_paginated_too(world):
    agent = world.users[AGENT]
    for n in range(6):
        services.case_add_note(
            actor=agent, case=world.case, body=f"Note {n}", visibility="internal"
        )
    client = world.client(AGENT)
    url = f"/api/v1/cases/{world.case.reference}/messages/?page_size=4"
    first = client.get(url).json()
    second = client.get(path_of(first["next"])).json()
    bodies = [m["body"] for m in first["results"] + second["results"]]
    assert bodies[1:] == [f"Note {n}" for n in range(6)]
    assert second["next"] is None


# --- query counts --------------------------------------------------------------------------------

# Pinned, and the same whatever the number of rows: the user's permissions (2: own and groups'),
# a person's access scope (1: their queue and case grants, read once per request, issue 18;
# none for a partner's service account), the case or the page of cases (with patient, category,
# queue, assignee: one query), the events
# (messages), the access log (one INSERT for the whole page: no chain head to read any more, the
# sealer chains the entries later) and the user's role groups (minimum necessary). A case of a
# kind with details adds one query for them. The user's permission cache is fresh in each
# request.
EXPECTED_QUERIES = {
    "list": {"sqlite": 6, "postgresql": 6},
    "retrieve": {"sqlite": 6, "postgresql": 6},
    "messages": {"sqlite": 7, "postgresql": 7},
}


def count_queries(client, url) -> int:
    """Queries of one request by a fresh client (no permission cache carried over)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize("role", [AGENT, PARTNER_A, SUPERUSER])
def test_list_queries_are_constant(world, role, vendor):
    client_url = "/api/v1/cases/?page_size=200"
    if role == PARTNER_A:
        for case in open_cases(world, 4, source_organisation=world.org_a):
            assert case.source_organisation_id == world.org_a.pk
    else:
        open_cases(world, 4)
    few = count_queries(world.client(role), client_url)
    if role == PARTNER_A:
        open_cases(world, 35, source_organisation=world.org_a)
    else:
        open_cases(world, 35)
    many_response = world.client(role).get(client_url)
    assert len(many_response.json()["results"]) == 40
    many = count_queries(world.client(role), client_url)
    assert few == many
    if role == AGENT:
        assert many == EXPECTED_QUERIES["list"][vendor]


def test_retrieve_and_messages_queries_are_pinned(world, vendor):
    agent = world.users[AGENT]
    for n in range(3):
        services.case_add_note(actor=agent, case=world.case, body=f"Note {n}", visibility="patient")
    url = f"/api/v1/cases/{world.case.reference}/"
    retrieve = count_queries(world.client(AGENT), url)
    messages = count_queries(world.client(AGENT), f"{url}messages/")
    for n in range(20):
        services.case_add_note(actor=agent, case=world.case, body=f"More {n}", visibility="patient")
    assert count_queries(world.client(AGENT), f"{url}messages/") == messages
    assert retrieve == EXPECTED_QUERIES["retrieve"][vendor]
    assert messages == EXPECTED_QUERIES["messages"][vendor]
