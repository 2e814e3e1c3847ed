"""The admin's intake form takes its details as JSON typed by a person: JSON nested too deeply
for the decoder is a form error on ``details`` (shown back as typed), never a 500."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from cases.admin import CaseIntakeForm
from cases.models import Case
from tests.cases.test_admin import admin_url
from tests.factories import CategoryFactory, make_patient

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000


def intake_data(**changes) -> dict:
    data = {
        "patient": make_patient().pk,
        "category": CategoryFactory().pk,
        "channel": "voice",
        "subject": "Hours",
        "description": "Open on Saturdays?",
        "details": "{}",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("details", [DEEP, "[" * 5_000 + "]" * 5_000, '{"a": ' + DEEP])
def test_deep_json_details_are_a_form_error(details):
    form = CaseIntakeForm(data=intake_data(details=details))
    assert not form.is_valid()
    assert list(form.errors) == ["details"]
    assert form.errors.as_data()["details"][0].code == "too_deep"
    assert escape(details[:100]) in str(form["details"])  # rendered back as typed


def test_the_admin_answers_deep_json_details_with_the_form_again(admin_client):
    response = admin_client.post(admin_url(Case, "add"), intake_data(details=DEEP))
    assert response.status_code == 200
    assert "details" in response.context["adminform"].form.errors
    assert not Case.objects.exists()
