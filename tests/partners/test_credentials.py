"""The credential services: service accounts, token issue (plaintext once, digest only), rotation
with a grace period, revocation; their refusals and their audit entries."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from knox.crypto import hash_token

from accounts.models import User
from accounts.roles import Role
from compliance.models import AuditEntry
from partners import credentials
from partners.models import PartnerOrganisation, ServiceToken
from tests.factories import UserFactory
from tests.partners.conftest import local_today, rows_containing

pytestmark = pytest.mark.django_db


def _code(error: ValidationError, field: str) -> str:
    return error.error_dict[field][0].code


class NewEntries:
    def __init__(self) -> None:
        head = AuditEntry.objects.order_by("-id").values_list("id", flat=True)
        self.after = head.first() if head.exists() else -1

    def get(self) -> list[AuditEntry]:
        return list(
            AuditEntry.objects.filter(id__gt=self.after)
            .select_related("content_type", "actor")
            .order_by("id")
        )


# --- service accounts -----------------------------------------------------------------------------


def test_service_account_create(administrator, organisation):
    entries = NewEntries()
    account = credentials.service_account_create(
        actor=administrator, organisation=organisation, username="svc-lakeside"
    )
    account.refresh_from_db()
    assert account.kind == User.Kind.SERVICE
    assert account.organisation == organisation
    assert not account.has_usable_password()
    assert not account.is_staff and not account.is_superuser and account.is_active
    assert list(account.groups.values_list("name", flat=True)) == [Role.PARTNER_SYSTEM]
    written = entries.get()
    assert {e.content_type.model for e in written} == {"user"}
    assert {e.actor for e in written} == {administrator}


def test_service_account_refusals(administrator, organisation, account):
    with pytest.raises(ValidationError) as caught:
        credentials.service_account_create(
            actor=administrator, organisation=organisation, username="SVC-lakeside"
        )
    assert _code(caught.value, "username") == "unique"

    organisation.active = False
    organisation.save()
    with pytest.raises(ValidationError) as caught:
        credentials.service_account_create(
            actor=administrator, organisation=organisation, username="svc-other"
        )
    assert _code(caught.value, "organisation") == "organisation_inactive"


def test_a_service_account_cannot_manage_credentials(account, organisation):
    with pytest.raises(ValidationError) as caught:
        credentials.service_account_create(
            actor=account, organisation=organisation, username="svc-self-made"
        )
    assert _code(caught.value, "actor") == "not_allowed"
    with pytest.raises(ValidationError):
        credentials.token_issue(actor=account, account=account, name="mine")


# --- issue ----------------------------------------------------------------------------------------


def test_issue_returns_the_plaintext_once_and_stores_only_the_digest(administrator, account):
    entries = NewEntries()
    token, plaintext = credentials.token_issue(
        actor=administrator, account=account, name="EHR interface"
    )
    assert plaintext.startswith("pc_") and len(plaintext) == 3 + 64
    stored = ServiceToken.objects.get(pk=token.pk)
    assert stored.digest == hash_token(plaintext)
    assert stored.created_by == administrator
    assert stored.user == account
    assert stored.name == "EHR interface"
    # default lifetime: settings.PARTNER_TOKEN_DAYS
    lifetime = stored.expiry - stored.created
    assert abs(lifetime - datetime.timedelta(days=365)) < datetime.timedelta(minutes=1)

    # The plaintext is nowhere in the database, and no token material is in the audit trail.
    assert rows_containing(plaintext) == []
    written = entries.get()
    assert [(e.content_type.model, e.action) for e in written] == [
        ("servicetoken", AuditEntry.Action.CREATE)
    ]
    (entry,) = written
    assert entry.actor == administrator
    assert entry.object_pk == str(token.pk)
    assert set(entry.changes) <= set(ServiceToken.AUDITED_FIELDS)
    assert "digest" not in entry.changes and "token_key" not in entry.changes
    for material in (plaintext, stored.digest, stored.token_key, plaintext[3:15]):
        assert not [
            e.pk
            for e in AuditEntry.objects.all()
            if material in f"{e.object_repr} {e.object_pk} {e.changes} {e.additional_data}"
        ]


def test_issue_with_days(administrator, account):
    token, _ = credentials.token_issue(actor=administrator, account=account, name="x", days=7)
    assert abs(token.expiry - timezone.now() - datetime.timedelta(days=7)) < datetime.timedelta(
        minutes=1
    )


@pytest.mark.parametrize("days", [0, -1, credentials.MAX_TOKEN_DAYS + 1, "30"])
def test_issue_refuses_impossible_lifetimes(administrator, account, days):
    with pytest.raises(ValidationError) as caught:
        credentials.token_issue(actor=administrator, account=account, name="x", days=days)
    assert _code(caught.value, "days") == "out_of_range"


def test_issue_refuses_a_blank_name(administrator, account):
    with pytest.raises(ValidationError) as caught:
        credentials.token_issue(actor=administrator, account=account, name="  ")
    assert "name" in caught.value.error_dict
    assert not ServiceToken.objects.exists()


def test_issue_refuses_people_and_inactive_accounts(administrator, account, role_groups):
    person = UserFactory(username="a-person")
    with pytest.raises(ValidationError) as caught:
        credentials.token_issue(actor=administrator, account=person, name="x")
    assert _code(caught.value, "account") == "not_service_account"

    loose = UserFactory(username="svc-loose", kind=User.Kind.SERVICE, is_staff=False)
    with pytest.raises(ValidationError) as caught:
        credentials.token_issue(actor=administrator, account=loose, name="x")
    assert _code(caught.value, "account") == "no_organisation"

    account.is_active = False
    account.save()
    with pytest.raises(ValidationError) as caught:
        credentials.token_issue(actor=administrator, account=account, name="x")
    assert _code(caught.value, "account") == "account_inactive"
    assert not ServiceToken.objects.exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"active": False}, "organisation_inactive"),
        ({"baa_effective_on": None}, "baa_missing"),
        ({"baa_expires_on": "past"}, "baa_expired"),
    ],
)
def test_issue_refuses_organisations_without_api_access(
    administrator, account, organisation, change, code
):
    today = local_today()
    if change.get("baa_expires_on") == "past":
        organisation.baa_effective_on = today - datetime.timedelta(days=400)
        change = {"baa_expires_on": today - datetime.timedelta(days=1)}
    PartnerOrganisation.objects.filter(pk=organisation.pk).update(**change)
    with pytest.raises(ValidationError) as caught:
        credentials.token_issue(actor=administrator, account=account, name="x")
    assert _code(caught.value, "account") == code
    assert not ServiceToken.objects.exists()


def test_issue_is_allowed_before_the_baa_takes_effect(administrator, account, organisation):
    today = local_today()
    PartnerOrganisation.objects.filter(pk=organisation.pk).update(
        baa_effective_on=today + datetime.timedelta(days=10),
        baa_expires_on=today + datetime.timedelta(days=400),
    )
    token, _ = credentials.token_issue(actor=administrator, account=account, name="prepare")
    assert token.pk


# --- rotate ---------------------------------------------------------------------------------------


def test_rotate_keeps_the_old_token_for_the_grace_period(administrator, issued):
    old, old_plaintext = issued
    entries = NewEntries()
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        new, plaintext = credentials.token_rotate(actor=administrator, token=old, grace_minutes=30)
    assert plaintext != old_plaintext
    assert new.name == old.name and new.user_id == old.user_id
    assert new.rotated_from_id == old.pk
    old.refresh_from_db()
    assert old.expiry == now + datetime.timedelta(minutes=30)
    assert old.revoked_at is None
    assert rows_containing(plaintext) == []
    written = entries.get()
    assert sorted((e.content_type.model, e.action, e.object_pk) for e in written) == sorted(
        [
            ("servicetoken", AuditEntry.Action.CREATE, str(new.pk)),
            ("servicetoken", AuditEntry.Action.UPDATE, str(old.pk)),
        ]
    )
    assert {e.actor for e in written} == {administrator}
    update = next(e for e in written if e.action == AuditEntry.Action.UPDATE)
    assert set(update.changes) == {"expiry"}


def test_rotate_never_extends_the_old_token(administrator, account):
    old, _ = credentials.token_issue(actor=administrator, account=account, name="x", days=1)
    expiry = old.expiry
    credentials.token_rotate(actor=administrator, token=old, grace_minutes=48 * 60)
    old.refresh_from_db()
    assert old.expiry == expiry


def test_rotate_refusals(administrator, issued):
    token, _ = issued
    credentials.token_rotate(actor=administrator, token=token, grace_minutes=10)
    with pytest.raises(ValidationError) as caught:
        credentials.token_rotate(actor=administrator, token=token)
    assert _code(caught.value, "token") == "already_rotated"

    with pytest.raises(ValidationError) as caught:
        credentials.token_rotate(actor=administrator, token=token, grace_minutes=-1)
    assert _code(caught.value, "grace_minutes") == "out_of_range"

    other, _ = credentials.token_issue(actor=administrator, account=token.user, name="other")
    credentials.token_revoke(actor=administrator, token=other)
    with pytest.raises(ValidationError) as caught:
        credentials.token_rotate(actor=administrator, token=other)
    assert _code(caught.value, "token") == "token_revoked"

    short, _ = credentials.token_issue(actor=administrator, account=token.user, name="s", days=1)
    later = timezone.now() + datetime.timedelta(days=2)
    with time_machine.travel(later, tick=False), pytest.raises(ValidationError) as caught:
        credentials.token_rotate(actor=administrator, token=short)
    assert _code(caught.value, "token") == "token_expired"


# --- revoke ---------------------------------------------------------------------------------------


def test_revoke_keeps_the_token_on_record(administrator, issued):
    token, _ = issued
    entries = NewEntries()
    credentials.token_revoke(actor=administrator, token=token)
    stored = ServiceToken.objects.get(pk=token.pk)
    assert stored.revoked_at is not None and stored.revoked_by == administrator
    assert stored.status() == "revoked"
    (entry,) = entries.get()
    assert (entry.content_type.model, entry.action, entry.actor) == (
        "servicetoken",
        AuditEntry.Action.UPDATE,
        administrator,
    )
    assert set(entry.changes) == {"revoked_at", "revoked_by"}
    assert stored.digest not in str(entry.changes)

    with pytest.raises(ValidationError) as caught:
        credentials.token_revoke(actor=administrator, token=stored)
    assert _code(caught.value, "token") == "already_revoked"


def test_revocation_must_name_who(issued):
    from django.db import IntegrityError, transaction

    token, _ = issued
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())


def test_str_never_shows_token_material(issued):
    token, plaintext = issued
    text = str(token)
    assert token.digest not in text and plaintext[:15] not in text
    assert text == f"EHR interface (token #{token.pk})"
