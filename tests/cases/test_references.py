import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from cases.references import format_reference, next_case_number
from tests.factories import make_case, make_patient


def test_format_uses_the_local_year_of_opening(settings):
    settings.TIME_ZONE = "America/New_York"
    # 03:00 UTC on 1 January is still the previous year in New York
    opened = datetime(2027, 1, 1, 3, 0, tzinfo=ZoneInfo("UTC"))
    assert format_reference(123, opened) == "PC-2026-000123"
    assert format_reference(1_234_567, opened) == "PC-2026-1234567"


@pytest.mark.django_db
def test_numbers_increase(db):
    first = next_case_number()
    assert next_case_number() == first + 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_never_share_a_reference(actor, category):
    """Eight threads, each its own connection, open cases at once: every reference differs."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises them anyway)")
    patient = make_patient(actor)
    references: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def work():
        try:
            barrier.wait()
            for _ in range(5):
                references.append(
                    make_case(actor=actor, category=category, patient=patient).reference
                )
        except BaseException as exc:  # report in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(references) == 40
    assert len(set(references)) == 40
