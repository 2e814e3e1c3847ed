"""A date of birth in the future or before 1900 is refused on every path that sets it: the
validator (cases/validators.py) on the model field, so the services' ``full_clean()`` (patient
create, update, match-or-create, case intake), the admin's patient form and the API's intake all
answer with a field error. "Today" is the deployment's (settings.TIME_ZONE)."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import services
from cases.models import Case, Patient
from cases.validators import EARLIEST_BIRTH_DATE, deployment_today, validate_birth_date
from tests.cases.test_admin import admin_url, patient_form_data
from tests.factories import CategoryFactory, UserFactory, make_patient, patient_fields

pytestmark = pytest.mark.django_db

# 03:00 UTC on 1 March 2026: still 28 February in New York, already 1 March in Tokyo and London.
LATE_EVENING_IN_NEW_YORK = datetime.datetime(2026, 3, 1, 3, 0, tzinfo=datetime.UTC)
NEW_YORK_TODAY = datetime.date(2026, 2, 28)
ONE_DAY = datetime.timedelta(days=1)


@pytest.fixture
def actor():
    return UserFactory(username="birth-date-actor")


@pytest.fixture
def new_york(settings):
    settings.TIME_ZONE = "America/New_York"
    with time_machine.travel(LATE_EVENING_IN_NEW_YORK, tick=False):
        yield


def codes(error: ValidationError, field: str) -> list[str]:
    return [item.code for item in error.error_dict[field]]


# --- the rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (NEW_YORK_TODAY + ONE_DAY, "future_date"),
        (datetime.date(2099, 12, 31), "future_date"),
        (datetime.date(9999, 12, 31), "future_date"),
        (EARLIEST_BIRTH_DATE - ONE_DAY, "date_too_early"),
        (datetime.date(1, 1, 1), "date_too_early"),
    ],
)
def test_out_of_range_dates_are_refused_with_a_stable_code(new_york, value, code):
    with pytest.raises(ValidationError) as raised:
        validate_birth_date(value)
    assert raised.value.code == code
    assert value.isoformat() not in str(raised.value.message)  # never echoes the value


@pytest.mark.parametrize("value", [NEW_YORK_TODAY, EARLIEST_BIRTH_DATE, datetime.date(1980, 1, 31)])
def test_dates_from_1900_to_today_are_accepted(new_york, value):
    validate_birth_date(value)


def test_today_is_the_deployments_whatever_the_request_activated(new_york):
    """In Tokyo it is already 1 March; in the deployment's New York it is not: a birth on 1
    March is still in the future, one on 28 February (a newborn) is fine."""
    with timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")):
        assert timezone.localdate() == NEW_YORK_TODAY + ONE_DAY
        assert deployment_today() == NEW_YORK_TODAY
        with pytest.raises(ValidationError):
            validate_birth_date(NEW_YORK_TODAY + ONE_DAY)
        validate_birth_date(NEW_YORK_TODAY)


# --- the services: the one write path ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [(NEW_YORK_TODAY + ONE_DAY, "future_date"), (datetime.date(1899, 12, 31), "date_too_early")],
)
def test_patient_create_refuses_it(new_york, actor, value, code):
    with pytest.raises(ValidationError) as raised:
        services.patient_create(actor=actor, **patient_fields(1, date_of_birth=value))
    assert codes(raised.value, "date_of_birth") == [code]
    assert not Patient.objects.exists()


def test_patient_update_refuses_it_and_keeps_the_record(new_york, actor):
    patient = make_patient()
    before = patient.date_of_birth
    for value in (NEW_YORK_TODAY + ONE_DAY, datetime.date(1850, 6, 1)):
        with pytest.raises(ValidationError) as raised:
            services.patient_update(actor=actor, patient=patient, date_of_birth=value)
        assert list(raised.value.error_dict) == ["date_of_birth"]
    patient.refresh_from_db()
    assert patient.date_of_birth == before
    assert patient.history.count() == 1  # no version of a refused change


def test_patient_match_or_create_refuses_it_on_the_patient_path(new_york, actor):
    data = patient_fields(2, date_of_birth=NEW_YORK_TODAY + ONE_DAY)
    with pytest.raises(ValidationError) as raised:
        services.patient_match_or_create(actor=actor, data=data)
    assert codes(raised.value, "patient.date_of_birth") == ["future_date"]


def test_case_intake_refuses_it_and_writes_nothing(new_york, actor):
    category = CategoryFactory()
    with pytest.raises(ValidationError) as raised:
        services.case_open(
            actor=actor,
            patient=patient_fields(3, date_of_birth="1899-12-31"),
            category=category,
            subject="Hours",
            description="Open on Saturdays?",
            channel="voice",
        )
    assert codes(raised.value, "patient.date_of_birth") == ["date_too_early"]
    assert not Case.objects.exists()
    assert not Patient.objects.exists()


def test_a_newborn_registered_today_is_accepted(new_york, actor):
    patient = services.patient_create(
        actor=actor, **patient_fields(4, date_of_birth=NEW_YORK_TODAY)
    )
    assert patient.date_of_birth == NEW_YORK_TODAY


# --- the admin ------------------------------------------------------------------------------------


def test_the_admin_patient_form_shows_a_field_error(new_york, admin_client):
    for value in ((NEW_YORK_TODAY + ONE_DAY).isoformat(), "1899-12-31"):
        response = admin_client.post(
            admin_url(Patient, "add"), patient_form_data(date_of_birth=value)
        )
        assert response.status_code == 200  # the form again, with the error
        errors = response.context["adminform"].form.errors
        assert list(errors) == ["date_of_birth"], errors
    assert not Patient.objects.exists()


def test_the_admin_patient_change_form_refuses_a_future_date(new_york, admin_client):
    from tests.cases.test_admin import patient_data_of

    patient = make_patient()
    before = patient.date_of_birth
    response = admin_client.post(
        admin_url(Patient, "change", patient.pk),
        patient_data_of(patient, date_of_birth="2030-01-01"),
    )
    assert response.status_code == 200
    assert "date_of_birth" in response.context["adminform"].form.errors
    patient.refresh_from_db()
    assert patient.date_of_birth == before
