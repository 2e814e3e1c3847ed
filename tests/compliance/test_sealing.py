"""Sealing (compliance/sealing.py): a transaction's audit entries are chained and written as its
atomic block ends — never lost, never written for a change that rolled back, always visible to the
transaction itself — and auditlog's "old" values come from the row ``lock_case`` read, but never
from a row that has changed since."""

from __future__ import annotations

import pytest
from auditlog.context import disable_auditlog
from django.db import DatabaseError, connection, transaction

from cases import services
from cases.choices import Priority, Status
from cases.models import Case
from compliance.audit import verify_chain
from compliance.models import AuditEntry
from compliance.sealing import pending_count

UPDATE = AuditEntry.Action.UPDATE


class Boom(Exception):
    pass


def _updates_of(obj) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            object_pk=str(obj.pk), action=UPDATE, content_type__model=obj._meta.model_name
        ).order_by("chain_index")
    )


@pytest.mark.django_db
def test_a_service_s_entries_exist_as_soon_as_it_returns(actor, case):
    before = AuditEntry.objects.count()
    services.case_transition(actor=actor, case=case, to_status=Status.IN_PROGRESS)
    assert pending_count() == 0
    assert AuditEntry.objects.count() == before + 2  # the case's change and its timeline event


@pytest.mark.django_db
def test_a_transaction_reads_its_own_pending_entries(actor, patient):
    with transaction.atomic(savepoint=False):
        patient.phone = "+12025550199"
        patient.save()
        assert pending_count() == 1  # not written yet: the block has not ended
        entries = _updates_of(patient)  # a query of the trail seals first
        assert pending_count() == 0
    assert [e.changes["phone"][1] for e in entries] == ["+12025550199"]


@pytest.mark.django_db
def test_a_rolled_back_savepoint_drops_its_pending_entries(actor, patient):
    before = AuditEntry.objects.count()
    with pytest.raises(Boom), transaction.atomic():
        patient.phone = "+12025550198"
        patient.save()
        assert pending_count() == 1
        raise Boom
    assert pending_count() == 0
    assert AuditEntry.objects.count() == before
    assert verify_chain().intact


@pytest.mark.django_db
def test_the_chain_continues_from_the_real_head_after_a_sealed_savepoint_rolls_back(
    actor, case, patient
):
    with pytest.raises(Boom), transaction.atomic():
        # The service's own savepoint seals its entries; the enclosing one then rolls back.
        services.case_transition(actor=actor, case=case, to_status=Status.IN_PROGRESS)
        raise Boom
    head_before = AuditEntry.objects.order_by("-chain_index").first()
    patient.phone = "+12025550197"
    patient.save()
    entry = _updates_of(patient)[-1]
    assert entry.chain_index == head_before.chain_index + 1
    assert entry.prev_hash == head_before.entry_hash
    assert verify_chain().intact


@pytest.mark.django_db
def test_entries_of_one_transaction_are_chained_in_the_order_of_the_changes(actor, case):
    with transaction.atomic(savepoint=False):
        services.case_transition(actor=actor, case=case, to_status=Status.IN_PROGRESS)
        services.case_assign(actor=actor, case=case, assignee=actor)
    mine = list(
        AuditEntry.objects.filter(case_pk=case.pk)
        .exclude(action=AuditEntry.Action.ACCESS)
        .order_by("chain_index")
    )
    indexes = [e.chain_index for e in mine]
    assert indexes == sorted(indexes) and len(set(indexes)) == len(indexes)
    updates = [e for e in mine if e.action == UPDATE and e.object_pk == str(case.pk)]
    status_change = next(e for e in updates if "status" in e.changes)
    assignment = next(e for e in updates if "assigned_to" in e.changes)
    assert status_change.chain_index < assignment.chain_index
    assert verify_chain().intact


# --- the "old" values from lock_case's row ------------------------------------------------------


@pytest.mark.django_db
def test_the_locked_row_spares_a_second_read_and_gives_the_same_diff(actor, case):
    services.case_transition(actor=actor, case=case, to_status=Status.IN_PROGRESS)
    entry = _updates_of(case)[-1]
    assert entry.changes["status"] == [Status.NEW, Status.IN_PROGRESS]


@pytest.mark.django_db
def test_a_row_changed_through_another_instance_is_read_again(actor, case):
    with transaction.atomic():
        locked = services.lock_case(case)  # remembered as it stands
        other = Case.objects.get(pk=case.pk)
        other.priority = Priority.URGENT
        other.save()  # the row changes under the remembered copy
        locked.subject = "Question about a statement (corrected)"
        locked.save()  # the old priority in memory: the diff must show urgent -> old
    entry = _updates_of(case)[-1]
    assert entry.changes["priority"] == [str(Priority.URGENT.value), str(case.priority)]
    assert "subject" in entry.changes


@pytest.mark.django_db
def test_a_save_with_auditing_off_uses_up_the_remembered_row(actor, case):
    with transaction.atomic():
        locked = services.lock_case(case)
        with disable_auditlog():
            locked.priority = Priority.HIGH
            locked.save()
        locked.priority = Priority.URGENT
        locked.save()
    entry = _updates_of(case)[-1]
    assert entry.changes["priority"] == [str(Priority.HIGH.value), str(Priority.URGENT.value)]  # not from the priority read at the lock


# --- a seal that fails: nothing commits ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("error", [DatabaseError("disk full"), RuntimeError("bug")])
def test_a_change_never_commits_without_its_entries(actor, case, monkeypatch, error):
    def fail(cls, entries, using):
        raise error

    monkeypatch.setattr(AuditEntry, "write_chained", classmethod(fail))
    with pytest.raises(type(error)):
        services.case_transition(actor=actor, case=case, to_status=Status.IN_PROGRESS)
    monkeypatch.undo()
    assert Case.objects.get(pk=case.pk).status == Status.NEW
    assert pending_count() == 0
    assert connection.get_autocommit()  # the connection is usable again
    services.case_transition(actor=actor, case=case, to_status=Status.IN_PROGRESS)
    assert _updates_of(case)[-1].changes["status"] == [Status.NEW, Status.IN_PROGRESS]
    assert verify_chain().intact


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_each_save_is_sealed_at_once(actor, patient):
    patient.phone = "+12025550196"
    patient.save()  # autocommit: auditlog's entry gets a block of its own
    assert pending_count() == 0
    assert _updates_of(patient)[-1].changes["phone"][1] == "+12025550196"
