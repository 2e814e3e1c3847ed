"""The transactional outbox: rows written inside the service's transaction, for the right cases
and events only, with a minimal payload; a broker outage loses nothing."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from kombu.exceptions import OperationalError

from cases import services
from cases.choices import Status, Visibility
from cases.events import CaseEventName
from tests.factories import make_case
from tests.webhooks.conftest import messages_of
from webhooks import outbox, tasks
from webhooks.models import EventType, OutboxMessage
from webhooks.outbox import sweep_due

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _outbox_callbacks(callbacks):
    return list(callbacks)


def _phi_values(patient, case):
    return [
        patient.given_name,
        patient.family_name,
        patient.mrn,
        patient.email,
        str(patient.phone),
        str(patient.date_of_birth),
        case.subject,
        case.description,
        "Zebulon",
        "Quixotic",
    ]


# --- which events make a message -----------------------------------------------------------------


def test_a_status_change_writes_one_message_per_subscribed_endpoint(
    actor, partner_case, make_endpoint, other_partner, django_capture_on_commit_callbacks
):
    first = make_endpoint(description="first")
    second = make_endpoint(description="second", url="http://127.0.0.1:9/other")
    make_endpoint(description="replies only", event_types=[EventType.REPLY])
    make_endpoint(description="inactive", active=False)
    make_endpoint(description="another organisation", organisation=other_partner)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.case_transition(actor=actor, case=partner_case, to_status=Status.TRIAGED)
        # written inside the transaction: there before the commit, delivery only after it
        found = messages_of(partner_case)
        assert [message.endpoint for message in found] == [first, second]
    assert len(_outbox_callbacks(callbacks)) == 2  # the live-queue event and the outbox hand-over
    assert {message.event_type for message in found} == {EventType.STATUS_CHANGED}
    assert found[0].event_id == found[1].event_id  # one event, one id for the organisation
    assert all(message.state == OutboxMessage.State.PENDING for message in found)
    assert all(message.attempts == 0 for message in found)


def test_status_change_payload_is_minimal(actor, partner_case, patient, endpoint, time_machine):
    time_machine.move_to(T0, tick=False)
    services.case_transition(
        actor=actor,
        case=partner_case,
        to_status=Status.RESOLVED,
        reason="Internal reason mentioning Zebulon",
    )
    (message,) = messages_of(partner_case)
    assert message.payload == {
        "id": str(message.event_id),
        "type": "case.status_changed",
        "occurred_at": "2026-03-02T15:00:00Z",
        "case": {
            "reference": partner_case.reference,
            "external_reference": "EHR-4471",
            "status": "resolved",
        },
        "status": {"old": "new", "new": "resolved"},
    }
    text = json.dumps(message.payload)
    for value in [*_phi_values(patient, partner_case), "Internal reason"]:
        assert value not in text


def test_a_patient_reply_carries_its_text_and_nothing_else(
    actor, partner_case, patient, endpoint, time_machine
):
    time_machine.move_to(T0, tick=False)
    services.case_add_note(
        actor=actor,
        case=partner_case,
        body="Your statement was corrected.",
        visibility=Visibility.PATIENT,
    )
    (message,) = messages_of(partner_case)
    assert message.event_type == EventType.REPLY
    assert message.payload == {
        "id": str(message.event_id),
        "type": "case.reply",
        "occurred_at": "2026-03-02T15:00:00Z",
        "case": {
            "reference": partner_case.reference,
            "external_reference": "EHR-4471",
            "status": "new",
        },
        "reply": {"body": "Your statement was corrected."},
    }
    text = json.dumps(message.payload)
    for value in _phi_values(patient, partner_case):
        assert value not in text


def test_card_numbers_are_already_redacted_in_a_reply(actor, partner_case, endpoint):
    services.case_add_note(
        actor=actor,
        case=partner_case,
        body="We charged 4111 1111 1111 1111 in error.",
        visibility=Visibility.PATIENT,
    )
    (message,) = messages_of(partner_case)
    assert "4111 1111 1111 1111" not in json.dumps(message.payload)


def test_internal_notes_assignments_and_openings_make_no_message(
    actor, other_agent, partner_case, endpoint, category, partner
):
    services.case_add_note(
        actor=actor, case=partner_case, body="Staff only", visibility=Visibility.INTERNAL
    )
    services.case_assign(actor=actor, case=partner_case, assignee=other_agent)
    make_case(actor=actor, category=category, source_organisation=partner)
    assert messages_of() == []


def test_only_subscribed_event_types(actor, partner_case, make_endpoint):
    make_endpoint(event_types=[EventType.REPLY])
    services.case_transition(actor=actor, case=partner_case, to_status=Status.TRIAGED)
    assert messages_of() == []
    services.case_add_note(actor=actor, case=partner_case, body="Hi", visibility="patient")
    assert [m.event_type for m in messages_of()] == [EventType.REPLY]


def test_an_inactive_organisation_gets_nothing(actor, partner, partner_case, endpoint):
    partner.active = False
    partner.save(update_fields=["active"])
    services.case_transition(actor=actor, case=partner_case, to_status=Status.TRIAGED)
    assert messages_of() == []


def test_a_partners_own_reply_is_not_echoed_back(partner_case, endpoint, service_account):
    services.case_add_note(
        actor=service_account,
        case=partner_case,
        body="Message relayed by the partner",
        visibility=Visibility.PATIENT,
    )
    assert messages_of() == []


def test_cases_without_a_source_organisation_make_no_message(actor, category, endpoint):
    case = make_case(actor=actor, category=category)
    services.case_transition(actor=actor, case=case, to_status=Status.TRIAGED)
    services.case_add_note(actor=actor, case=case, body="Hello", visibility=Visibility.PATIENT)
    assert messages_of() == []


def test_the_hook_costs_no_query_for_a_case_without_organisation(actor, category, endpoint):
    case = make_case(actor=actor, category=category)
    event = case.events.get()
    with CaptureQueriesContext(connection) as ctx:
        for name in (CaseEventName.STATUS_CHANGED, CaseEventName.MESSAGE_ADDED):
            outbox.on_case_event(case, name, event)
    assert ctx.captured_queries == []


def test_a_partner_case_costs_two_queries_whatever_the_endpoints(
    actor, category, partner, make_endpoint
):
    """One SELECT of the endpoints and one INSERT of all messages, on top of the service's own
    pinned count (tests/cases/test_services_query_counts.py)."""

    def transition_queries(case) -> int:
        with CaptureQueriesContext(connection) as ctx:
            services.case_transition(actor=actor, case=case, to_status=Status.TRIAGED)
        return len(ctx.captured_queries)

    ordinary = transition_queries(make_case(actor=actor, category=category))
    no_endpoint = transition_queries(
        make_case(actor=actor, category=category, source_organisation=partner)
    )
    make_endpoint()
    one = transition_queries(make_case(actor=actor, category=category, source_organisation=partner))
    make_endpoint()
    make_endpoint()
    three = transition_queries(
        make_case(actor=actor, category=category, source_organisation=partner)
    )
    assert no_endpoint == ordinary + 1
    assert one == three == ordinary + 2
    assert OutboxMessage.objects.count() == 1 + 3


# --- transactions --------------------------------------------------------------------------------


def test_a_rolled_back_change_leaves_no_message(
    actor, partner_case, endpoint, django_capture_on_commit_callbacks, httpserver
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.case_transition(actor=actor, case=partner_case, to_status=Status.RESOLVED)
        assert len(messages_of()) == 1
        raise RuntimeError("rolled back")
    assert callbacks == []
    assert messages_of() == []
    assert httpserver.log == []
    partner_case.refresh_from_db()
    assert partner_case.status == Status.NEW


def test_a_refused_service_call_leaves_no_message(actor, partner_case, endpoint):
    with pytest.raises(Exception, match="cannot move"):
        services.case_transition(actor=actor, case=partner_case, to_status=Status.CLOSED)
    assert messages_of() == []


def test_after_commit_the_message_is_delivered(
    actor, partner_case, endpoint, httpserver, hook_url, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/hooks/patientcare", method="POST").respond_with_data("ok")
    with django_capture_on_commit_callbacks(execute=True):
        services.case_transition(actor=actor, case=partner_case, to_status=Status.TRIAGED)
    (message,) = messages_of()
    assert message.state == OutboxMessage.State.DELIVERED
    assert len(httpserver.log) == 1


# --- a broker outage -----------------------------------------------------------------------------


def test_a_broker_outage_keeps_the_change_and_the_message_for_the_sweeper(
    actor,
    partner_case,
    endpoint,
    httpserver,
    monkeypatch,
    caplog,
    django_capture_on_commit_callbacks,
):
    httpserver.expect_request("/hooks/patientcare", method="POST").respond_with_data("ok")

    def redis_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.deliver, "delay", redis_down)
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        services.case_add_note(
            actor=actor,
            case=partner_case,
            body="Reply text for the partner",
            visibility=Visibility.PATIENT,
        )
    # the change is committed, the message waits, nothing was sent
    assert partner_case.events.filter(body="Reply text for the partner").exists()
    (message,) = messages_of()
    assert message.state == OutboxMessage.State.PENDING
    assert message.enqueued_at is None  # the sweeper takes it at once
    assert httpserver.log == []
    warnings = [r.getMessage() for r in caplog.records if r.name == "webhooks.outbox"]
    assert warnings == [
        f"webhook message {message.pk} not enqueued (OperationalError); the sweeper will retry it"
    ]
    assert "Reply text" not in caplog.text

    # Redis is back: the sweep (celery beat, every minute) hands it over and it is delivered
    monkeypatch.undo()
    assert tasks.sweep.delay() is not None
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DELIVERED
    assert message.attempts == 1
    (request, _response) = httpserver.log[0]
    assert json.loads(request.get_data())["reply"] == {"body": "Reply text for the partner"}


def test_the_sweeper_leaves_recently_enqueued_messages_to_the_broker(
    actor, partner_case, endpoint, httpserver, time_machine
):
    httpserver.expect_request("/hooks/patientcare", method="POST").respond_with_data("ok")
    time_machine.move_to(T0, tick=False)
    services.case_transition(actor=actor, case=partner_case, to_status=Status.TRIAGED)
    (message,) = messages_of()  # handed to the broker at T0 (its task is "in Redis")
    time_machine.move_to(T0 + timedelta(minutes=4), tick=False)
    assert sweep_due() == 0
    # five minutes on, the task is presumed lost: the sweeper hands it over again
    time_machine.move_to(T0 + timedelta(minutes=5), tick=False)
    assert sweep_due() == 1
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DELIVERED


def test_the_sweeper_takes_the_oldest_due_first_in_batches(
    actor, partner_case, endpoint, httpserver
):
    httpserver.expect_request("/hooks/patientcare", method="POST").respond_with_data("ok")
    for status in (Status.TRIAGED, Status.IN_PROGRESS, Status.WAITING_ON_PATIENT):
        partner_case = services.case_transition(actor=actor, case=partner_case, to_status=status)
    OutboxMessage.objects.update(enqueued_at=None)
    assert sweep_due(limit=2) == 2
    states = [m.state for m in messages_of()]
    assert states == ["delivered", "delivered", "pending"]
    assert sweep_due() == 1
    assert sweep_due() == 0


def test_message_ids_are_uuids(actor, partner_case, endpoint):
    services.case_transition(actor=actor, case=partner_case, to_status=Status.TRIAGED)
    (message,) = messages_of()
    assert isinstance(message.event_id, uuid.UUID)
    assert message.payload["id"] == str(message.event_id)
