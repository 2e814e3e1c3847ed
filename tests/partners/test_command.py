"""manage.py partner_token: account, issue, rotate, revoke, list — as the system account; the
plaintext printed once, alone on stdout."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from knox.crypto import hash_token

from accounts.models import SYSTEM_USERNAME, User
from compliance.models import AuditEntry
from partners.models import ServiceToken
from tests.partners.conftest import rows_containing

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    stdout, stderr = StringIO(), StringIO()
    call_command("partner_token", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_account_issue_rotate_revoke_list(organisation, role_groups):
    head = AuditEntry.objects.order_by("-id").values_list("id", flat=True)
    after = head.first() if head.exists() else -1

    out, _ = run("account", "lakeside-ehr", "svc-cli")
    account = User.objects.get(username="svc-cli")
    assert account.kind == User.Kind.SERVICE and account.organisation == organisation
    assert "svc-cli" in out

    out, err = run("issue", "lakeside-ehr", "svc-cli", "--name", "nightly export", "--days", "30")
    plaintext = out.strip()
    assert plaintext.startswith("pc_") and "\n" not in plaintext
    assert "will not be shown again" in err and plaintext not in err
    token = ServiceToken.objects.get(user=account)
    assert token.digest == hash_token(plaintext)
    assert token.created_by.username == SYSTEM_USERNAME
    assert rows_containing(plaintext) == []

    out, _ = run("list", "lakeside-ehr")
    assert "nightly export" in out and plaintext not in out and token.digest not in out
    assert token.token_key not in out

    out, err = run("rotate", "lakeside-ehr", "svc-cli", "nightly export", "--grace-minutes", "5")
    rotated = out.strip()
    assert rotated.startswith("pc_") and rotated != plaintext
    new = ServiceToken.objects.get(rotated_from=token)
    assert new.digest == hash_token(rotated)

    out, _ = run("revoke", "lakeside-ehr", "svc-cli", str(token.pk))
    assert "revoked" in out
    token.refresh_from_db()
    assert token.revoked_by.username == SYSTEM_USERNAME

    out, _ = run("list", "--all")
    assert out.count("nightly export") == 2 and "revoked" in out
    out, _ = run("list")
    assert out.count("nightly export") == 1

    entries = AuditEntry.objects.filter(id__gt=after).select_related("actor")
    assert entries.exists()
    assert {entry.actor.username for entry in entries} == {SYSTEM_USERNAME}
    trail = " ".join(f"{e.object_repr} {e.changes}" for e in entries)
    for material in (plaintext, rotated, token.digest, new.digest, token.token_key):
        assert material not in trail


def test_refusals_are_command_errors(organisation, account, role_groups):
    with pytest.raises(CommandError, match="No partner organisation"):
        run("issue", "nobody", "svc-lakeside", "--name", "x")
    with pytest.raises(CommandError, match="no service account"):
        run("issue", "lakeside-ehr", "svc-nobody", "--name", "x")
    with pytest.raises(CommandError, match="between 1 and"):
        run("issue", "lakeside-ehr", "svc-lakeside", "--name", "x", "--days", "0")
    with pytest.raises(CommandError, match="no token"):
        run("revoke", "lakeside-ehr", "svc-lakeside", "missing")
    organisation.active = False
    organisation.save()
    with pytest.raises(CommandError, match="deactivated"):
        run("issue", "lakeside-ehr", "svc-lakeside", "--name", "x")
    assert not ServiceToken.objects.exists()


def test_an_account_of_another_organisation_is_not_found(organisation, account):
    from partners.models import PartnerOrganisation

    PartnerOrganisation.objects.create(name="Other", slug="other")
    with pytest.raises(CommandError, match="no service account"):
        run("issue", "other", "svc-lakeside", "--name", "x")
