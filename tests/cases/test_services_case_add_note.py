import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.choices import EventKind, Status, Visibility
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def test_internal_note(actor, category):
    case = make_case(actor=actor, category=category)
    event = services.case_add_note(
        actor=actor, case=case, body="  Called back, no answer.  ", visibility=Visibility.INTERNAL
    )
    assert (event.kind, event.visibility, event.body, event.actor) == (
        EventKind.NOTE,
        Visibility.INTERNAL,
        "Called back, no answer.",
        actor,
    )
    case.refresh_from_db()
    assert case.first_response_at is None  # an internal note is not a response


def test_first_public_reply_stamps_first_response_once(actor, other_agent, category):
    case = make_case(actor=actor, category=category)
    first = services.case_add_note(
        actor=actor, case=case, body="We are on it.", visibility=Visibility.PATIENT
    )
    case.refresh_from_db()
    assert first.kind == EventKind.REPLY
    assert case.first_response_at == first.created_at
    services.case_add_note(
        actor=other_agent, case=case, body="Done.", visibility=Visibility.PATIENT
    )
    case.refresh_from_db()
    assert case.first_response_at == first.created_at


@pytest.mark.parametrize("body", ["", "   ", None])
def test_empty_body_is_refused(actor, category, body):
    case = make_case(actor=actor, category=category)
    with pytest.raises(ValidationError) as raised:
        services.case_add_note(actor=actor, case=case, body=body, visibility=Visibility.INTERNAL)
    assert raised.value.error_dict["body"][0].code == "blank"
    assert case.events.count() == 1


def test_unknown_visibility_is_refused(actor, category):
    case = make_case(actor=actor, category=category)
    with pytest.raises(ValidationError) as raised:
        services.case_add_note(actor=actor, case=case, body="x", visibility="public")
    assert raised.value.error_dict["visibility"][0].code == "invalid_choice"


def test_overlong_body_is_refused(actor, category):
    case = make_case(actor=actor, category=category)
    with pytest.raises(ValidationError) as raised:
        services.case_add_note(
            actor=actor, case=case, body="x" * 20_001, visibility=Visibility.INTERNAL
        )
    assert "body" in raised.value.error_dict
    assert case.events.count() == 1


def test_closed_case_takes_notes_but_not_replies(actor, category):
    case = make_case(actor=actor, category=category)
    case = services.case_transition(actor=actor, case=case, to_status=Status.RESOLVED)
    case = services.case_transition(actor=actor, case=case, to_status=Status.CLOSED)
    with pytest.raises(ValidationError) as raised:
        services.case_add_note(actor=actor, case=case, body="Hi", visibility=Visibility.PATIENT)
    assert raised.value.error_dict["case"][0].code == "case_closed"
    note = services.case_add_note(
        actor=actor, case=case, body="Addendum", visibility=Visibility.INTERNAL
    )
    assert note.kind == EventKind.NOTE
