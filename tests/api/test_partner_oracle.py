"""Partner intake is no oracle (issue 17): a partner never gets back, nor has confirmed, a patient
its organisation did not itself submit or was not reconciled to. A collision answers exactly as a
new patient does, and the record is flagged for a person (cases.services.matching)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from cases.models import Case, Patient, Reconciliation, Sensitivity
from cases.reconciliation import patient_merge
from tests.api.conftest import AGENT, PARTNER_A, PARTNER_B, SUPERVISOR, WORLD_PATIENT, case_body
from tests.factories import make_case, patient_fields
from webhooks.models import OutboxMessage, WebhookEndpoint

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"
NEW = 777  # a patient nobody registered (tests.factories.patient_fields numbering)


def world_patient_body(**patient_overrides) -> dict:
    """A case body about the world's patient (registered by partner A's intake)."""
    body = case_body(n=WORLD_PATIENT)
    body["patient"].update(patient_overrides)
    return body


def new_patient_body(**patient_overrides) -> dict:
    body = case_body(n=NEW)
    body["patient"].update(patient_overrides)
    return body


def post(world, role: str, body: dict, **extra):
    return world.client(role).post(CASES, data=body, format="json", **extra)


def shape(value):
    """The structure of a JSON value: keys and types, not values."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value).__name__


def assert_answers_alike(flagged, new) -> None:
    assert flagged.status_code == new.status_code == 201
    assert shape(flagged.json()) == shape(new.json())
    assert sorted(flagged.headers) == sorted(new.headers)
    assert flagged.headers["Location"].startswith(CASES)


def assert_no_trace_of(response, patient: Patient, *, mrn_sent: bool) -> None:
    body = response.json()
    assert body["patient"]["id"] != patient.pk
    everything = response.content.decode() + json.dumps(dict(response.headers))
    if not mrn_sent:
        assert patient.mrn not in everything
    for field in ("phone", "email"):  # never in a partner's answer anyway
        assert str(getattr(patient, field)) not in everything


def flagged_record(response) -> Patient:
    case = Case.objects.get(reference=response.json()["reference"])
    return case.patient


def test_another_organisations_patient_by_demographics_answers_as_a_new_one(world):
    existing = world.case.patient
    body = world_patient_body(mrn=None)  # name, birth date and phone of A's patient
    flagged = post(world, PARTNER_B, body)
    new = post(world, PARTNER_B, new_patient_body(mrn=None))
    assert_answers_alike(flagged, new)
    assert_no_trace_of(flagged, existing, mrn_sent=False)
    assert flagged.json()["patient"]["mrn"] is None and new.json()["patient"]["mrn"] is None
    record = flagged_record(flagged)
    assert record.reconciliation == Reconciliation.PENDING
    assert record.reconcile_with == existing
    assert flagged_record(new).reconciliation == Reconciliation.NONE


def test_an_existing_mrn_with_another_name_is_no_409_but_a_flagged_new_record(world):
    existing = world.case.patient
    body = world_patient_body(given_name="Someone", family_name="Else")
    for role in (PARTNER_B, PARTNER_A):  # even the organisation that knows the patient
        flagged = post(world, role, {**body, "external_reference": f"{role}-1"})
        new = post(world, role, {**new_patient_body(), "external_reference": f"{role}-2"})
        assert_answers_alike(flagged, new)
        assert_no_trace_of(flagged, existing, mrn_sent=True)
        # The MRN reads back as sent, exactly as a new patient's does.
        assert flagged.json()["patient"]["mrn"] == existing.mrn
        assert new.json()["patient"]["mrn"] == patient_fields(NEW)["mrn"]
        record = flagged_record(flagged)
        assert record.mrn is None and record.submitted_mrn == existing.mrn
        assert record.reconciliation == Reconciliation.PENDING
        assert record.reconcile_with == existing
        assert (record.given_name, record.family_name) == ("Someone", "Else")
    assert Patient.objects.get(pk=existing.pk).given_name != "Someone"  # left as it was


def test_an_existing_mrn_with_the_right_name_but_another_partner_leaks_nothing(world):
    existing = world.case.patient
    flagged = post(world, PARTNER_B, world_patient_body())
    new = post(world, PARTNER_B, new_patient_body())
    assert_answers_alike(flagged, new)
    assert_no_trace_of(flagged, existing, mrn_sent=True)
    assert flagged_record(flagged).reconcile_with == existing
    # Partner B still sees none of A's cases.
    listed = world.client(PARTNER_B).get(CASES).json()["results"]
    assert world.case.reference not in {row["reference"] for row in listed}


