"""The subject of a record: which patient and case its audit and access-log entries are about
(their indexed ``patient_pk`` / ``case_pk`` columns, which the accounting of disclosures and the
trail's searches use). The kernel knows no domain model: each app registers a rule for its own
models in ``AppConfig.ready()`` (``register_audited(model, subject=…)``; the case and patient rules
are ``cases.subjects``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: (patient pk, case pk) of a record.
Subject = tuple[int | None, int | None]
SubjectOf = Callable[[Any], Subject]

_subjects: dict[type, SubjectOf] = {}


def register_subject(model: type, subject: SubjectOf) -> None:
    """Say how to find which patient and case a record of ``model`` is about."""
    _subjects[model] = subject


def subject_of(instance) -> Subject:
    """(patient pk, case pk) of a record, by the rule registered for its model (or a parent's);
    (None, None) for a model nobody registered a subject for."""
    subject = registered_subject(type(instance))
    return (None, None) if subject is None else subject(instance)


def registered_subject(model: type) -> SubjectOf | None:
    """The rule registered for ``model`` (or a parent), None when there is none."""
    for klass in model.__mro__:
        if klass in _subjects:
            return _subjects[klass]
    return None
