"""The patient admin's reconciliation (cases.admin.reconciliation): the flagged records' filter,
the two actions with their reason page, and who may use them (the forbidden see a 404 for a
record they may not see, and no action for one they may)."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from guardian.shortcuts import assign_perm

from cases.models import Case, Reconciliation
from tests.api.conftest import (
    ADMINISTRATOR,
    AGENT,
    COMPLIANCE,
    OTHER_AGENT,
    SUPERVISOR,
    build_world,
)
from tests.cases.test_reconciliation import flag

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/cases/patient/"


@pytest.fixture
def world(db):
    world = build_world()
    assign_perm("cases.work_queue", world.users[AGENT], world.queue)
    return world


def client_of(world, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def run(client, action: str, patient_pk: int, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [str(patient_pk)], **extra}
    return client.post(CHANGELIST, data)


def test_a_supervisor_filters_flagged_records_and_merges_with_a_reason(world):
    case = flag(world)
    flagged = case.patient
    client = client_of(world, SUPERVISOR)
    listed = client.get(CHANGELIST, {"reconciliation": "pending"})
    assert listed.status_code == 200
    assert [row.pk for row in listed.context["cl"].result_list] == [flagged.pk]
    assert "merge_flagged" in listed.content.decode()

    page = run(client, "merge_flagged", flagged.pk)
    assert page.status_code == 200  # the reason page, nothing done yet
    assert world.case.patient.mrn in page.content.decode()  # the candidate, for the decision
    flagged.refresh_from_db()
    assert flagged.reconciliation == Reconciliation.PENDING

    blank = run(client, "merge_flagged", flagged.pk, apply="yes", reason="")
    assert blank.status_code == 200 and "This field is required" in blank.content.decode()

    done = run(client, "merge_flagged", flagged.pk, apply="yes", reason="Same person")
    assert done.status_code == 302
    flagged.refresh_from_db()
    assert flagged.reconciliation == Reconciliation.MERGED
    assert Case.objects.get(pk=case.pk).patient == world.case.patient


def test_a_supervisor_confirms_a_different_person(world):
    flagged = flag(world, given_name="Someone").patient
    client = client_of(world, SUPERVISOR)
    done = run(client, "confirm_distinct", flagged.pk, apply="yes", reason="Not the same")
    assert done.status_code == 302
    flagged.refresh_from_db()
    assert flagged.reconciliation == Reconciliation.DISTINCT


@pytest.mark.parametrize("role", [AGENT, COMPLIANCE])
def test_who_sees_the_record_without_the_permission_gets_no_action(world, role):
    flagged = flag(world).patient
    client = client_of(world, role)
    page = client.get(f"{CHANGELIST}{flagged.pk}/change/")
    assert page.status_code == 200
    listed = client.get(CHANGELIST)
    assert "merge_flagged" not in listed.content.decode()
    run(client, "merge_flagged", flagged.pk, apply="yes", reason="Same person")
    flagged.refresh_from_db()
    assert flagged.reconciliation == Reconciliation.PENDING


@pytest.mark.parametrize("role", [OTHER_AGENT, ADMINISTRATOR])
def test_who_may_not_see_the_record_gets_a_404(world, role):
    flagged = flag(world).patient
    client = client_of(world, role)
    assert client.get(f"{CHANGELIST}{flagged.pk}/change/").status_code == 404
    listed = client.get(CHANGELIST, {"reconciliation": "pending"})
    if listed.status_code == 200:
        assert list(listed.context["cl"].result_list) == []
    run(client, "merge_flagged", flagged.pk, apply="yes", reason="Same person")
    flagged.refresh_from_db()
    assert flagged.reconciliation == Reconciliation.PENDING


def test_an_administrator_sees_the_mrn_masked_on_the_reason_page(world):
    assign_perm("cases.supervise_queue", world.users[ADMINISTRATOR], world.queue)
    flagged = flag(world).patient
    page = run(client_of(world, ADMINISTRATOR), "merge_flagged", flagged.pk)
    text = page.content.decode()
    assert page.status_code == 200
    assert world.case.patient.mrn not in text and "••••" + world.case.patient.mrn[-4:] in text