def test_a_partner_is_matched_to_its_own_patient_as_before(world):
    response = post(world, PARTNER_A, {**world_patient_body(), "external_reference": "A-2"})
    assert response.status_code == 201
    assert response.json()["patient"]["id"] == world.case.patient_id
    by_demographics = post(
        world, PARTNER_A, {**world_patient_body(mrn=None), "external_reference": "A-3"}
    )
    assert by_demographics.json()["patient"]["id"] == world.case.patient_id
    assert Patient.objects.filter(reconciliation=Reconciliation.PENDING).count() == 0


def test_a_repeated_intake_finds_its_flagged_record_again_as_it_would_a_new_one(world):
    first = post(world, PARTNER_B, {**world_patient_body(), "external_reference": "B-1"})
    again = post(world, PARTNER_B, {**world_patient_body(), "external_reference": "B-2"})
    assert first.json()["patient"]["id"] == again.json()["patient"]["id"]
    new_first = post(world, PARTNER_B, {**new_patient_body(), "external_reference": "B-3"})
    new_again = post(world, PARTNER_B, {**new_patient_body(), "external_reference": "B-4"})
    assert new_first.json()["patient"]["id"] == new_again.json()["patient"]["id"]
    by_name = post(world, PARTNER_B, {**world_patient_body(mrn=None), "external_reference": "B-5"})
    assert by_name.json()["patient"]["id"] == first.json()["patient"]["id"]


def test_after_reconciliation_the_partner_gets_its_patient_on_the_next_intake(world):
    existing = world.case.patient
    flagged = post(world, PARTNER_B, {**world_patient_body(), "external_reference": "B-1"})
    record = flagged_record(flagged)
    patient_merge(actor=world.users[SUPERVISOR], patient=record, reason="Same person (EHR check)")
    following = post(world, PARTNER_B, {**world_patient_body(), "external_reference": "B-2"})
    assert following.status_code == 201
    assert following.json()["patient"]["id"] == existing.pk
    assert Case.objects.get(reference=flagged.json()["reference"]).patient == existing


def test_a_collision_costs_the_same_queries_as_a_new_patient(world):
    counts = []
    for n, body in enumerate((world_patient_body(), new_patient_body())):
        with CaptureQueriesContext(connection) as queries:
            response = post(world, PARTNER_B, {**body, "external_reference": f"B-{n}"})
        assert response.status_code == 201
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_webhook_payloads_carry_no_trace_of_the_other_patient(world, settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    endpoint = WebhookEndpoint(
        organisation=world.org_b,
        url="http://127.0.0.1:9/hook",
        event_types=["case.status_changed", "case.reply"],
    )
    endpoint.full_clean()
    endpoint.save()
    existing = world.case.patient
    response = post(world, PARTNER_B, world_patient_body(mrn=None))
    case = Case.objects.get(reference=response.json()["reference"])
    from cases.services import case_transition

    case_transition(actor=world.users["superuser"], case=case, to_status="resolved")
    payloads = [message.payload for message in OutboxMessage.objects.filter(endpoint=endpoint)]
    assert payloads
    text = json.dumps(payloads)
    assert existing.mrn not in text and f'"id": {existing.pk}' not in text
    assert str(existing.phone) not in text


def test_staff_who_may_not_see_a_sensitive_patient_get_no_oracle_either(world):
    """An agent without the sensitive-records clearance cannot look the patient up; their
    intake with its MRN neither attaches to it nor answers 409."""
    sensitive = make_case(
        actor=world.users["superuser"],
        patient=patient_fields(600_100),
        category=world.category,
        channel="voice",
    ).patient
    sensitive.sensitivity = Sensitivity.HIV
    sensitive.save(update_fields=["sensitivity"])
    body = {**case_body(n=600_100), "channel": "voice"}
    body["patient"]["given_name"] = "Other"
    flagged = post(world, AGENT, body)
    assert flagged.status_code == 201
    assert flagged.json()["patient"]["id"] != sensitive.pk
    record = flagged_record(flagged)
    assert record.reconcile_with == sensitive and record.submitted_mrn == sensitive.mrn
    assert flagged.json()["patient"]["mrn"] == sensitive.mrn  # as sent, like a new patient's


def test_staff_who_may_see_the_patient_keep_the_409(world):
    assign_perm("cases.work_queue", world.users[AGENT], world.queue)
    body = {**world_patient_body(given_name="Someone"), "channel": "voice"}
    response = post(world, AGENT, body)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "patient_mismatch"
    matched = post(world, AGENT, {**world_patient_body(), "channel": "voice"})
    assert matched.status_code == 201
    assert matched.json()["patient"]["id"] == world.case.patient_id
