"""Human-readable case references: ``PC-2026-000123``.

The number comes from a source that never hands out the same value twice, even to concurrent
transactions and even when a transaction rolls back:

* PostgreSQL: the ``cases_case_number_seq`` sequence (``nextval`` is non-transactional, takes no
  row lock, so concurrent intakes do not queue behind each other). A rolled-back intake leaves a
  gap; a number is never reused.
* other databases (the embedded SQLite default): one counter row, incremented with an atomic
  ``UPDATE … SET value = value + 1`` inside the intake transaction. SQLite has a single writer, so
  this serialises nothing that was not serialised already.

The year is the year the case was opened (in the deployment's time zone); numbers keep counting
across years, so a reference is unique on its number alone.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone

SEQUENCE_NAME = "cases_case_number_seq"
COUNTER_NAME = "case"


def next_case_number() -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [SEQUENCE_NAME])
            return int(cursor.fetchone()[0])
    from cases.models import CaseNumberCounter

    updated = CaseNumberCounter.objects.filter(name=COUNTER_NAME).update(value=F("value") + 1)
    if not updated:
        CaseNumberCounter.objects.get_or_create(name=COUNTER_NAME, defaults={"value": 0})
        CaseNumberCounter.objects.filter(name=COUNTER_NAME).update(value=F("value") + 1)
    return CaseNumberCounter.objects.values_list("value", flat=True).get(name=COUNTER_NAME)


def format_reference(number: int, opened_at: datetime) -> str:
    year = timezone.localtime(opened_at).year
    return f"{settings.CASE_REFERENCE_PREFIX}-{year}-{number:06d}"
