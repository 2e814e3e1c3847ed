"""The partner admin: organisations with BAA dates and allowed categories, service accounts
created through the service, and the Issue / Rotate / Revoke actions (plaintext shown once, on a
page that is not cached; only with partners.change_partnerorganisation)."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.sessions.models import Session
from django.urls import reverse
from knox.crypto import hash_token

from accounts.models import User
from accounts.roles import Role
from compliance.models import AuditEntry
from partners import credentials
from partners.models import ServiceToken
from tests.factories import CategoryFactory, UserFactory
from tests.partners.conftest import rows_containing

pytestmark = pytest.mark.django_db

PLAINTEXT = re.compile(r"pc_[0-9a-f]{64}")
ACCOUNTS = reverse("admin:partners_serviceaccount_changelist")
TOKENS = reverse("admin:partners_servicetoken_changelist")


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def person_with_role(client, role_groups):
    def make(role: str | None):
        user = UserFactory(username=f"person-{role or 'none'}".replace(" ", "-").lower())
        if role:
            user.groups.add(role_groups[role])
        client.force_login(user)
        return client

    return make


def _issue(client, account, **data):
    return client.post(
        ACCOUNTS,
        {"action": "issue_token", ACTION_CHECKBOX_NAME: [account.pk], "apply": "yes", **data},
    )


# --- organisations --------------------------------------------------------------------------------


def test_organisation_page_shows_baa_categories_and_accounts(admin_client, organisation, account):
    response = admin_client.get(
        reverse("admin:partners_partnerorganisation_change", args=[organisation.pk])
    )
    assert response.status_code == 200
    body = response.content.decode()
    for field in ("baa_effective_on", "baa_expires_on", "allowed_categories"):
        assert f'name="{field}"' in body
    assert "selectfilter" in body.lower()  # filter_horizontal
    assert "Allowed (BAA in force)" in body
    assert "svc-lakeside" in body


def test_organisation_list_says_why_access_is_refused(admin_client, organisation):
    organisation.baa_effective_on = None
    organisation.save()
    response = admin_client.get(reverse("admin:partners_partnerorganisation_changelist"))
    assert "baa_missing" in response.content.decode()


def test_saving_an_organisation_with_its_categories(admin_client, organisation, account):
    category = CategoryFactory()
    url = reverse("admin:partners_partnerorganisation_change", args=[organisation.pk])
    data = {
        "name": organisation.name,
        "slug": organisation.slug,
        "kind": organisation.kind,
        "active": "on",
        "baa_effective_on": "2026-01-01",
        "baa_expires_on": "2026-12-31",
        "allowed_categories": [category.pk],
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    organisation.refresh_from_db()
    assert list(organisation.allowed_categories.all()) == [category]

    data["baa_expires_on"] = "2025-12-31"  # before the effective date
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "The BAA must expire after its effective date." in response.content.decode()


# --- service accounts -----------------------------------------------------------------------------


def test_create_a_service_account(admin_client, administrator, organisation):
    response = admin_client.post(
        reverse("admin:partners_serviceaccount_add"),
        {"organisation": organisation.pk, "username": "svc-from-admin"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    account = User.objects.get(username="svc-from-admin")
    assert account.kind == User.Kind.SERVICE and account.organisation == organisation
    assert not account.has_usable_password() and not account.is_staff
    assert account.groups.filter(name=Role.PARTNER_SYSTEM).exists()
    entry = AuditEntry.objects.filter(content_type__model="user", object_pk=str(account.pk)).first()
    assert entry.actor == administrator


def test_the_service_account_list_shows_only_service_accounts(admin_client, account):
    body = admin_client.get(ACCOUNTS).content.decode()
    assert "svc-lakeside" in body and "partners-admin" not in body


# --- issue ----------------------------------------------------------------------------------------


def test_issue_asks_for_a_name_then_shows_the_token_once(admin_client, administrator, account):
    page = admin_client.post(
        ACCOUNTS, {"action": "issue_token", ACTION_CHECKBOX_NAME: [account.pk], "index": "0"}
    )
    assert page.status_code == 200
    assert 'name="name"' in page.content.decode()
    assert not ServiceToken.objects.exists()

    response = _issue(admin_client, account, name="Portal sync", days="90")
    assert response.status_code == 200
    body = response.content.decode()
    (plaintext,) = set(PLAINTEXT.findall(body))
    assert "it will not be\n  shown again" in body or "will not be shown again" in " ".join(
        body.split()
    )
    assert "no-store" in response["Cache-Control"]
    token = ServiceToken.objects.get()
    assert token.digest == hash_token(plaintext)
    assert token.created_by == administrator and token.name == "Portal sync"
    assert token.digest not in body
    # never stored: not in the database (sessions and messages included), not in a cookie
    assert rows_containing(plaintext) == []
    assert all(plaintext not in session.session_data for session in Session.objects.all())
    assert all(plaintext not in morsel.value for morsel in response.cookies.values())
    # the next page does not show it again
    assert not PLAINTEXT.search(admin_client.get(TOKENS).content.decode())


def test_issue_reports_refusals(admin_client, account, organisation):
    organisation.active = False
    organisation.save()
    response = _issue(admin_client, account, name="x")
    assert response.status_code == 200
    assert "deactivated" in response.content.decode()
    assert not PLAINTEXT.search(response.content.decode())
    assert not ServiceToken.objects.exists()


# --- tokens: list, rotate, revoke -----------------------------------------------------------------


def test_token_pages_never_show_the_digest_or_key(admin_client, issued):
    token, plaintext = issued
    for url in (TOKENS, reverse("admin:partners_servicetoken_change", args=[token.pk])):
        response = admin_client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert "EHR interface" in body
        for material in (token.digest, token.token_key, plaintext):
            assert material not in body
    account_page = admin_client.get(
        reverse("admin:partners_serviceaccount_change", args=[token.user_id])
    ).content.decode()
    assert "EHR interface" in account_page and token.digest not in account_page


def test_rotate_action(admin_client, administrator, issued):
    token, old_plaintext = issued
    data = {"action": "rotate_tokens", ACTION_CHECKBOX_NAME: [token.pk]}
    page = admin_client.post(TOKENS, {**data, "index": "0"})
    assert 'name="grace_minutes"' in page.content.decode()
    response = admin_client.post(TOKENS, {**data, "apply": "yes", "grace_minutes": "15"})
    assert response.status_code == 200
    (plaintext,) = set(PLAINTEXT.findall(response.content.decode()))
    assert plaintext != old_plaintext
    new = ServiceToken.objects.get(rotated_from=token)
    assert new.digest == hash_token(plaintext) and new.created_by == administrator
    assert "no-store" in response["Cache-Control"]


def test_revoke_action_asks_for_confirmation(admin_client, administrator, issued):
    token, _ = issued
    data = {"action": "revoke_tokens", ACTION_CHECKBOX_NAME: [token.pk]}
    page = admin_client.post(TOKENS, {**data, "index": "0"})
    assert page.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is None
    response = admin_client.post(TOKENS, {**data, "apply": "yes", "confirm": "on"})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_by == administrator
    entry = AuditEntry.objects.filter(
        content_type__model="servicetoken", object_pk=str(token.pk), action=AuditEntry.Action.UPDATE
    ).get()
    assert entry.actor == administrator and set(entry.changes) == {"revoked_at", "revoked_by"}


# --- permissions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [None, Role.AGENT, Role.COMPLIANCE_OFFICER, Role.SUPERVISOR])
def test_only_partner_administrators_issue_rotate_or_revoke(
    person_with_role, issued, account, role
):
    token, _ = issued
    client = person_with_role(role)
    may_view = role in (Role.COMPLIANCE_OFFICER, Role.SUPERVISOR)
    listing = client.get(TOKENS)
    assert listing.status_code == (200 if may_view else 403)
    if may_view:
        assert "revoke_tokens" not in listing.content.decode()  # no actions offered

    issue = _issue(client, account, name="sneaky")
    rotate = client.post(
        TOKENS,
        {
            "action": "rotate_tokens",
            ACTION_CHECKBOX_NAME: [token.pk],
            "apply": "yes",
            "grace_minutes": "0",
        },
    )
    revoke = client.post(
        TOKENS,
        {
            "action": "revoke_tokens",
            ACTION_CHECKBOX_NAME: [token.pk],
            "apply": "yes",
            "confirm": "on",
        },
    )
    for response in (issue, rotate, revoke):
        assert response.status_code in ((302, 200) if may_view else (403,))
        assert not PLAINTEXT.search(response.content.decode())
    assert ServiceToken.objects.count() == 1
    token.refresh_from_db()
    assert token.revoked_at is None and not ServiceToken.objects.filter(rotated_from=token).exists()

    add = client.get(reverse("admin:partners_serviceaccount_add"))
    assert add.status_code == 403


def test_nobody_adds_or_deletes_tokens_in_the_admin(admin_client, issued):
    token, _ = issued
    assert admin_client.get(reverse("admin:partners_servicetoken_add")).status_code == 403
    assert (
        admin_client.get(reverse("admin:partners_servicetoken_delete", args=[token.pk])).status_code
        == 403
    )
    assert (
        admin_client.post(
            reverse("admin:partners_servicetoken_change", args=[token.pk]), {"name": "renamed"}
        ).status_code
        == 403
    )


def test_a_superuser_may(client, account):
    root = UserFactory(username="root", is_superuser=True)
    client.force_login(root)
    response = _issue(client, account, name="root-issued")
    assert PLAINTEXT.search(response.content.decode())
    assert credentials.MAX_TOKEN_DAYS  # the admin form offers the same bound as the service
