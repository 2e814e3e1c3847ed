"""Shared helpers for the category apps' detail tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from cases.choices import Channel
from cases.models import Case
from cases.services import case_open
from tests.factories import make_patient


def details_opener(detail_model, *, subject: str) -> tuple[Callable, Callable]:
    """``open_case(actor, category, details) -> Case`` and ``refused(actor, category, details) ->
    ValidationError`` (which also asserts that nothing was written) for one detail model."""

    def open_case(actor, category, details) -> Case:
        return case_open(
            actor=actor,
            patient=make_patient(actor),
            category=category,
            subject=subject,
            description=f"The patient's request: {subject.lower()}.",
            channel=Channel.VOICE,
            details=details,
        )

    def refused(actor, category, details) -> ValidationError:
        patient = make_patient(actor)
        with pytest.raises(ValidationError) as excinfo:
            case_open(
                actor=actor,
                patient=patient,
                category=category,
                subject=subject,
                description=f"The patient's request: {subject.lower()}.",
                channel=Channel.VOICE,
                details=details,
            )
        assert not Case.objects.exists()
        assert not detail_model.objects.exists()
        return excinfo.value

    return open_case, refused
