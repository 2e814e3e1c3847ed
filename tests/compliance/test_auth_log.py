"""Authentication events in the audit trail (issue 17; compliance/auth_log.py): every login,
logout, failed login and lockout is an entry with the client address and the user agent; a
failed login has no actor and keeps the username as submitted (card numbers redacted), never
the password."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from compliance.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"
AGENT = "Mozilla/5.0 (pytest) Firefox/140.0"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXY_COUNT = 0


def auth_entries(event=None):
    entries = AuditEntry.objects.filter(additional_data__has_key="auth").order_by("id")
    if event:
        entries = entries.filter(additional_data__auth__event=event)
    return list(entries)


def post_login(username, password, *, address="10.1.0.1", client=None):
    client = client or Client()
    response = client.post(
        "/admin/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_USER_AGENT=AGENT,
    )
    return client, response


def test_a_login_and_a_logout_are_recorded_with_address_and_user_agent():
    user = UserFactory(username="auditor-nurse")
    client, response = post_login("auditor-nurse", PASSWORD, address="10.1.0.7")
    assert response.status_code == 302
    [login] = auth_entries("login")
    assert login.actor_id == user.pk and login.object_pk == str(user.pk)
    assert login.action == AuditEntry.Action.ACCESS
    assert login.remote_addr == "10.1.0.7"
    assert login.additional_data["auth"]["user_agent"] == AGENT
    assert login.content_type.model_class() is get_user_model()
    response = client.post("/admin/logout/", REMOTE_ADDR="10.1.0.7", HTTP_USER_AGENT=AGENT)
    [logout] = auth_entries("logout")
    assert logout.actor_id == user.pk and logout.remote_addr == "10.1.0.7"
    assert logout.additional_data["auth"]["user_agent"] == AGENT


def test_a_failed_login_has_no_actor_the_submitted_username_and_never_the_password():
    user = UserFactory(username="auditor-clerk")
    post_login("auditor-clerk", "Secret-Guess-991", address="10.1.0.8")
    post_login("nobody-here", "Other-Guess-992", address="10.1.0.8")
    known, unknown = auth_entries("login_failed")
    assert known.actor_id is None and unknown.actor_id is None
    assert known.object_pk == str(user.pk)  # the account that was tried
    assert unknown.object_pk == ""
    assert known.additional_data["auth"]["username"] == "auditor-clerk"
    assert unknown.additional_data["auth"]["username"] == "nobody-here"
    assert known.remote_addr == "10.1.0.8"
    assert known.additional_data["auth"]["user_agent"] == AGENT
    stored = json.dumps([entry.additional_data for entry in (known, unknown)]) + "".join(
        entry.object_repr for entry in (known, unknown)
    )
    assert "Secret-Guess-991" not in stored and "Other-Guess-992" not in stored
    assert "password" not in stored


def test_a_card_number_typed_as_the_username_is_redacted():
    post_login("4111 1111 1111 1111", "whatever-guess")
    [entry] = auth_entries("login_failed")
    assert "4111 1111 1111 1111" not in entry.additional_data["auth"]["username"]
    assert "4111111111111111" not in entry.object_repr.replace(" ", "")


def test_a_lockout_is_recorded_and_so_is_each_refused_attempt():
    UserFactory(username="auditor-locked")
    for _ in range(3):
        post_login("auditor-locked", "wrong-guess", address="10.1.0.9")
    [lockout] = auth_entries("lockout")
    assert lockout.actor_id is None
    assert lockout.additional_data["auth"]["username"] == "auditor-locked"
    assert lockout.remote_addr == "10.1.0.9"
    _, response = post_login("auditor-locked", PASSWORD, address="10.1.0.9")
    assert response.status_code == 429
    failures = auth_entries("login_failed")
    assert len(failures) == 4
    assert failures[-1].additional_data["auth"]["locked"] is True
    assert failures[0].additional_data["auth"]["locked"] is False
    assert not auth_entries("login")


def test_entries_without_an_actor_seal_and_verify():
    from compliance.verify import verify_chain
    from tests.conftest import seal_now

    UserFactory(username="auditor-sealed")
    post_login("auditor-sealed", "wrong-guess")
    post_login("auditor-sealed", PASSWORD)
    seal_now()
    report = verify_chain()
    assert report.intact and report.checked >= 3, report
