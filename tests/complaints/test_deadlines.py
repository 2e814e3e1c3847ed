"""Grievance deadlines: calendar days from the day the case opened, in the organisation's time
zone, due at the end of the last day, from the GrievancePeriod rows (or the coded defaults)."""

import datetime

import pytest
from django.utils import timezone

from cases.details import detail_for
from complaints.models import DEFAULT_PERIODS, GrievancePeriod, GrievanceTrack, end_of_day_after
from tests.complaints.helpers import local, open_complaint, utc

pytestmark = pytest.mark.django_db

END = (23, 59, 59, 999999)


def _deadlines(actor, category, at, **details):
    case = open_complaint(actor, category, at=at, **details)
    complaint = detail_for(case)
    return complaint.acknowledgement_due_at, complaint.response_due_at


def test_the_seeded_periods():
    periods = {
        row.applies_to: (row.acknowledgement_days, row.response_days)
        for row in GrievancePeriod.objects.all()
    }
    assert periods == {"formal_grievance": (5, 7), "informal_complaint": (2, 30)}
    assert periods == {track: tuple(value) for track, value in DEFAULT_PERIODS.items()}


@pytest.mark.parametrize("opened", [(10, 0), (23, 30)], ids=["10:00", "23:30"])
def test_formal_grievance_in_winter(actor, complaints_category, opened):
    ack, response = _deadlines(
        actor, complaints_category, local(2026, 1, 14, *opened), formal_grievance=True
    )
    assert ack == local(2026, 1, 19, *END)  # 5 calendar days after the 14th
    assert response == local(2026, 1, 21, *END)  # 7
    assert ack == utc(2026, 1, 20, 4, 59, 59, 999999)  # EST is UTC-5


@pytest.mark.parametrize("opened", [(10, 0), (23, 30)], ids=["10:00", "23:30"])
def test_informal_complaint_in_winter(actor, complaints_category, opened):
    ack, response = _deadlines(actor, complaints_category, local(2026, 1, 14, *opened))
    assert ack == local(2026, 1, 16, *END)  # 2 calendar days
    assert response == local(2026, 2, 13, *END)  # 30


@pytest.mark.parametrize("opened", [(10, 0), (23, 30)], ids=["10:00", "23:30"])
def test_formal_grievance_across_the_spring_dst_change(actor, complaints_category, opened):
    # Opened Friday 6 March 2026 (EST, UTC-5); clocks go forward on Sunday 8 March (EDT, UTC-4).
    # 23:30 EST on the 6th is already the 7th in UTC: the day is counted locally.
    ack, response = _deadlines(
        actor, complaints_category, local(2026, 3, 6, *opened), formal_grievance=True
    )
    assert ack == local(2026, 3, 11, *END)
    assert ack == utc(2026, 3, 12, 3, 59, 59, 999999)
    assert response == local(2026, 3, 13, *END)
    assert response == utc(2026, 3, 14, 3, 59, 59, 999999)
    # Not "5 * 24 hours" later: the 8th had 23 hours.
    assert timezone.localtime(ack).utcoffset() == datetime.timedelta(hours=-4)


@pytest.mark.parametrize("opened", [(10, 0), (23, 30)], ids=["10:00", "23:30"])
def test_informal_complaint_across_the_spring_dst_change(actor, complaints_category, opened):
    ack, response = _deadlines(actor, complaints_category, local(2026, 3, 6, *opened))
    assert ack == local(2026, 3, 8, *END)  # the day of the change itself
    assert ack == utc(2026, 3, 9, 3, 59, 59, 999999)
    assert response == local(2026, 4, 5, *END)
    assert response == utc(2026, 4, 6, 3, 59, 59, 999999)


def test_formal_grievance_across_the_autumn_dst_change(actor, complaints_category):
    # Opened Friday 30 October 2026 (EDT); clocks go back on Sunday 1 November (EST).
    ack, response = _deadlines(
        actor, complaints_category, local(2026, 10, 30, 16, 0), formal_grievance=True
    )
    assert ack == local(2026, 11, 4, *END)
    assert ack == utc(2026, 11, 5, 4, 59, 59, 999999)
    assert response == local(2026, 11, 6, *END)


