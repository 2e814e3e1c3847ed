"""BAA in force: effective ≤ today ≤ expires, today in settings.TIME_ZONE; the refusal reasons
and their stable codes; the model's constraint and allowed categories."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from partners.models import PartnerOrganisation, RefusalCode, local_today
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

EFFECTIVE = datetime.date(2026, 1, 1)
EXPIRES = datetime.date(2026, 12, 31)
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def at(day: datetime.date, hour: int = 12, tz=NEW_YORK) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=tz)


@pytest.fixture
def partner(db):
    return PartnerOrganisation.objects.create(
        name="Baa Partner", slug="baa-partner", baa_effective_on=EFFECTIVE, baa_expires_on=EXPIRES
    )


@pytest.mark.parametrize(
    ("moment", "code"),
    [
        (at(EFFECTIVE - datetime.timedelta(days=1)), RefusalCode.BAA_NOT_YET_EFFECTIVE),
        (at(EFFECTIVE, hour=0), None),  # the first day is covered, from midnight
        (at(datetime.date(2026, 6, 15)), None),
        (at(EXPIRES, hour=23), None),  # the last day is covered, to its end
        (at(EXPIRES + datetime.timedelta(days=1), hour=0), RefusalCode.BAA_EXPIRED),
    ],
    ids=["day-before", "first-day", "middle", "last-day", "day-after"],
)
def test_in_force_between_the_dates_inclusive(partner, moment, code):
    with time_machine.travel(moment, tick=False):
        refusal = partner.refusal_reason()
        assert (refusal.code if refusal else None) == code
        assert partner.baa_in_force() is (code is None)
        assert partner.may_use_api() is (code is None)
        in_force = PartnerOrganisation.objects.baa_in_force()
        assert in_force.filter(pk=partner.pk).exists() is (code is None)
        assert PartnerOrganisation.objects.api_usable().filter(pk=partner.pk).exists() is (
            code is None
        )


def test_today_is_the_deployment_time_zones_not_utc(partner, settings):
    assert settings.TIME_ZONE == "America/New_York"
    # 02:00 UTC on Jan 1st is still Dec 31st in New York: not yet effective.
    moment = datetime.datetime(2026, 1, 1, 2, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        assert local_today() == datetime.date(2025, 12, 31)
        assert partner.refusal_reason().code == RefusalCode.BAA_NOT_YET_EFFECTIVE
    # 03:30 UTC on Jan 1st 2027 is still Dec 31st 2026 in New York: still in force.
    with time_machine.travel(datetime.datetime(2027, 1, 1, 3, 30, tzinfo=datetime.UTC), tick=False):
        assert partner.refusal_reason() is None


def test_an_activated_time_zone_does_not_move_the_day(partner):
    from django.utils import timezone

    moment = datetime.datetime(2026, 1, 1, 2, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False), timezone.override(datetime.UTC):
        assert local_today() == datetime.date(2025, 12, 31)


def test_an_explicit_date(partner):
    assert partner.refusal_reason(datetime.date(2027, 1, 1)).code == RefusalCode.BAA_EXPIRED
    assert partner.refusal_reason(datetime.date(2026, 3, 1)) is None


def test_the_messages_name_the_date(partner):
    expired = partner.refusal_reason(datetime.date(2027, 2, 1))
    assert "expired on 2026-12-31" in expired.message
    early = partner.refusal_reason(datetime.date(2025, 2, 1))
    assert "takes effect on 2026-01-01" in early.message


@pytest.mark.parametrize(
    ("effective", "expires", "missing"),
    [
        (None, None, "effective date and expiry date are missing"),
        (EFFECTIVE, None, "expiry date is missing"),
        (None, EXPIRES, "effective date is missing"),
    ],
)
def test_missing_dates(effective, expires, missing):
    partner = PartnerOrganisation.objects.create(
        name="No BAA", slug="no-baa", baa_effective_on=effective, baa_expires_on=expires
    )
    refusal = partner.refusal_reason(datetime.date(2026, 6, 1))
    assert refusal.code == RefusalCode.BAA_MISSING
    assert missing in refusal.message
    assert not partner.baa_in_force(datetime.date(2026, 6, 1))
    assert not PartnerOrganisation.objects.baa_in_force(datetime.date(2026, 6, 1)).exists()


def test_inactive_organisation_is_refused_first(partner):
    partner.active = False
    partner.save()
    refusal = partner.refusal_reason(datetime.date(2026, 6, 1))
    assert refusal.code == RefusalCode.ORGANISATION_INACTIVE
    assert partner.baa_in_force(datetime.date(2026, 6, 1))  # the BAA itself is fine
    assert not PartnerOrganisation.objects.api_usable(datetime.date(2026, 6, 1)).exists()


def test_expiry_must_follow_the_effective_date(partner):
    partner.baa_expires_on = EFFECTIVE
    with pytest.raises(ValidationError) as caught:
        partner.full_clean()
    assert "The BAA must expire after its effective date." in str(caught.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerOrganisation.objects.filter(pk=partner.pk).update(
            baa_expires_on=EFFECTIVE - datetime.timedelta(days=1)
        )


def test_one_date_alone_passes_the_constraint():
    partner = PartnerOrganisation(name="Half", slug="half", baa_effective_on=EFFECTIVE)
    partner.full_clean()
    partner.save()


def test_allowed_categories(partner):
    allowed, other = CategoryFactory(), CategoryFactory()
    partner.allowed_categories.add(allowed)
    assert partner.allows_category(allowed)
    assert not partner.allows_category(other)
