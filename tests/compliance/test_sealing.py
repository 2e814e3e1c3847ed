"""Sealing (compliance/sealing.py): a transaction's audit entries are chained and written as its
atomic block ends — never lost, never written for a change that rolled back, always visible to the
transaction itself — and auditlog's "old" values come from the row ``lock_case`` read, but never
from a row that has changed since."""

from __future__ import annotations

import importlib
import re
import threading

import pytest
from auditlog.context import disable_auditlog
from django.db import DatabaseError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.choices import Priority, Status
from cases.models import Case
from compliance import append_function
from compliance.audit import verify_chain
from compliance.models import AuditEntry
from compliance.sealing import pending_count
from tests.factories import make_patient

UPDATE = AuditEntry.Action.UPDATE


class Boom(Exception):
    pass


def _another_phone(patient, digit: str) -> str:
    """A phone number the patient does not have yet (the factory numbers patients in sequence)."""
    for candidate in (f"+1312555010{digit}", f"+1415555010{digit}"):
        if str(patient.phone) != candidate:
            return candidate
    raise AssertionError("unreachable")


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
        patient.phone = _another_phone(patient, "9")
        patient.save()
        assert pending_count() == 1  # not written yet: the block has not ended
        entries = _updates_of(patient)  # a query of the trail seals first
        assert pending_count() == 0
    assert [e.changes["phone"][1] for e in entries] == [patient.phone]


@pytest.mark.django_db
def test_a_rolled_back_savepoint_drops_its_pending_entries(actor, patient):
    before = AuditEntry.objects.count()
    with pytest.raises(Boom), transaction.atomic():
        patient.phone = _another_phone(patient, "8")
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
    patient.phone = _another_phone(patient, "7")
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
    assert entry.changes["priority"] == [
        str(Priority.HIGH.value),
        str(Priority.URGENT.value),
    ]  # not from the priority read at the lock


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
    patient.phone = _another_phone(patient, "6")
    patient.save()  # autocommit: auditlog's entry gets a block of its own
    assert pending_count() == 0
    assert _updates_of(patient)[-1].changes["phone"][1] == patient.phone


# --- PostgreSQL: the head of the last commit, checked under the lock in the same round trip -------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one-round-trip seal is PostgreSQL's"
)


def _queries_of(work) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        work()
    return [query["sql"] for query in ctx.captured_queries]


def _in_another_connection(work) -> None:
    """Run ``work`` in a thread, which has a connection (and a transaction) of its own."""
    errors = []

    def run():
        try:
            work()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert not errors, errors


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_after_a_commit_the_next_seal_is_one_round_trip(actor, case):
    services.case_transition(actor=actor, case=case, to_status=Status.IN_PROGRESS)
    queries = _queries_of(lambda: services.case_assign(actor=actor, case=case, assignee=actor))
    audit = _audit_queries(queries)
    # One call of compliance_audit_append_if_head: lock, head check and INSERT of both entries.
    assert len(audit) == 1, audit
    assert append_function.NAME in audit[0]
    assert verify_chain().intact
    assert AuditEntry.objects.filter(object_pk=str(case.pk)).count() >= 2


def _audit_queries(queries: list[str]) -> list[str]:
    return [sql for sql in queries if "compliance_auditentry" in sql or append_function.NAME in sql]


@postgresql_only
@pytest.mark.django_db
def test_the_installed_append_function_matches_the_model():
    """A migration that changes AuditEntry's columns must create the function again
    (compliance/append_function.py); this fails until it does."""
    from compliance.models import AUDIT_CHAIN_LOCK_KEY

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_functiondef(%s::regprocedure)", [append_function.SIGNATURE])
        installed = cursor.fetchone()[0]
    # The same columns as the model (in the migration state's order), inserted and selected.
    inserted = re.search(r'INSERT INTO "compliance_auditentry" \(([^)]*)\)', installed).group(1)
    assert f"SELECT {inserted} FROM jsonb_populate_recordset" in installed  # noqa: S608
    names = [name.strip().strip('"') for name in inserted.split(",")]
    assert sorted(names) == sorted(append_function.columns(AuditEntry))
    assert f"pg_advisory_xact_lock({AUDIT_CHAIN_LOCK_KEY:d})" in installed
    migration = importlib.import_module("compliance.migrations.0007_audit_append_function")
    assert migration.AUDIT_CHAIN_LOCK_KEY == AUDIT_CHAIN_LOCK_KEY


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("appended_elsewhere", [1, 2, 3])
def test_a_head_moved_by_another_writer_is_noticed_and_the_chain_stays_whole(
    actor, case, other_agent, appended_elsewhere
):
    services.case_transition(actor=actor, case=case, to_status=Status.IN_PROGRESS)
    # Another connection appends 1, 2 or 3 entries after the head this connection remembers;
    # this connection then appends two (the case's change and its timeline event).
    other = make_patient(actor=actor)

    def elsewhere():
        for n in range(appended_elsewhere):
            services.patient_update(actor=actor, patient=other, phone=f"+1617555{n:04d}")

    _in_another_connection(elsewhere)
    queries = _queries_of(
        lambda: services.case_assign(actor=actor, case=case, assignee=other_agent)
    )
    audit = _audit_queries(queries)
    assert len(audit) == 3  # the conditional append wrote nothing; the head read; the INSERT
    assert append_function.NAME in audit[0]
    assert _updates_of(case)[-1].changes["assigned_to"][1] == str(other_agent.pk)
    assert verify_chain().intact


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_remembered_head_that_is_not_in_the_trail_is_never_chained_onto(actor, case):
    services.case_transition(actor=actor, case=case, to_status=Status.IN_PROGRESS)
    wrapper = connections["default"]
    index, _hash = wrapper.__dict__["_audit_committed_head"]
    wrapper.__dict__["_audit_committed_head"] = (index, "f" * 64)  # as after a restore
    services.case_assign(actor=actor, case=case, assignee=actor)
    assert verify_chain().intact
    wrapper.__dict__["_audit_committed_head"] = (index + 1000, "0" * 64)  # ahead: a gap
    services.case_transition(actor=actor, case=case, to_status=Status.WAITING_ON_PATIENT)
    assert verify_chain().intact
