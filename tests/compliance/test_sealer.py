"""The sealer (compliance/sealer.py, docs/architecture/audit.md "Sealing"): committed entries are
chained after the fact, in a well-defined order, never past a transaction still in flight, each
once; and the signed anchors (compliance/anchor.py) that catch a rewritten chain."""

from __future__ import annotations

import base64
import json
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.db import connection, connections, transaction

from cases import services
from cases.choices import Visibility
from cases.models import Case
from compliance.anchor import AnchorError, latest_anchor, write_anchor
from compliance.models import AuditEntry, AuditSeal, ChainVerification
from compliance.sealer import seal_pending, unsealed_count
from compliance.verify import verify_chain
from tests.compliance.test_audit_trail import SEALS, TABLE, triggers_disabled, verify
from tests.conftest import seal_committed, seal_now
from tests.factories import UserFactory, make_case, make_patient

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="threads share SQLite's in-memory test database; SQLite has one writer at a time",
)


def chain_of(entries) -> list[int]:
    return list(
        AuditSeal.objects.filter(entry__in=entries)
        .order_by("chain_index")
        .values_list("entry_id", flat=True)
    )


# --- the order, and transactions in flight -------------------------------------------------------


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_started_first_but_commits_last_is_still_sealed(category):
    """A writes first (its transaction id is the older) and commits last; B writes and commits in
    between. The sealer must not seal B's entries while A is in flight — A's would then come after
    them, out of order, or be skipped — and seals both, A's first, once A commits."""
    agent = UserFactory(username="first-writer")
    patient = make_patient(agent)
    seal_committed()
    a_wrote, a_may_commit, errors = threading.Event(), threading.Event(), []

    def writer_a():
        try:
            with transaction.atomic():
                make_case(actor=agent, category=category, patient=patient, subject="A")
                a_wrote.set()
                assert a_may_commit.wait(timeout=30)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer_a)
    thread.start()
    assert a_wrote.wait(timeout=30)
    make_case(actor=agent, category=category, patient=patient, subject="B")  # commits at once
    b_entries = AuditEntry.objects.filter(seal__isnull=True)
    assert b_entries.exists()  # B's, committed; A's are not visible yet

    seal_pending()
    assert not AuditSeal.objects.filter(entry__in=b_entries).exists()  # A is still in flight

    a_may_commit.set()
    thread.join(timeout=30)
    assert not errors
    seal_committed()

    assert unsealed_count() == 0
    opened = {case.subject: case for case in Case.objects.filter(subject__in=["A", "B"])}
    a_ids = set(AuditEntry.objects.filter(case_pk=opened["A"].pk).values_list("id", flat=True))
    b_ids = set(AuditEntry.objects.filter(case_pk=opened["B"].pk).values_list("id", flat=True))
    order = chain_of(AuditEntry.objects.filter(id__in=a_ids | b_ids))
    assert set(order[: len(a_ids)]) == a_ids  # A's transaction id is the older: A first
    assert set(order[len(a_ids) :]) == b_ids
    assert min(a_ids) < min(b_ids)  # and A wrote first
    report = verify_chain()
    assert report.intact, report.reason
    assert report.checked == AuditEntry.objects.count()


def test_entries_are_sealed_in_the_order_of_their_transactions(actor, case, seal_audit):
    seal_audit()
    services.case_add_note(actor=actor, case=case, body="one", visibility=Visibility.INTERNAL)
    services.case_add_note(actor=actor, case=case, body="two", visibility=Visibility.INTERNAL)
    waiting = list(AuditEntry.objects.filter(seal__isnull=True).order_by("xact_id", "id"))
    assert waiting and all(entry.chain_index is None for entry in waiting)
    assert seal_audit() == len(waiting)
    assert chain_of(waiting) == [entry.pk for entry in waiting]
    assert seal_audit() == 0  # nothing twice
    assert verify_chain().intact


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_entry(actor, category):
    case = make_case(actor=actor, category=category)
    seal_committed()
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.case_add_note(actor=actor, case=case, body="gone", visibility=Visibility.INTERNAL)
        assert AuditEntry.objects.count() > before  # written in the transaction...
        raise RuntimeError("roll back")
    assert AuditEntry.objects.count() == before  # ...and gone with it
    services.case_add_note(actor=actor, case=case, body="kept", visibility=Visibility.INTERNAL)
    seal_committed()
    report = verify_chain()
    assert report.intact, report.reason
    assert report.checked == AuditEntry.objects.count() == AuditSeal.objects.count()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_sealers_at_once_seal_each_entry_once(actor, category):
    patient = make_patient(actor)
    for _ in range(30):
        make_case(actor=actor, category=category, patient=patient)
    waiting = AuditEntry.objects.filter(seal__isnull=True).count()
    assert waiting > 60
    barrier = threading.Barrier(2)
    sealed, errors = [], []

    def sealer():
        try:
            barrier.wait(timeout=10)
            total = 0
            for _ in range(600):  # other databases' transactions may hold the horizon back
                total += seal_pending(limit=20)
                if not unsealed_count():
                    break
            sealed.append(total)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sealer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors
    assert sum(sealed) == waiting
    assert AuditSeal.objects.count() == AuditEntry.objects.count()  # each entry once
    indexes = list(AuditSeal.objects.values_list("chain_index", flat=True))
    assert indexes == list(range(len(indexes)))
    assert verify_chain().intact


