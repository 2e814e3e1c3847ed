"""Every API read of PHI writes ACCESS entries (docs/architecture/audit.md, "Reads"): one per
case listed, one for a case read, one for the case whose messages are read — with the API's user
as actor, the client's address, ``via: api``, the path and the query."""

from __future__ import annotations

import pytest

from cases.choices import Channel
from compliance.models import AuditEntry
from tests.api.conftest import ADMINISTRATOR, AGENT, OTHER_AGENT, PARTNER_A
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def access_entries() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS).order_by("id"))


def test_a_list_page_logs_each_case_listed(world):
    second = make_case(actor=world.users[AGENT], category=world.category, channel=Channel.VOICE)
    before = len(access_entries())
    response = world.client(AGENT).get("/api/v1/cases/?status=new")
    assert response.status_code == 200
    entries = access_entries()[before:]

    assert sorted(entry.case_pk for entry in entries) == sorted([world.case.pk, second.pk])
    assert {entry.patient_pk for entry in entries} == {
        world.case.patient_id,
        second.patient_id,
    }
    for entry in entries:
        assert entry.actor == world.users[AGENT]
        assert entry.remote_addr == "127.0.0.1"
        access = entry.additional_data["access"]
        assert access["kind"] == "list"
        assert access["via"] == "api"
        assert access["path"] == "/api/v1/cases/"
        assert access["query"] == {"status": "new"}
        assert access["listed"] == 2
    assert len({entry.cid for entry in entries}) == 1  # one page, one correlation id


def test_reading_a_case_logs_a_view(world):
    before = len(access_entries())
    assert world.client(PARTNER_A).get(f"/api/v1/cases/{world.case.reference}/").status_code == 200
    (entry,) = access_entries()[before:]
    assert (entry.case_pk, entry.patient_pk) == (world.case.pk, world.case.patient_id)
    assert entry.actor == world.users[PARTNER_A]
    assert entry.remote_addr == "127.0.0.1"
    assert entry.additional_data["access"]["kind"] == "view"
    assert entry.additional_data["access"]["via"] == "api"


def test_reading_messages_logs_a_view_of_the_case(world):
    before = len(access_entries())
    url = f"/api/v1/cases/{world.case.reference}/messages/"
    assert world.client(AGENT).get(url).status_code == 200
    (entry,) = access_entries()[before:]
    assert entry.case_pk == world.case.pk
    assert entry.additional_data["access"]["path"] == url
    assert entry.additional_data["access"]["kind"] == "view"


def test_a_search_that_finds_nothing_is_logged_once(world):
    before = len(access_entries())
    response = world.client(AGENT).get("/api/v1/cases/?external_reference=NOPE")
    assert response.json()["results"] == []
    (entry,) = access_entries()[before:]
    assert entry.object_pk == ""
    assert entry.additional_data["access"]["query"] == {"external_reference": "NOPE"}
    assert entry.additional_data["access"]["listed"] == 0


def test_what_shows_nothing_logs_nothing(world):
    before = len(access_entries())
    assert world.client(ADMINISTRATOR).get("/api/v1/cases/").json()["results"] == []
    assert (
        world.client(OTHER_AGENT).get(f"/api/v1/cases/{world.case.reference}/").status_code == 404
    )
    url = f"/api/v1/cases/{world.case.reference}/messages/"
    assert world.client(OTHER_AGENT).get(url).status_code == 404
    assert world.client(AGENT).get("/api/v1/categories/").status_code == 200
    assert world.client(AGENT).get("/api/v1/queues/").status_code == 200
    assert world.client(AGENT).get("/api/v1/cases/?status=bogus").status_code == 400
    assert access_entries()[before:] == []


def test_a_card_number_in_a_query_is_not_kept(world):
    world.client(AGENT).get("/api/v1/cases/?external_reference=4111111111111111")
    (entry,) = [e for e in access_entries() if e.object_pk == ""]
    assert "4111111111111111" not in str(entry.additional_data)
