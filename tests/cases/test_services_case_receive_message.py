"""case_receive_message: a message from the patient joins the conversation (patient-visible,
never an internal note), wakes a case waiting on the patient, and is refused on a closed case."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases import services
from cases.choices import EventKind, Status, Visibility
from cases.models import CaseEvent
from compliance.models import AuditEntry
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def test_the_message_is_part_of_the_conversation(actor, category):
    case = make_case(actor=actor, category=category)
    event = services.case_receive_message(actor=actor, case=case, body="  Any news?  ")
    assert (event.kind, event.visibility, event.body, event.actor) == (
        EventKind.INBOUND,
        Visibility.PATIENT,
        "Any news?",
        actor,
    )
    case.refresh_from_db()
    assert case.first_response_at is None  # not a response to the patient
    assert AuditEntry.objects.filter(
        content_type__model="caseevent", object_pk=str(event.pk), actor=actor
    ).exists()


def test_a_case_waiting_on_the_patient_goes_back_to_work(actor, category):
    case = make_case(actor=actor, category=category)
    case = services.case_transition(actor=actor, case=case, to_status=Status.IN_PROGRESS)
    case = services.case_transition(actor=actor, case=case, to_status=Status.WAITING_ON_PATIENT)
    services.case_receive_message(actor=actor, case=case, body="Here is the photo of my card.")
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    change = case.events.filter(kind=EventKind.STATUS_CHANGED).last()
    assert (change.old_value, change.new_value) == (Status.WAITING_ON_PATIENT, Status.IN_PROGRESS)


def test_card_numbers_are_redacted(actor, category):
    case = make_case(actor=actor, category=category)
    event = services.case_receive_message(
        actor=actor, case=case, body="my card is 4111 1111 1111 1111"
    )
    assert "4111 1111 1111 1111" not in event.body


@pytest.mark.parametrize(("body", "code"), [("", "blank"), ("   ", "blank")])
def test_refusals_write_nothing(actor, category, body, code):
    case = make_case(actor=actor, category=category)
    before = CaseEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        services.case_receive_message(actor=actor, case=case, body=body)
    assert error.value.error_dict["body"][0].code == code
    assert CaseEvent.objects.count() == before


def test_a_closed_case_takes_no_messages(actor, category):
    case = make_case(actor=actor, category=category)
    for status in (Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED):
        case = services.case_transition(actor=actor, case=case, to_status=status)
    with pytest.raises(ValidationError) as error:
        services.case_receive_message(actor=actor, case=case, body="Hello?")
    assert error.value.error_dict["case"][0].code == "case_closed"


def test_the_database_keeps_inbound_messages_patient_visible(actor, category):
    case = make_case(actor=actor, category=category)
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseEvent.objects.create(
            case=case, kind=EventKind.INBOUND, visibility=Visibility.INTERNAL, body="x"
        )
