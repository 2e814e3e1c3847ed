"""Which patient and case an audit or access-log entry is about (the trail's indexed subject
columns): the rules the cases app registers with the audit kernel for its models
(``CasesConfig.ready()``), and ``via_case`` for other apps' records that belong to a case
(escalations, category details, break-the-glass accesses)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from compliance.subjects import Subject


def of_patient(patient) -> Subject:
    """A patient is its own subject."""
    return patient.pk, None


def of_case(case) -> Subject:
    """A case: its patient and itself."""
    return case.patient_id, case.pk


def via_case(field: str = "case") -> Callable[[Any], Subject]:
    """The subject of a record that belongs to a case through ``field`` (a foreign key or a
    generic relation to the case): that case's."""

    def subject(instance) -> Subject:
        case_pk = getattr(instance, f"{field}_id", None)
        if case_pk is None:
            return None, None
        # Through the record's own relation, not a second read path: the services pass the case
        # they hold (cached, no query); otherwise it is loaded once and stays cached on the record.
        try:
            case = getattr(instance, field)
        except ObjectDoesNotExist:
            return None, case_pk
        return getattr(case, "patient_id", None), case_pk

    return subject
