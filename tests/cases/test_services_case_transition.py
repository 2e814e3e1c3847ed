import itertools

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.choices import EventKind, Status
from cases.models import Case
from cases.workflow import TRANSITIONS
from tests.factories import make_case

pytestmark = pytest.mark.django_db

# A path from NEW to every status, through allowed transitions only.
PATH_TO = {
    Status.NEW: [],
    Status.TRIAGED: [Status.TRIAGED],
    Status.IN_PROGRESS: [Status.IN_PROGRESS],
    Status.WAITING_ON_PATIENT: [Status.IN_PROGRESS, Status.WAITING_ON_PATIENT],
    Status.WAITING_ON_THIRD_PARTY: [Status.IN_PROGRESS, Status.WAITING_ON_THIRD_PARTY],
    Status.RESOLVED: [Status.RESOLVED],
    Status.CLOSED: [Status.RESOLVED, Status.CLOSED],
}


def _case_in(status, actor, category) -> Case:
    case = make_case(actor=actor, category=category)
    for step in PATH_TO[status]:
        case = services.case_transition(actor=actor, case=case, to_status=step)
    return case


ALLOWED = [(a, b) for a, targets in TRANSITIONS.items() for b in sorted(targets)]
REFUSED = [
    (a, b) for a, b in itertools.product(Status.values, Status.values) if b not in TRANSITIONS[a]
]


def test_every_status_has_a_row_in_the_table():
    assert set(TRANSITIONS) == set(Status.values)
    assert TRANSITIONS[Status.CLOSED] == frozenset()


@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED)
def test_allowed_transition(actor, other_agent, category, from_status, to_status):
    case = _case_in(from_status, actor, category)
    events_before = case.events.count()

    case = services.case_transition(
        actor=other_agent, case=case, to_status=to_status, reason="  because  "
    )

    case.refresh_from_db()
    assert case.status == to_status
    event = case.events.order_by("-id").first()
    assert case.events.count() == events_before + 1
    assert (event.kind, event.old_value, event.new_value) == (
        EventKind.STATUS_CHANGED,
        from_status,
        to_status,
    )
    assert event.actor == other_agent
    assert event.body == "because"
    assert (case.closed_at is not None) == (to_status == Status.CLOSED)
    assert (case.resolved_at is not None) == (to_status in (Status.RESOLVED, Status.CLOSED))


@pytest.mark.parametrize(("from_status", "to_status"), REFUSED)
def test_refused_transition_changes_nothing(actor, category, from_status, to_status):
    case = _case_in(from_status, actor, category)
    events_before = case.events.count()
    with pytest.raises(ValidationError) as raised:
        services.case_transition(actor=actor, case=case, to_status=to_status)
    error = raised.value.error_dict["status"][0]
    assert error.code == "invalid_transition"
    assert Status(from_status).label in error.message and Status(to_status).label in error.message
    case.refresh_from_db()
    assert case.status == from_status
    assert case.events.count() == events_before


def test_unknown_status_is_refused(actor, category):
    case = make_case(actor=actor, category=category)
    with pytest.raises(ValidationError) as raised:
        services.case_transition(actor=actor, case=case, to_status="archived")
    assert raised.value.error_dict["status"][0].code == "invalid_choice"


def test_reopen_clears_resolution_and_close_keeps_it(actor, category):
    case = _case_in(Status.RESOLVED, actor, category)
    first_resolution = case.resolved_at
    case = services.case_transition(actor=actor, case=case, to_status=Status.IN_PROGRESS)
    case.refresh_from_db()
    assert case.resolved_at is None
    case = services.case_transition(actor=actor, case=case, to_status=Status.RESOLVED)
    case = services.case_transition(actor=actor, case=case, to_status=Status.CLOSED)
    case.refresh_from_db()
    assert case.resolved_at >= first_resolution
    assert case.closed_at >= case.resolved_at


def test_a_stale_instance_cannot_skip_the_table(actor, category):
    """Services re-read the case under a lock: a stale copy cannot bypass the current status."""
    case = make_case(actor=actor, category=category)
    stale = Case.objects.get(pk=case.pk)
    services.case_transition(actor=actor, case=case, to_status=Status.RESOLVED)
    services.case_transition(actor=actor, case=case, to_status=Status.CLOSED)
    with pytest.raises(ValidationError):
        services.case_transition(actor=actor, case=stale, to_status=Status.IN_PROGRESS)
    assert Case.objects.get(pk=case.pk).status == Status.CLOSED
