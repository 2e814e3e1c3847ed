"""Validators of the core's model fields, shared by every edge that sets them (the services'
``full_clean()``, the admin's model forms, the API's input serializers).

Messages say what is wrong and never repeat the value: a date of birth is PHI.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

# The earliest date of birth a patient record accepts: older dates are typing errors
# (19 for 1980, a year 0001 from a parser default), not people.
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)


def deployment_today() -> datetime.date:
    """Today's date in the deployment's time zone (``settings.TIME_ZONE``), whatever time zone
    the current request activated: a child born today in the hospital's time zone may be
    registered, and nobody born tomorrow there."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def validate_birth_date(value: datetime.date | None) -> None:
    """A date of birth from 1900-01-01 to today (the deployment's today), both included."""
    if value is None or not isinstance(value, datetime.date):
        return  # the field itself refuses what is not a date
    if isinstance(value, datetime.datetime):
        value = value.date()
    if value > deployment_today():
        raise ValidationError("The date of birth cannot be in the future.", code="future_date")
    if value < EARLIEST_BIRTH_DATE:
        raise ValidationError(
            "The date of birth cannot be before 1900-01-01.", code="date_too_early"
        )
