"""The SLA state of each target in the API's case representation (``CaseOutputSerializer.sla``):
the same answer as the console's (``cases.sla_state``), for staff; a partner, who sees no due
times, sees no SLA state either (minimum necessary)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case
from tests.api.conftest import AGENT, COMPLIANCE, PARTNER_A, SUPERVISOR

pytestmark = pytest.mark.django_db


def set_due(case: Case, **fields) -> None:
    Case.objects.filter(pk=case.pk).update(**fields)


def case_url(world) -> str:
    return f"/api/v1/cases/{world.case.reference}/"


def test_a_late_first_response_is_met_late_in_the_api_as_on_the_pages(world):
    now = timezone.now()
    set_due(
        world.case,
        first_response_due_at=now - timedelta(hours=2),
        resolution_due_at=now + timedelta(hours=6),
    )
    agent = world.client(AGENT)
    reply = agent.post(f"{case_url(world)}messages/", {"body": "We sent it."}, format="json")
    assert reply.status_code == 201

    sla = agent.get(case_url(world)).json()["sla"]

    first = sla["first_response"]
    assert (first["state"], first["label"]) == ("met_late", "Met late")
    assert first["detail"] == "2 h after its due time"
    assert first["met_at"] is not None and first["changes_at"] is None
    resolution = sla["resolution"]
    assert (resolution["state"], resolution["label"]) == ("running", "On time")
    assert resolution["detail"].startswith("due in 5 h 59 min") or resolution["detail"] == (
        "due in 6 h"
    )
    assert resolution["met_at"] is None and resolution["changes_at"] is not None
    assert set(first) == {"state", "label", "detail", "due_at", "met_at", "changes_at"}


def test_each_state_reaches_the_list_and_the_actions(world):
    set_due(world.case, first_response_due_at=timezone.now() - timedelta(minutes=5))
    listed = world.client(SUPERVISOR).get("/api/v1/cases/").json()["results"]
    (row,) = [item for item in listed if item["reference"] == world.case.reference]
    assert row["sla"]["first_response"]["state"] == "breached"
    assert row["sla"]["resolution"]["state"] == "none"  # no due time: no target

    claimed = world.client(AGENT).post(f"{case_url(world)}claim/", {}, format="json")
    assert claimed.status_code == 200
    assert claimed.json()["sla"]["first_response"]["state"] == "breached"
    assert world.client(COMPLIANCE).get(case_url(world)).json()["sla"]["first_response"][
        "label"
    ] == ("Breached")


def test_a_partner_sees_no_sla_state(world):
    set_due(world.case, first_response_due_at=timezone.now() - timedelta(minutes=5))
    body = world.client(PARTNER_A).get(case_url(world)).json()
    assert "sla" not in body and "first_response_due_at" not in body
