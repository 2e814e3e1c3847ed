"""The application's database role (docs/operations/database-roles.md): with the documented
grants it writes and seals the audit trail but cannot delete, update or re-chain it, nor disable
the triggers, nor purge; the system check says when the role in use could."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from cases import services
from cases.choices import Visibility
from compliance.checks import check_audit_tables_protected, runtime_role_problems
from compliance.models import AuditEntry, AuditSeal
from compliance.sealer import seal_pending
from tests.compliance.test_audit_trail import SEALS, TABLE, triggers_disabled

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's roles"),
]

DOC = Path(__file__).resolve().parents[2] / "docs" / "operations" / "database-roles.md"


def documented_grants(role: str) -> list[str]:
    """The runtime role's grants, as the operations page gives them."""
    text = DOC.read_text()
    block = re.search(r"<!-- runtime-grants -->\s*```sql\n(.*?)```", text, re.DOTALL)
    assert block, "the grants block of docs/operations/database-roles.md"
    statements = [s.strip() for s in block.group(1).split(";") if s.strip()]
    return [s.replace("patientcare_app", role) for s in statements]


@pytest.fixture
def as_runtime_role():
    """Create the documented runtime role (in the test's transaction, so it goes with it) and
    switch to it for the rest of the transaction."""
    role = f"pc_app_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        for statement in documented_grants(role):
            cursor.execute(statement)
        cursor.execute(f"SET LOCAL ROLE {role}")
    return role


def refused(sql: str, params=()) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError:
        return True
    return False


def test_the_runtime_role_writes_and_seals_but_cannot_rewrite(actor, case, as_runtime_role):
    services.case_add_note(actor=actor, case=case, body="n", visibility=Visibility.INTERNAL)
    assert seal_pending(single_writer=True) > 0  # the sealer runs as this role
    entry = AuditSeal.objects.order_by("-chain_index").first().entry_id

    assert refused(f"DELETE FROM {TABLE} WHERE id = %s", [entry])  # noqa: S608
    assert refused(f"UPDATE {TABLE} SET actor_id = NULL WHERE id = %s", [entry])  # noqa: S608
    assert refused(f"DELETE FROM {SEALS}")  # noqa: S608  (re-chaining starts here)
    assert refused(f"UPDATE {SEALS} SET entry_hash = %s", ["0" * 64])  # noqa: S608
    assert refused(f"TRUNCATE {SEALS}, {TABLE}")
    assert refused(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
    assert refused(f"ALTER TABLE {SEALS} DISABLE TRIGGER ALL")
    # the old bypass is gone: a session setting changes nothing
    assert refused(
        f"SET LOCAL patientcare.audit_purge = 'on'; DELETE FROM {TABLE} WHERE id = %s",  # noqa: S608
        [entry],
    )
    assert AuditEntry.objects.filter(pk=entry).exists()
    assert runtime_role_problems(connection) == []
    assert check_audit_tables_protected(databases=["default"]) == []


def test_the_purge_is_refused_to_the_runtime_role(actor, case, request):
    old = timezone.now() - timedelta(days=7 * 365)
    with triggers_disabled(), connection.cursor() as cursor:  # an old trail (as a superuser)
        cursor.execute(f"UPDATE {TABLE} SET timestamp = %s", [old])  # noqa: S608
    seal_pending(single_writer=True)
    request.getfixturevalue("as_runtime_role")
    with pytest.raises(CommandError, match="owner of the audit tables"):
        call_command("audit_purge", "--before", (old + timedelta(days=1)).date().isoformat())
    assert AuditEntry.objects.filter(timestamp=old).exists()


def test_the_check_warns_when_the_role_could_rewrite_the_trail(db):
    """The test suite's role is a superuser (and owns the tables)."""
    warnings = check_audit_tables_protected(databases=["default"])
    assert warnings and {warning.id for warning in warnings} == {"compliance.W001"}
    assert any("superuser" in warning.msg for warning in warnings)