@postgresql_only
def test_a_sealer_that_does_not_wait_leaves_the_work_to_the_one_at_it(actor, case):
    """The beat task does not queue behind a sealer still at work."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x5043415544495431])
            assert seal_pending(wait=False) == 0
            cursor.execute("ROLLBACK")
    finally:
        other.close()


def test_the_command_and_the_timers_run_the_sealer(actor, case, capsys):
    call_command("audit_seal")
    out = capsys.readouterr().out
    assert out.startswith("Sealed ") and "not sealed yet" in out
    call_command("run_timers", "--once")
    assert "seal-audit-entries" in capsys.readouterr().out


# --- anchors ----------------------------------------------------------------------------------


def test_an_anchor_is_signed_and_read_back(actor, case, settings):
    seal_now()
    record = write_anchor()
    head = AuditSeal.objects.order_by("-chain_index").first()
    assert (record["chain_index"], record["entry_hash"]) == (head.chain_index, head.entry_hash)
    anchor = latest_anchor()
    assert (anchor.chain_index, anchor.entry_hash) == (head.chain_index, head.entry_hash)
    assert Path(settings.AUDIT_ANCHOR_KEY_FILE).stat().st_mode & 0o077 == 0  # owner only


def _rewrite_last_anchor(path: Path, **changes) -> None:
    lines = path.read_text().splitlines()
    record = json.loads(lines[-1])
    record.update(changes)
    lines[-1] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("forgery", ["moved", "other key", "garbled"])
def test_a_broken_anchor_is_found(actor, case, settings, forgery):
    seal_now()
    write_anchor()
    path = Path(settings.AUDIT_ANCHOR_FILE)
    if forgery == "moved":  # pointed at an older entry, the signature left as it was
        _rewrite_last_anchor(path, chain_index=1)
    elif forgery == "other key":  # signed, but not by the deployment's key
        record = json.loads(path.read_text().splitlines()[-1])
        message = json.dumps(
            {k: record[k] for k in ("anchored_at", "chain_index", "entry_hash", "key_id")},
            sort_keys=True,
            separators=(",", ":"),
        ).encode()
        signature = Ed25519PrivateKey.generate().sign(message)
        _rewrite_last_anchor(path, signature=base64.b64encode(signature).decode())
    else:
        path.write_text(path.read_text() + "{not json\n")
    with pytest.raises(AnchorError):
        latest_anchor()
    code, _, message = verify()
    assert code == 1
    assert "anchor" in message and "intact" not in message
    run = ChainVerification.objects.get()
    assert run.intact is False and run.anchor.startswith("not compared")


def test_a_rechained_trail_is_reported_against_the_last_anchor(actor, case):
    """A superuser re-attributes an entry and seals the whole trail again: a valid chain on its
    own, but not the one signed outside the database."""
    seal_now()
    call_command("audit_anchor", stdout=open("/dev/null", "w"))  # noqa: SIM115
    anchored = latest_anchor()
    victim = AuditSeal.objects.get(chain_index=2).entry_id
    intruder = UserFactory(username="intruder")
    with triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET actor_id = %s WHERE id = %s",  # noqa: S608
            [intruder.pk, victim],
        )
        cursor.execute(f"DELETE FROM {SEALS}")  # noqa: S608
    seal_now()  # re-chained
    assert verify_chain().intact  # consistent in itself
    code, _, message = verify()
    assert code == 1
    assert f"chain_index {anchored.chain_index}" in message
    assert "differs from the anchored head (the chain was rewritten)" in message
    assert f"compared with the signed anchor of {anchored.anchored_at}" in message