def test_a_changed_period_applies_to_complaints_opened_afterwards(actor, complaints_category):
    before = open_complaint(actor, complaints_category, at=local(2026, 1, 14, 9, 0))
    GrievancePeriod.objects.filter(applies_to=GrievanceTrack.INFORMAL_COMPLAINT).update(
        acknowledgement_days=3, response_days=10
    )
    GrievancePeriod.objects.filter(applies_to=GrievanceTrack.FORMAL_GRIEVANCE).update(
        acknowledgement_days=1, response_days=3
    )

    assert _deadlines(actor, complaints_category, local(2026, 1, 14, 10, 0)) == (
        local(2026, 1, 17, *END),
        local(2026, 1, 24, *END),
    )
    assert _deadlines(
        actor, complaints_category, local(2026, 1, 14, 10, 0), formal_grievance=True
    ) == (local(2026, 1, 15, *END), local(2026, 1, 17, *END))
    # Open complaints keep the deadlines computed when they were opened.
    kept = detail_for(before)
    assert (kept.acknowledgement_due_at, kept.response_due_at) == (
        local(2026, 1, 16, *END),
        local(2026, 2, 13, *END),
    )


def test_deleted_rows_fall_back_to_the_defaults(actor, complaints_category):
    GrievancePeriod.objects.all().delete()

    assert _deadlines(
        actor, complaints_category, local(2026, 3, 6, 23, 30), formal_grievance=True
    ) == (local(2026, 3, 11, *END), local(2026, 3, 13, *END))
    assert _deadlines(actor, complaints_category, local(2026, 3, 6, 23, 30)) == (
        local(2026, 3, 8, *END),
        local(2026, 4, 5, *END),
    )
    assert not GrievancePeriod.objects.exists()  # the fallback is in code, nothing is re-created


def test_one_deleted_row_does_not_affect_the_other(actor, complaints_category):
    GrievancePeriod.objects.filter(applies_to=GrievanceTrack.FORMAL_GRIEVANCE).delete()
    GrievancePeriod.objects.filter(applies_to=GrievanceTrack.INFORMAL_COMPLAINT).update(
        acknowledgement_days=4
    )
    assert _deadlines(
        actor, complaints_category, local(2026, 1, 14, 10, 0), formal_grievance=True
    ) == (local(2026, 1, 19, *END), local(2026, 1, 21, *END))
    assert _deadlines(actor, complaints_category, local(2026, 1, 14, 10, 0))[0] == local(
        2026, 1, 18, *END
    )


@pytest.mark.parametrize(
    ("details", "formal"),
    [
        ({"severity": "critical", "formal_grievance": False}, True),
        ({"complaint_type": "privacy", "severity": "low", "formal_grievance": False}, True),
        ({"complaint_type": "privacy", "severity": "critical"}, True),
        ({"complaint_type": "care", "severity": "high", "formal_grievance": False}, False),
        ({"complaint_type": "facilities", "severity": "low", "formal_grievance": True}, True),
    ],
)
def test_critical_and_privacy_complaints_are_forced_formal(
    actor, complaints_category, details, formal
):
    case = open_complaint(actor, complaints_category, at=local(2026, 1, 14, 10, 0), **details)
    complaint = detail_for(case)
    complaint.refresh_from_db()
    assert complaint.formal_grievance is formal
    # ... and get the formal track's deadlines.
    expected_ack = local(2026, 1, 19, *END) if formal else local(2026, 1, 16, *END)
    assert complaint.acknowledgement_due_at == expected_ack


def test_deadlines_use_the_organisation_time_zone_not_the_active_one(settings):
    opened = utc(2026, 3, 7, 4, 30)  # 23:30 on the 6th in New York, 13:30 on the 7th in Tokyo
    with timezone.override("Asia/Tokyo"):
        assert end_of_day_after(opened, 5) == local(2026, 3, 11, *END)
    settings.TIME_ZONE = "America/Los_Angeles"  # 20:30 on the 6th in Los Angeles
    assert end_of_day_after(opened, 5) == datetime.datetime(
        2026, 3, 11, *END, tzinfo=timezone.get_default_timezone()
    )
    assert end_of_day_after(opened, 5) == utc(2026, 3, 12, 6, 59, 59, 999999)
