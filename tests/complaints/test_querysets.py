"""The overdue sweeps: ``Complaint.objects.acknowledgement_overdue(now)`` / ``response_overdue``."""

import datetime

import pytest

from complaints.models import Complaint
from complaints.services import complaint_acknowledge, complaint_respond
from tests.complaints.helpers import local, open_complaint

pytestmark = pytest.mark.django_db

# Opened 2026-01-14; formal: acknowledge by the end of the 19th, respond by the end of the 21st;
# informal: acknowledge by the end of the 16th, respond by the end of 13 February.
OPENED = local(2026, 1, 14, 10, 0)
TICK = datetime.timedelta(microseconds=1)


@pytest.fixture
def formal(actor, complaints_category):
    return open_complaint(actor, complaints_category, at=OPENED, formal_grievance=True)


@pytest.fixture
def informal(actor, complaints_category):
    return open_complaint(actor, complaints_category, at=OPENED)


def _ack_overdue(now):
    return set(Complaint.objects.acknowledgement_overdue(now).values_list("case_id", flat=True))


def _response_overdue(now):
    return set(Complaint.objects.response_overdue(now).values_list("case_id", flat=True))


def test_acknowledgement_overdue(formal, informal):
    informal_due = Complaint.objects.get(pk=informal.pk).acknowledgement_due_at
    assert _ack_overdue(OPENED) == set()
    assert _ack_overdue(informal_due) == set()  # due means "by then": not yet overdue
    assert _ack_overdue(informal_due + TICK) == {informal.pk}
    assert _ack_overdue(local(2026, 1, 20, 0, 0)) == {formal.pk, informal.pk}


def test_acknowledged_complaints_are_not_acknowledgement_overdue(actor, formal, informal):
    complaint_acknowledge(actor=actor, case=informal)
    assert _ack_overdue(local(2026, 1, 20, 0, 0)) == {formal.pk}


def test_response_overdue(actor, formal, informal):
    assert _response_overdue(local(2026, 1, 21, 23, 59)) == set()
    assert _response_overdue(local(2026, 1, 22, 0, 0)) == {formal.pk}
    assert _response_overdue(local(2026, 2, 14, 0, 0)) == {formal.pk, informal.pk}


def test_responded_complaints_are_not_response_overdue(actor, formal, informal):
    complaint_acknowledge(actor=actor, case=formal)
    assert _response_overdue(local(2026, 2, 14, 0, 0)) == {formal.pk, informal.pk}
    complaint_respond(actor=actor, case=formal, outcome="resolved_for_patient", summary="Fixed.")
    assert _response_overdue(local(2026, 2, 14, 0, 0)) == {informal.pk}


def test_now_defaults_to_the_current_time(formal, informal, time_machine):
    time_machine.move_to(local(2026, 1, 17, 8, 0), tick=False)
    assert set(Complaint.objects.acknowledgement_overdue().values_list("pk", flat=True)) == {
        informal.pk
    }
    assert not Complaint.objects.response_overdue().exists()


def test_the_sweeps_chain_with_other_filters(formal, informal):
    overdue = Complaint.objects.filter(formal_grievance=True).acknowledgement_overdue(
        local(2026, 2, 1, 0, 0)
    )
    assert list(overdue.values_list("pk", flat=True)) == [formal.pk]
