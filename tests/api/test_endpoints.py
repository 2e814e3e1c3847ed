"""What each endpoint does when it is allowed: intake through ``case_open`` (source organisation,
external reference, details, allowed categories), reading, messages in both directions, and the
staff actions — each a service call whose audit entries carry the API's user."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError

from api.serializers import PatientInputSerializer
from cases import services
from cases.choices import Channel, EventKind, Status, Visibility
from cases.models import Case, CaseEvent, Patient
from compliance.models import AuditEntry
from partners.models import PartnerOrganisation
from tests.api.conftest import (
    ADMINISTRATOR,
    AGENT,
    COMPLIANCE,
    PARTNER_A,
    PARTNER_B,
    SUPERVISOR,
    allow_categories,
    case_body,
    error_of,
)
from tests.factories import CategoryFactory, QueueFactory

pytestmark = pytest.mark.django_db

REFILL = {"request_type": "refill", "medication": "Examplopril", "strength": "10 mg"}


@pytest.fixture
def refills(world):
    category = CategoryFactory(
        name="Refill request", slug="refill-request", kind="refills", default_queue=world.queue
    )
    allow_categories(world.org_a, category)
    return category


def entries_for(instance, action) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(instance)),
            object_pk=str(instance.pk),
            action=action,
        )
    )


# --- intake --------------------------------------------------------------------------------------


def test_the_patient_input_takes_exactly_the_patient_input_fields():
    assert set(PatientInputSerializer().fields) == set(Patient.INPUT_FIELDS)


def test_a_partner_opens_a_case_with_details(world, refills):
    body = case_body("refill-request", external_reference="EHR-77", details=REFILL)
    response = world.client(PARTNER_A).post("/api/v1/cases/", body, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    case = Case.objects.get(reference=data["reference"])
    assert response["Location"] == f"/api/v1/cases/{case.reference}/"
    assert case.source_organisation == world.org_a
    assert case.external_reference == "EHR-77"
    assert case.channel == Channel.PARTNER_API
    assert case.created_by == world.users[PARTNER_A]
    assert data["details"]["medication"] == "Examplopril"
    assert data["category"] == "refill-request"
    assert "queue" not in data  # minimum necessary: a partner does not see the routing
    # The services' audit entries carry the API's user.
    created = entries_for(case, AuditEntry.Action.CREATE)
    assert [entry.actor for entry in created] == [world.users[PARTNER_A]]
    patient = case.patient
    assert [entry.actor for entry in entries_for(patient, AuditEntry.Action.CREATE)] == [
        world.users[PARTNER_A]
    ]


def test_the_external_reference_is_unique_per_organisation_only(world):
    body = case_body(external_reference="A-0001")  # organisation A already used it
    assert world.client(PARTNER_A).post("/api/v1/cases/", body, format="json").status_code == 409
    response = world.client(PARTNER_B).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201
    assert Case.objects.get(reference=response.json()["reference"]).source_organisation == (
        world.org_b
    )


def test_a_race_on_the_external_reference_is_a_409_not_a_500(world, monkeypatch):
    """The service's duplicate check passed but the unique constraint fired (a concurrent twin
    committed first): still a clean 409, and nothing written."""

    def racing_case_open(**kwargs):
        raise IntegrityError("UNIQUE constraint failed: source_organisation, external_reference")

    monkeypatch.setattr("api.views.cases.case_open", racing_case_open)
    response = world.client(PARTNER_A).post(
        "/api/v1/cases/", case_body(external_reference="A-0001"), format="json"
    )
    assert response.status_code == 409, response.content
    error = error_of(response)
    assert error["code"] == "duplicate_external_reference"
    assert list(error["fields"]) == ["external_reference"]  # as when the service refuses

    other = world.client(PARTNER_A)
    other.raise_request_exception = False
    response = other.post("/api/v1/cases/", case_body(external_reference="NEW-1"), format="json")
    assert response.status_code == 500  # any other integrity error is not disguised
    assert error_of(response)["code"] == "server_error"


@pytest.mark.skipif(
    not hasattr(PartnerOrganisation, "allowed_categories"),
    reason="PartnerOrganisation.allowed_categories not there yet",
)
def test_a_partner_sees_and_uses_only_its_allowed_categories(world, refills):
    assert [c["slug"] for c in world.client(PARTNER_B).get("/api/v1/categories/").json()] == [
        "hours-and-locations"
    ]
    slugs = {c["slug"] for c in world.client(PARTNER_A).get("/api/v1/categories/").json()}
    assert slugs == {"hours-and-locations", "refill-request"}
    staff = {c["slug"] for c in world.client(AGENT).get("/api/v1/categories/").json()}
    assert staff == {"hours-and-locations", "refill-request"}
    body = case_body("refill-request", details=REFILL)
    response = world.client(PARTNER_B).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 400
    assert error_of(response)["fields"]["category"][0]["code"] == "not_allowed"


def test_categories_list_the_detail_fields(world, refills):
    categories = {c["slug"]: c for c in world.client(AGENT).get("/api/v1/categories/").json()}
    assert categories["refill-request"]["detail_fields"][:2] == ["request_type", "medication"]
    assert categories["hours-and-locations"]["detail_fields"] == []


def test_staff_open_a_case_with_a_priority(world):
    body = case_body(channel="voice", priority=40)
    response = world.client(AGENT).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201, response.content
    case = Case.objects.get(reference=response.json()["reference"])
    assert (case.priority, case.channel, case.source_organisation) == (40, "voice", None)
    assert response.json()["queue"] == "queue-a"


def test_a_creator_who_cannot_see_the_case_gets_a_receipt_only(world):
    """An administrator (no queue) may open a case but not read it back: the 201 says which
    case was opened and no more."""
    body = case_body(channel="voice")
    response = world.client(ADMINISTRATOR).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201
    assert set(response.json()) == {"reference", "status"}


def test_an_existing_patient_is_matched_by_mrn(world):
    existing = world.case.patient
    body = case_body()
    body["patient"].update(
        mrn=existing.mrn,
        given_name=existing.given_name,
        family_name=existing.family_name,
        date_of_birth=existing.date_of_birth.isoformat(),
    )
    response = world.client(PARTNER_A).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201
    assert response.json()["patient"]["id"] == existing.pk


def test_an_idempotency_key_replays_the_intake(world):
    client = world.client(PARTNER_A)
    body = case_body(external_reference="EHR-IDEM")
    first = client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Case.objects.filter(external_reference="EHR-IDEM").count() == 1


# --- reading -------------------------------------------------------------------------------------


def test_retrieve_shows_the_details_as_the_role_may(world, refills):
    case = services.case_open(
        actor=world.users[AGENT],
        patient=world.case.patient,
        category=refills,
        subject="Refill",
        description="A refill.",
        channel=Channel.VOICE,
        details=REFILL,
    )
    url = f"/api/v1/cases/{case.reference}/"
    assert world.client(AGENT).get(url).json()["details"]["medication"] == "Examplopril"
    assert world.client(COMPLIANCE).get(url).json()["details"]["strength"] == "10 mg"


# --- messages ------------------------------------------------------------------------------------


def messages_url(world) -> str:
    return f"/api/v1/cases/{world.case.reference}/messages/"


def test_staff_reply_and_note_partner_sees_the_reply_only(world):
    agent = world.client(AGENT)
    reply = agent.post(messages_url(world), {"body": "We sent it."}, format="json")
    note = agent.post(
        messages_url(world), {"body": "Checked stock.", "visibility": "internal"}, format="json"
    )
    assert (reply.status_code, note.status_code) == (201, 201)
    assert reply.json()["kind"] == EventKind.REPLY
    assert note.json()["visibility"] == Visibility.INTERNAL
    event = CaseEvent.objects.get(pk=reply.json()["id"])
    assert event.actor == world.users[AGENT]
    assert [entry.actor for entry in entries_for(event, AuditEntry.Action.CREATE)] == [
        world.users[AGENT]
    ]

    partner_view = world.client(PARTNER_A).get(messages_url(world)).json()["results"]
    assert [m["body"] for m in partner_view] == ["We sent it."]
    assert set(partner_view[0]) == {"id", "case", "kind", "body", "created_at"}  # no staff names
    staff_view = world.client(AGENT).get(messages_url(world)).json()["results"]
    assert [m["kind"] for m in staff_view] == ["opened", "reply", "note"]
    admin_view = world.client("superuser").get(messages_url(world)).json()["results"]
    assert admin_view[1]["body"] == "We sent it."


def test_a_partner_relays_a_patient_message(world):
    response = world.client(PARTNER_A).post(
        messages_url(world), {"body": "I still have not received my refill."}, format="json"
    )
    assert response.status_code == 201, response.content
    event = CaseEvent.objects.get(pk=response.json()["id"])
    # A message from the patient: part of the conversation, never an internal note.
    assert (event.kind, event.visibility) == (EventKind.INBOUND, Visibility.PATIENT)
    assert event.actor == world.users[PARTNER_A]
    case = Case.objects.get(pk=world.case.pk)
    assert case.first_response_at is None  # the patient's own message is no response
    staff_view = world.client(AGENT).get(messages_url(world)).json()["results"]
    assert staff_view[-1]["body"] == "I still have not received my refill."
    partner_view = world.client(PARTNER_A).get(messages_url(world)).json()["results"]
    assert partner_view[-1]["body"] == "I still have not received my refill."
    assert not CaseEvent.objects.filter(kind=EventKind.NOTE, actor=world.users[PARTNER_A]).exists()


# --- actions -------------------------------------------------------------------------------------


def action(world, role, name, body=None):
    return world.client(role).post(
        f"/api/v1/cases/{world.case.reference}/{name}/", body or {}, format="json"
    )


def test_claim_assign_transition_resolve(world):
    agent, supervisor = world.users[AGENT], world.users[SUPERVISOR]

    claimed = action(world, AGENT, "claim")
    assert claimed.status_code == 200
    assert claimed.json()["assigned_to"] == agent.pk
    assert action(world, AGENT, "claim").status_code == 200  # claiming again changes nothing

    reassigned = action(world, SUPERVISOR, "assign", {"assignee": supervisor.pk})
    assert reassigned.json()["assigned_to"] == supervisor.pk
    assert action(world, AGENT, "claim").status_code == 409  # held by the supervisor now
    unassigned = action(world, SUPERVISOR, "assign", {"assignee": None})
    assert unassigned.json()["assigned_to"] is None

    moved = action(world, AGENT, "transition", {"to_status": "in_progress", "reason": "On it."})
    assert moved.json()["status"] == Status.IN_PROGRESS
    resolved = action(world, AGENT, "resolve", {"reason": "Answered."})
    assert resolved.json()["status"] == Status.RESOLVED
    assert resolved.json()["resolved_at"]

    case = Case.objects.get(pk=world.case.pk)
    kinds = list(case.events.values_list("kind", "actor__username"))
    assert kinds == [
        (EventKind.OPENED, "api-partner-a"),
        (EventKind.ASSIGNED, "api-agent"),
        (EventKind.ASSIGNED, "api-supervisor"),
        (EventKind.UNASSIGNED, "api-supervisor"),
        (EventKind.STATUS_CHANGED, "api-agent"),
        (EventKind.STATUS_CHANGED, "api-agent"),
    ]
    updates = entries_for(case, AuditEntry.Action.UPDATE)
    assert {entry.actor.username for entry in updates} == {"api-agent", "api-supervisor"}
    resolved_twice = action(world, AGENT, "resolve")
    assert resolved_twice.status_code == 409
    assert error_of(resolved_twice)["code"] == "invalid_transition"


def test_an_action_that_moves_the_case_out_of_sight_still_answers(world):
    """A supervisor assigns a case to an agent of another queue: the supervisor still sees it
    (their queue), and the new assignee now sees it too (assigned)."""
    other = world.users["other_agent"]
    response = action(world, SUPERVISOR, "assign", {"assignee": other.pk})
    assert response.status_code == 200
    url = f"/api/v1/cases/{world.case.reference}/"
    assert world.client("other_agent").get(url).status_code == 200


def test_queues_list_membership(world):
    QueueFactory(name="Queue C", slug="queue-c")
    queues = {q["slug"]: q for q in world.client(SUPERVISOR).get("/api/v1/queues/").json()}
    assert set(queues) == {"queue-a", "queue-b", "queue-c"}
    assert (queues["queue-a"]["can_work"], queues["queue-a"]["can_supervise"]) == (True, True)
    assert (queues["queue-b"]["can_work"], queues["queue-b"]["can_supervise"]) == (False, False)
    agent = {q["slug"]: q for q in world.client(AGENT).get("/api/v1/queues/").json()}
    assert (agent["queue-a"]["can_work"], agent["queue-a"]["can_supervise"]) == (True, False)
    officer = world.client(COMPLIANCE).get("/api/v1/queues/").json()
    assert not any(q["can_work"] for q in officer)
    assert agent["queue-a"]["languages"] == ["en"]
