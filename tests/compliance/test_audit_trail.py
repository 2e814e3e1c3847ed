"""The audit trail (docs/architecture/audit.md): who did it, append-only, hash chain, purge."""

from __future__ import annotations

import contextlib
import json
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.utils import timezone

from accounts.models import SYSTEM_USERNAME
from cases import services
from cases.choices import Channel, Visibility
from cases.models import Case, Patient
from compliance import append_only
from compliance.audit import purge_before
from compliance.models import AuditEntry, AuditSeal, ChainVerification
from compliance.verify import verify_chain
from partners.models import PartnerOrganisation
from tests.conftest import seal_committed, seal_now
from tests.factories import UserFactory, make_case, make_patient

pytestmark = pytest.mark.django_db

TABLE = AuditEntry._meta.db_table
SEALS = AuditSeal._meta.db_table


def entries_for(obj):
    return AuditEntry.objects.get_for_object(obj).order_by("id")


@contextlib.contextmanager
def triggers_disabled():
    """Tamper with the tables as an attacker with DDL rights (a superuser) would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events
            for table in (TABLE, SEALS):
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
    if connection.vendor != "postgresql":
        append_only.disable(connection)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for table in (TABLE, SEALS):
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER ALL")
        if connection.vendor != "postgresql":
            append_only.enable(connection)


def reseal():
    """Chain the whole trail again (after tampering with the entries), as a superuser could."""
    with triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {SEALS}")  # noqa: S608
    seal_now()


def verify(*args) -> tuple[int, str, str]:
    out, err = [], []

    class Sink:
        def __init__(self, into):
            self.into = into

        def write(self, text):
            self.into.append(text)

        def flush(self):
            pass

    try:
        call_command("audit_verify", *args, stdout=Sink(out), stderr=Sink(err))
    except CommandError as exc:
        return exc.returncode, "".join(out), str(exc)
    return 0, "".join(out), "".join(err)


@pytest.fixture
def trail(actor, category):
    """A few dozen entries from real service calls."""
    patient = make_patient(actor)
    for n in range(3):
        case = make_case(actor=actor, category=category, patient=patient)
        services.case_add_note(actor=actor, case=case, body=f"n{n}", visibility=Visibility.INTERNAL)
    seal_now()
    return list(AuditSeal.objects.values_list("chain_index", flat=True))


# --- the actor ----------------------------------------------------------------------------------


def test_service_writes_are_audited_as_the_services_actor(actor, other_agent, category):
    patient = services.patient_create(
        actor=actor, given_name="Ada", family_name="Lovelace", date_of_birth="1980-01-01"
    )
    case = services.case_open(
        actor=other_agent,
        patient=patient,
        category=category,
        subject="s",
        description="d",
        channel=Channel.SMS,
    )
    services.case_assign(actor=actor, case=case, assignee=other_agent)

    (created,) = entries_for(patient)
    assert (created.action, created.actor) == (AuditEntry.Action.CREATE, actor)
    opened, assigned = entries_for(case)
    assert (opened.action, opened.actor) == (AuditEntry.Action.CREATE, other_agent)
    assert (assigned.action, assigned.actor) == (AuditEntry.Action.UPDATE, actor)
    assert "assigned_to" in assigned.changes
    event = case.events.get(kind="opened")
    assert entries_for(event).get().actor == other_agent
    assert not AuditEntry.objects.filter(actor__isnull=True).exists()


def test_admin_save_is_audited_as_the_request_user(admin_client, admin_user):
    response = admin_client.post(
        "/admin/partners/partnerorganisation/add/",
        {"name": "Acme EHR", "slug": "acme-ehr", "kind": "ehr", "active": "on"},
    )
    assert response.status_code == 302, response.content[:2000]
    organisation = PartnerOrganisation.objects.get(slug="acme-ehr")
    created = entries_for(organisation).get()
    assert created.action == AuditEntry.Action.CREATE
    assert created.actor == admin_user
    assert created.remote_addr == "127.0.0.1"


def test_password_is_masked(actor):
    actor.set_password("a-new-long-password-1")
    actor.save()
    change = entries_for(actor).filter(action=AuditEntry.Action.UPDATE).last()
    _old, new = change.changes["password"]
    assert "a-new" not in new
    assert "*" in new


def test_a_management_command_acts_as_the_system_account(actor):
    call_command("audit_seal", stdout=open("/dev/null", "w"))  # noqa: SIM115
    system_entries = AuditEntry.objects.filter(actor__username=SYSTEM_USERNAME)
    # creating the system account itself is the first thing the system actor writes
    assert system_entries.exists()
    assert not AuditEntry.objects.filter(actor__isnull=True).exists()


def test_writes_without_any_actor_fall_back_to_the_system_account(db):
    user = UserFactory(username="made-by-fixture")
    assert entries_for(user).get().actor.username == SYSTEM_USERNAME


# --- append-only --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE {TABLE} SET object_repr = 'x'",  # noqa: S608
        f"DELETE FROM {TABLE}",  # noqa: S608
        f"UPDATE {SEALS} SET entry_hash = 'x'",  # noqa: S608
        f"DELETE FROM {SEALS}",  # noqa: S608
    ],
)
def test_the_database_refuses_update_and_delete(trail, statement):
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():  # noqa: SIM117
        with connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEntry.objects.count() == AuditSeal.objects.count() == len(trail)


@pytest.mark.parametrize("table", [TABLE, SEALS])
def test_postgresql_refuses_truncate(trail, table):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} CASCADE")
    assert AuditEntry.objects.count() == AuditSeal.objects.count() == len(trail)


def test_the_model_refuses_changes(trail):
    entry = AuditEntry.objects.first()
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
    with pytest.raises(ValueError, match="append-only"):
        AuditSeal.objects.first().delete()


# --- the chain ----------------------------------------------------------------------------------


def entry_at(index: int) -> int:
    return AuditSeal.objects.get(chain_index=index).entry_id


def test_an_intact_chain_verifies(trail):
    assert trail == list(range(len(trail)))
    code, out, err = verify("--progress-every", "5", "--batch-size", "7")
    assert code == 0
    # the trail; the entry recording that this verification started is not sealed yet
    assert f"intact: {len(trail)} entries" in out
    assert "1 entries not sealed yet" in out
    assert "verified 5 entries" in err
    run = ChainVerification.objects.get()
    assert (run.source, run.intact, run.checked, run.unsealed) == ("command", True, len(trail), 1)
    assert run.requested_by.username == SYSTEM_USERNAME


def test_an_altered_payload_is_found(trail):
    target = trail[len(trail) // 2]
    with triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET object_repr = 'forged' WHERE id = %s",  # noqa: S608
            [entry_at(target)],
        )
    code, _, message = verify()
    assert code == 1
    assert f"chain_index {target} (entry id {entry_at(target)})" in message
    assert "altered" in message
    run = ChainVerification.objects.get()  # the finding is kept for the compliance pages
    assert (run.intact, run.broken_at, run.checked) == (False, target, target)
    assert "altered" in run.reason


def test_a_deleted_row_is_found(trail):
    target = trail[5]
    with triggers_disabled(), connection.cursor() as cursor:
        entry = entry_at(target)
        cursor.execute(f"DELETE FROM {SEALS} WHERE chain_index = %s", [target])  # noqa: S608
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [entry])  # noqa: S608
    code, _, message = verify()
    assert code == 1
    assert f"chain_index {target + 1} " in message
    assert f"entries {target}..{target} are missing" in message


def test_a_deleted_seal_is_found(trail):
    """The entry is still there, left out of a chain that goes on after it."""
    target = trail[5]
    entry = entry_at(target)
    with triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {SEALS} WHERE chain_index >= %s", [target])  # noqa: S608
    code, _, message = verify()
    assert code == 0  # a shorter chain, and entries waiting for the sealer
    seal_now()  # the sealer seals them again, from where the chain ends
    assert verify()[0] == 0
    with triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {SEALS} WHERE chain_index = %s", [target])  # noqa: S608
        cursor.execute(
            f"UPDATE {SEALS} SET chain_index = chain_index - 1 WHERE chain_index > %s",  # noqa: S608
            [target],
        )
    code, _, message = verify()
    assert code == 1
    assert f"chain_index {target} " in message  # its successor no longer follows from it
    assert entry != entry_at(target)


def test_a_swapped_order_is_found(trail):
    first, second = trail[3], trail[4]
    a, b = entry_at(first), entry_at(second)
    with triggers_disabled(), connection.cursor() as cursor:
        sql = f"UPDATE {SEALS} SET entry_id = %s WHERE chain_index = %s"  # noqa: S608
        cursor.execute(sql, [10**12, first])
        cursor.execute(sql, [a, second])
        cursor.execute(sql, [b, first])
    code, _, message = verify()
    assert code == 1
    assert f"chain_index {first} " in message


def test_the_signed_anchor_detects_truncation_of_the_newest_entries(trail, settings):
    call_command("audit_anchor", stdout=open("/dev/null", "w"))  # noqa: SIM115
    anchored = json.loads(open(settings.AUDIT_ANCHOR_FILE).read().splitlines()[-1])  # noqa: SIM115
    assert anchored["chain_index"] == trail[-1]
    code, out, _ = verify()
    assert code == 0
    assert f"compared with the signed anchor of {anchored['anchored_at']} at entry" in out
    with triggers_disabled(), connection.cursor() as cursor:
        cut = anchored["chain_index"] - 2
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE id IN "  # noqa: S608
            f"(SELECT entry_id FROM {SEALS} WHERE chain_index >= %s)",
            [cut],
        )
        cursor.execute(f"DELETE FROM {SEALS} WHERE chain_index >= %s", [cut])  # noqa: S608
    report = verify_chain()
    assert report.intact  # what is left is a valid chain on its own...
    code, _, message = verify()
    assert code == 1  # ...but not the one anchored outside the database
    assert f"chain_index {anchored['chain_index']}" in message
    assert "anchored head is missing" in message


# --- retention purge ----------------------------------------------------------------------------


def test_the_purge_refuses_a_young_cutoff(trail, actor):
    with pytest.raises(ValidationError):
        purge_before(timezone.now() - timedelta(days=365), actor=actor)
    assert AuditEntry.objects.count() == len(trail)


def test_the_purge_keeps_the_rest_verifiable_and_audits_itself(trail, actor):
    cut = trail[10]
    old = timezone.now() - timedelta(days=7 * 365)
    with triggers_disabled(), connection.cursor() as cursor:  # age the first entries
        cursor.execute(
            f"UPDATE {TABLE} SET timestamp = %s WHERE id IN "  # noqa: S608
            f"(SELECT entry_id FROM {SEALS} WHERE chain_index <= %s)",
            [old, cut],
        )
    reseal()  # so that the chain is intact before the purge
    assert verify_chain().intact

    deleted = call_purge(old + timedelta(days=1))

    assert deleted == cut + 1
    assert AuditSeal.objects.order_by("chain_index")[0].chain_index == cut + 1
    checkpoint = AuditEntry.objects.filter(seal__isnull=True).get()
    assert checkpoint.actor.username == SYSTEM_USERNAME
    assert checkpoint.additional_data["checkpoint"]["purged_through"] == cut
    seal_now()
    report = verify_chain()
    assert report.intact, report.reason
    assert report.checked == len(trail) - cut  # the rest plus the checkpoint
    assert verify()[0] == 0


def call_purge(cutoff) -> int:
    out = []

    class Sink:
        def write(self, text):
            out.append(text)

        def flush(self):
            pass

    call_command("audit_purge", "--before", cutoff.date().isoformat(), stdout=Sink())
    return int("".join(out).split()[1])


def test_a_missing_prefix_without_checkpoint_is_found(trail):
    with triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {SEALS} WHERE chain_index < 3")  # noqa: S608
    code, _, message = verify()
    assert code == 1
    assert "chain_index 3 " in message


# --- concurrency --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_make_a_gap_free_chain(category):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; threads share its in-memory test database")
    agents = [UserFactory(username=f"writer-{n}") for n in range(10)]
    patient = make_patient(agents[0])
    barrier = threading.Barrier(len(agents))
    errors = []

    def write(agent):
        try:
            barrier.wait(timeout=10)
            for _ in range(2):
                make_case(actor=agent, category=category, patient=patient)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert Case.objects.count() == 20
    seal_committed()
    indexes = list(AuditSeal.objects.values_list("chain_index", flat=True))
    assert indexes == list(range(AuditEntry.objects.count()))
    assert verify_chain().intact
    assert Patient.objects.count() == 1
