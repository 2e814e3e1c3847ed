import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.choices import EventKind, Status
from tests.factories import UserFactory, make_case

pytestmark = pytest.mark.django_db


def test_assign_records_old_and_new_assignee(actor, other_agent, category):
    case = make_case(actor=actor, category=category)
    case = services.case_assign(actor=actor, case=case, assignee=actor)
    case = services.case_assign(actor=actor, case=case, assignee=other_agent)

    case.refresh_from_db()
    assert case.assigned_to == other_agent
    events = list(case.events.filter(kind=EventKind.ASSIGNED).order_by("id"))
    assert [(e.old_value, e.new_value) for e in events] == [
        ("", actor.username),
        (actor.username, other_agent.username),
    ]
    assert all(e.actor == actor for e in events)


def test_unassign(actor, category):
    case = services.case_assign(
        actor=actor, case=make_case(actor=actor, category=category), assignee=actor
    )
    case = services.case_assign(actor=actor, case=case, assignee=None)
    case.refresh_from_db()
    assert case.assigned_to is None
    event = case.events.order_by("-id").first()
    assert (event.kind, event.old_value, event.new_value) == (
        EventKind.UNASSIGNED,
        actor.username,
        "",
    )


def test_assigning_the_current_assignee_writes_nothing(actor, category):
    case = services.case_assign(
        actor=actor, case=make_case(actor=actor, category=category), assignee=actor
    )
    count = case.events.count()
    services.case_assign(actor=actor, case=case, assignee=actor)
    assert case.events.count() == count


def test_inactive_assignee_is_refused(actor, category):
    gone = UserFactory(username="gone", is_active=False)
    case = make_case(actor=actor, category=category)
    with pytest.raises(ValidationError) as raised:
        services.case_assign(actor=actor, case=case, assignee=gone)
    assert raised.value.error_dict["assignee"][0].code == "inactive"
    case.refresh_from_db()
    assert case.assigned_to is None


def test_service_account_assignee_is_refused(actor, category):
    robot = UserFactory(username="svc-robot", kind="service")
    case = make_case(actor=actor, category=category)
    with pytest.raises(ValidationError) as raised:
        services.case_assign(actor=actor, case=case, assignee=robot)
    assert raised.value.error_dict["assignee"][0].code == "invalid"


def test_closed_case_cannot_be_reassigned(actor, other_agent, category):
    case = make_case(actor=actor, category=category)
    case = services.case_transition(actor=actor, case=case, to_status=Status.RESOLVED)
    case = services.case_transition(actor=actor, case=case, to_status=Status.CLOSED)
    with pytest.raises(ValidationError) as raised:
        services.case_assign(actor=actor, case=case, assignee=other_agent)
    assert raised.value.error_dict["case"][0].code == "case_closed"


def test_deactivated_actor_cannot_assign(actor, other_agent, category):
    case = make_case(actor=actor, category=category)
    other_agent.is_active = False
    other_agent.save()
    with pytest.raises(ValidationError):
        services.case_assign(actor=other_agent, case=case, assignee=actor)
