"""Each app registers its own audited models with the audit kernel, with their subject (which
patient and case an entry is about): nothing that belongs to a case or a patient is left out."""

from __future__ import annotations

import pytest
from auditlog.registry import auditlog
from django.apps import apps

from cases.models import Case, Patient
from compliance.subjects import registered_subject, subject_of

# Records about a case that are deliberately not in the audit trail, and why.
NOT_AUDITED = {
    # The transactional outbox holds what webhooks will carry; the change it announces is itself
    # audited, and its rows are delivery bookkeeping (docs/architecture/partner-api.md).
    "webhooks.outboxmessage",
    # Who has a live-queue socket on a case now: ephemeral rows the socket keeps; opening the
    # case itself is access-logged (docs/architecture/live-queue.md).
    "console.presence",
}


def _points_at_case_or_patient(model) -> bool:
    return any(
        field.is_relation and field.concrete and field.related_model in (Case, Patient)
        for field in model._meta.get_fields()
    )


def _is_row_version(model) -> bool:
    """simple-history's row versions: a second record of audited rows, not a source of changes."""
    return any(field.name == "history_id" for field in model._meta.concrete_fields)


def _models_about_a_case_or_patient():
    return sorted(
        (
            model
            for model in apps.get_models()
            if _points_at_case_or_patient(model) and not _is_row_version(model)
        ),
        key=lambda model: model._meta.label_lower,
    )


def test_the_search_finds_the_records_that_belong_to_a_case():
    labels = {model._meta.label_lower for model in _models_about_a_case_or_patient()}
    assert {"cases.caseevent", "escalations.escalation", "oversight.breakglassaccess"} <= labels
    assert "cases.caseuserobjectpermission" in labels


@pytest.mark.parametrize(
    "model", _models_about_a_case_or_patient(), ids=lambda model: model._meta.label_lower
)
def test_every_record_about_a_case_or_patient_is_audited_with_a_subject(model):
    if model._meta.label_lower in NOT_AUDITED:
        pytest.skip(f"{model._meta.label_lower}: not audited on purpose (NOT_AUDITED)")
    assert auditlog.contains(model), f"{model._meta.label_lower} is not in the audit trail"
    assert registered_subject(model) is not None, f"{model._meta.label_lower} has no subject"


def test_the_kernel_audits_users_groups_and_its_verifications_itself():
    from django.contrib.auth.models import Group

    from accounts.models import User
    from compliance.models import ChainVerification

    for model in (User, Group, ChainVerification):
        assert auditlog.contains(model)
        assert registered_subject(model) is None


@pytest.mark.django_db
def test_a_model_without_a_rule_has_no_subject(actor):
    assert subject_of(actor) == (None, None)
