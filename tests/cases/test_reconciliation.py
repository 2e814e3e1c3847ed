"""Reconciling a patient record flagged at intake (cases.reconciliation): merge or confirm a
different person — who may, what each writes, and what is refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from guardian.shortcuts import assign_perm

from cases.choices import EventKind
from cases.models import Case, CaseEvent, Patient, Reconciliation, Sensitivity
from cases.reconciliation import flagged_patients, patient_confirm_distinct, patient_merge
from cases.services import case_assign, case_open
from compliance.models import AuditEntry
from tests.api.conftest import (
    ADMINISTRATOR,
    AGENT,
    COMPLIANCE,
    OTHER_AGENT,
    PARTNER_B,
    SUPERUSER,
    SUPERVISOR,
    WORLD_PATIENT,
    build_world,
)
from tests.factories import patient_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


def flag(world, *, n: int = 1, **changes) -> Case:
    """Partner B's intake about partner A's patient: a flagged record with one case."""
    return case_open(
        actor=world.users[PARTNER_B],
        patient={**patient_fields(WORLD_PATIENT), **changes},
        category=world.category,
        subject="Question",
        description="A question from the patient.",
        channel="partner_api",
        source_organisation=world.org_b,
        external_reference=f"B-{n}",
    )


def code_of(raised) -> str:
    return next(iter(raised.value.error_dict.values()))[0].code


def test_a_merge_moves_the_cases_writes_the_timeline_and_is_audited(world):
    case = flag(world)
    flagged, existing = case.patient, world.case.patient
    assert flagged.reconciliation == Reconciliation.PENDING and flagged.reconcile_with == existing
    assert list(flagged_patients(world.users[SUPERVISOR])) == [flagged]
    head = AuditEntry.objects.order_by("-id").values_list("id", flat=True)[0]

    target = patient_merge(actor=world.users[SUPERVISOR], patient=flagged, reason="EHR checked")

    assert target == existing
    case.refresh_from_db()
    flagged.refresh_from_db()
    assert case.patient == existing and flagged.reconciliation == Reconciliation.MERGED
    event = CaseEvent.objects.get(case=case, kind=EventKind.PATIENT_RECONCILED)
    assert event.actor == world.users[SUPERVISOR] and "EHR checked" in event.body
    assert AuditEntry.objects.filter(
        id__gt=head,
        content_type__model="case",
        object_pk=str(case.pk),
        actor_id=world.users[SUPERVISOR].pk,
    ).exists()
    version = Patient.history.filter(id=flagged.pk).latest("history_date")
    assert version.reconciliation == Reconciliation.MERGED
    assert version.history_user_id == world.users[SUPERVISOR].pk
    assert list(flagged_patients(world.users[SUPERVISOR])) == []


def test_confirming_a_different_person_keeps_the_record_and_its_cases(world):
    case = flag(world, given_name="Someone")
    flagged = case.patient
    patient_confirm_distinct(actor=world.users[SUPERVISOR], patient=flagged, reason="Twins")
    flagged.refresh_from_db()
    case.refresh_from_db()
    assert flagged.reconciliation == Reconciliation.DISTINCT and case.patient == flagged
    assert flagged.submitted_mrn == world.case.patient.mrn and flagged.mrn is None
    assert CaseEvent.objects.filter(case=case, kind=EventKind.PATIENT_RECONCILED).count() == 1
    # Partner B keeps being matched to its own record, not to A's patient.
    again = flag(world, n=2, given_name="Someone")
    assert again.patient == flagged


@pytest.mark.parametrize(
    ("role", "code"),
    [
        (SUPERVISOR, None),  # supervises the queue: sees the record, holds the permission
        (SUPERUSER, None),
        (AGENT, "permission_denied"),  # works the queue: sees it, may not reconcile
        (COMPLIANCE, "permission_denied"),  # reads everything, changes nothing here
        (OTHER_AGENT, "not_found"),  # does not see the record: it does not exist for them
        (ADMINISTRATOR, "not_found"),  # holds the permission, sees no case of the record
        (PARTNER_B, "permission_denied"),  # sees its own record through its case
    ],
)
@pytest.mark.parametrize("service", [patient_merge, patient_confirm_distinct])
def test_who_may_reconcile(world, role, code, service):
    assign_perm("cases.work_queue", world.users[AGENT], world.queue)
    flagged = flag(world).patient
    if code is None:
        service(actor=world.users[role], patient=flagged, reason="Checked")
        return
    with pytest.raises(ValidationError) as raised:
        service(actor=world.users[role], patient=flagged, reason="Checked")
    assert code_of(raised) == code
    flagged.refresh_from_db()
    assert flagged.reconciliation == Reconciliation.PENDING


def test_an_administrator_with_a_queue_grant_may_reconcile(world):
    assign_perm("cases.supervise_queue", world.users[ADMINISTRATOR], world.queue)
    flagged = flag(world).patient
    patient_merge(actor=world.users[ADMINISTRATOR], patient=flagged, reason="Checked")


def test_refusals(world):
    supervisor = world.users[SUPERVISOR]
    flagged = flag(world).patient
    with pytest.raises(ValidationError) as raised:
        patient_merge(actor=supervisor, patient=flagged, reason="  ")
    assert code_of(raised) == "blank"
    patient_confirm_distinct(actor=supervisor, patient=flagged, reason="Different")
    with pytest.raises(ValidationError) as raised:
        patient_merge(actor=supervisor, patient=flagged, reason="Changed my mind")
    assert code_of(raised) == "not_pending"
    with pytest.raises(ValidationError) as raised:  # a record never flagged
        patient_merge(actor=supervisor, patient=world.case.patient, reason="x")
    assert code_of(raised) == "not_pending"


def test_a_merge_into_a_record_the_reconciler_may_not_see_is_refused(world):
    existing = world.case.patient
    existing.sensitivity = Sensitivity.HIV
    existing.save(update_fields=["sensitivity"])
    flagged = flag(world).patient
    with pytest.raises(ValidationError) as raised:
        patient_merge(actor=world.users[SUPERVISOR], patient=flagged, reason="Same")
    assert code_of(raised) == "not_found"
    assert Case.objects.get(patient=flagged)  # nothing moved


def test_a_merge_into_a_sensitive_record_unassigns_who_may_not_see_it(world):
    existing = world.case.patient
    existing.sensitivity = Sensitivity.HIV
    existing.save(update_fields=["sensitivity"])
    case = flag(world)
    agent = world.users[AGENT]
    assign_perm("cases.work_queue", agent, world.queue)
    case_assign(actor=world.users[SUPERVISOR], case=case, assignee=agent)
    patient_merge(actor=world.users[SUPERUSER], patient=case.patient, reason="Same person")
    case.refresh_from_db()
    assert case.patient == existing and case.assigned_to is None
    assert not Case.objects.restrict(agent, "view").filter(pk=case.pk).exists()
