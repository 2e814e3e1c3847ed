"""Passkeys (django-otp-webauthn) beside the authenticator app: who may run a ceremony (the
library's passwordless login is off and refused), what counts as enrolled, the audit of a
passkey used or refused, the session it verifies, the reset, the admin list. The ceremonies
themselves, with a real authenticator, are tests/browser/test_mfa_passkey.py."""

from __future__ import annotations

import json
from base64 import urlsafe_b64encode

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import resolve
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.roles import Role
from compliance.auth_log import AuthEvent
from mfa import passkeys, policy, services
from tests.mfa.conftest import MANAGE, VERIFY, auth_events, enrolled, log_in

pytestmark = pytest.mark.django_db

BASE = "/account/mfa/passkey/"
REGISTER_BEGIN = BASE + "registration/begin/"
REGISTER_COMPLETE = BASE + "registration/complete/"
AUTH_BEGIN = BASE + "authentication/begin/"
AUTH_COMPLETE = BASE + "authentication/complete/"


def passkey_of(user, credential_id: bytes = b"credential-1", **fields) -> WebAuthnCredential:
    return WebAuthnCredential.objects.create(
        user=user,
        name="Security key",
        confirmed=fields.pop("confirmed", True),
        credential_id=credential_id,
        public_key=b"not-a-real-key",
        **fields,
    )


def b64(data: bytes) -> str:
    return urlsafe_b64encode(data).rstrip(b"=").decode()


def assertion_for(credential_id: bytes) -> dict:
    """The shape of a browser's assertion naming ``credential_id`` (its signature is not one)."""
    return {
        "id": b64(credential_id),
        "rawId": b64(credential_id),
        "type": "public-key",
        "response": {
            "clientDataJSON": b64(b'{"type":"webauthn.get"}'),
            "authenticatorData": b64(b"\x00" * 37),
            "signature": b64(b"\x00" * 8),
        },
        "clientExtensionResults": {},
    }


def post_json(client: Client, url: str, body: dict | list | str | None = None):
    return client.post(
        url, json.dumps({} if body is None else body), content_type="application/json"
    )


# --- the passwordless login is off ---------------------------------------------------------------


def test_the_passwordless_login_is_switched_off():
    assert settings.OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN is False
    assert "django_otp_webauthn.backends.WebAuthnBackend" not in settings.AUTHENTICATION_BACKENDS
    # Only our subclasses are mounted, never the library's own URLconf.
    assert resolve(AUTH_BEGIN).func.view_class is passkeys.PasskeyAuthenticationBegin
    assert resolve(AUTH_COMPLETE).func.view_class is passkeys.PasskeyAuthenticationComplete


@pytest.mark.parametrize("allowed", [False, True])
def test_anonymous_visitors_cannot_log_in_with_a_passkey(person, settings, allowed):
    settings.OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = allowed  # refused even if turned on
    passkey_of(person("has-passkey", Role.SUPERVISOR))
    client = Client()
    for url, code in (
        (AUTH_BEGIN, "passwordless_login_disabled"),
        (AUTH_COMPLETE, "passwordless_login_disabled"),
        (REGISTER_BEGIN, "not_authenticated"),
        (REGISTER_COMPLETE, "not_authenticated"),
    ):
        response = post_json(client, url)
        assert response.status_code == 403, url
        assert response.json()["code"] == code
    assert "_auth_user_id" not in client.session
    assert not auth_events()


# --- who may register ----------------------------------------------------------------------------


def test_a_person_who_owes_the_second_factor_cannot_register(person):
    user = person("owes", Role.SUPERVISOR)
    enrolled(user)
    client, _ = log_in(user)
    response = post_json(client, REGISTER_BEGIN)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert not WebAuthnCredential.objects.exists()


def test_registering_needs_a_session_that_gave_its_second_factor(person):
    user = person("voluntary", Role.AGENT)  # need not enrol, and has not: not verified
    client, _ = log_in(user)
    response = post_json(client, REGISTER_BEGIN)
    assert response.status_code == 403
    assert response.json()["code"] == "user_not_verified"


def test_a_verified_person_gets_registration_options_for_this_site(person):
    user = person("verified", Role.SUPERVISOR)
    enrolled(user)
    client = Client()
    client.force_login(user)
    response = post_json(client, REGISTER_BEGIN)
    assert response.status_code == 200
    options = response.json()
    assert options["rp"] == {"id": settings.OTP_WEBAUTHN_RP_ID, "name": "PatientCare"}
    assert options["user"]["name"] == user.username


def test_registration_complete_refuses_bad_input_with_a_4xx(person):
    user = person("bad-input", Role.SUPERVISOR)
    enrolled(user)
    client = Client()
    client.force_login(user)
    assert post_json(client, REGISTER_COMPLETE).status_code == 400  # no ceremony begun
    assert post_json(client, REGISTER_BEGIN).status_code == 200
    response = client.post(REGISTER_COMPLETE, "{not json", content_type="application/json")
    assert response.status_code == 400
    post_json(client, REGISTER_BEGIN)
    response = post_json(client, REGISTER_COMPLETE, {"id": "x", "response": {}})
    assert 400 <= response.status_code < 500
    assert not WebAuthnCredential.objects.exists()
    assert not auth_events(AuthEvent.MFA_ENROLLED)


def test_the_manage_page_offers_a_passkey_only_to_a_verified_session(person):
    user = person("manager", Role.SUPERVISOR)
    enrolled(user)
    passkey_of(user)
    client = Client()
    client.force_login(user)
    page = client.get(MANAGE).content.decode()
    assert 'id="passkey-register-button"' in page
    assert "Security key 1" in page
    assert "not-a-real-key" not in page
    # Someone else's passkeys are not listed.
    other = person("other-manager", Role.SUPERVISOR)
    enrolled(other)
    client.force_login(other)
    assert "Security key" not in client.get(MANAGE).content.decode()


# --- the code step with a passkey ----------------------------------------------------------------


def test_the_code_step_offers_the_passkey_of_those_who_have_one(person):
    user = person("offered", Role.SUPERVISOR)
    enrolled(user)
    client, _ = log_in(user)
    assert 'id="passkey-verification-button"' not in client.get(VERIFY).content.decode()
    passkey_of(user)
    page = client.get(VERIFY).content.decode()
    assert 'id="passkey-verification-button"' in page
    assert 'id="otp_webauthn_config"' in page
    # The ceremony and the script's messages stay open while the second factor is owed.
    assert post_json(client, AUTH_BEGIN).status_code == 200
    assert client.get(BASE + "jsi18n/").status_code == 200


def test_another_persons_passkey_is_refused_and_audited(person):
    owner = person("owner", Role.SUPERVISOR)
    passkey_of(owner, b"owners-credential")
    user = person("intruder", Role.SUPERVISOR)
    enrolled(user)
    passkey_of(user, b"intruders-credential")
    client, _ = log_in(user)
    assert post_json(client, AUTH_BEGIN).status_code == 200
    response = post_json(client, AUTH_COMPLETE, assertion_for(b"owners-credential"))
    assert response.status_code == 403
    assert response.json()["code"] == "credential_user_mismatch"
    assert client.get("/admin/")["Location"].startswith(VERIFY)  # still owes it
    (failed,) = auth_events(AuthEvent.MFA_FAILED)
    assert failed.actor == user
    assert failed.additional_data["auth"]["method"] == "webauthn"
    assert failed.additional_data["auth"]["reason"] == "credential_user_mismatch"
    assert "owners-credential" not in json.dumps(failed.additional_data)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 422),
        ({"id": "x"}, 422),
        ([], 422),
        ("x", 422),
        ({"id": "x", "rawId": "x", "type": "public-key", "response": "x"}, 422),
        (assertion_for(b"unknown-credential"), 404),
    ],
)
def test_a_bad_assertion_is_a_4xx_and_audited(person, body, status):
    user = person("bad-assertion", Role.SUPERVISOR)
    enrolled(user)
    passkey_of(user)
    client, _ = log_in(user)
    post_json(client, AUTH_BEGIN)
    assert post_json(client, AUTH_COMPLETE, body).status_code == status
    # The ceremony's state is used once: a second try must begin again.
    response = post_json(client, AUTH_COMPLETE, body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_state"
    assert [e.additional_data["auth"]["method"] for e in auth_events(AuthEvent.MFA_FAILED)] == [
        "webauthn",
        "webauthn",
    ]


@pytest.mark.parametrize(
    ("query", "target"),
    [("", "/"), ("?next=/console/", "/console/"), ("?next=https://evil.example/", "/")],
)
def test_after_a_passkey_the_browser_goes_where_the_code_step_would(person, query, target):
    view = passkeys.PasskeyAuthenticationComplete()
    view.request = RequestFactory().post(AUTH_COMPLETE + query)
    assert view.get_success_url() == target


def test_a_passkey_verifies_the_session_as_a_code_does(person):
    user = person("passkey-user", Role.SUPERVISOR)
    device = passkey_of(user)
    request = RequestFactory().post(AUTH_COMPLETE, HTTP_USER_AGENT="pytest-passkey")
    request.session = SessionStore()
    request.session["marker"] = 1
    request.session.save()
    old_key = request.session.session_key
    request.user = user
    services.passkey_verified(request=request, user=user, device=device)
    assert request.session.session_key != old_key
    assert request.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    (entry,) = auth_events(AuthEvent.MFA_VERIFIED)
    assert entry.actor == user
    assert entry.additional_data["auth"]["method"] == "webauthn"
    assert policy.session_state_of(user, request.session) is policy.State.SATISFIED


def test_a_passkey_of_someone_else_or_unconfirmed_never_verifies(person):
    user = person("someone", Role.SUPERVISOR)
    other = person("someone-else", Role.SUPERVISOR)
    for device in (passkey_of(other, b"other"), passkey_of(user, b"mine", confirmed=False)):
        request = RequestFactory().post(AUTH_COMPLETE)
        request.session = SessionStore()
        request.user = user
        with pytest.raises(PermissionDenied):
            services.passkey_verified(request=request, user=user, device=device)
        assert DEVICE_ID_SESSION_KEY not in request.session
    assert not auth_events(AuthEvent.MFA_VERIFIED)


# --- policy, reset, admin ------------------------------------------------------------------------


def test_a_confirmed_passkey_counts_as_enrolled(person):
    user = person("passkey-only", Role.AGENT)  # a role that need not
    assert not policy.is_enrolled(user)
    passkey_of(user, confirmed=False)
    assert not policy.is_enrolled(user)
    assert not policy.must_use(user)
    WebAuthnCredential.objects.update(confirmed=True)
    assert policy.is_enrolled(user)
    assert policy.must_use(user)  # once enrolled, always asked
    assert policy.session_state(user) is policy.State.VERIFY


def test_the_policy_still_asks_in_one_query(person, django_assert_num_queries):
    user = person("one-query", Role.SUPERVISOR)
    passkey_of(user)
    with django_assert_num_queries(1):
        assert policy.session_state(user) is policy.State.VERIFY
    with django_assert_num_queries(1):
        assert policy.is_enrolled(user)


def test_the_reset_removes_passkeys_too(person, admin_user):
    user = person("reset-me", Role.SUPERVISOR)
    enrolled(user)
    passkey_of(user)
    kept = passkey_of(person("kept", Role.SUPERVISOR), b"kept")
    assert services.second_factor_reset(actor=admin_user, user=user) == 2
    assert not WebAuthnCredential.objects.filter(user=user).exists()
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert WebAuthnCredential.objects.filter(pk=kept.pk).exists()
    (reset,) = auth_events(AuthEvent.MFA_RESET)
    assert reset.additional_data["auth"]["devices"] == 2


def test_the_admin_lists_passkeys_read_only_and_resets(person):
    administrator = person("passkey-admin", Role.ADMINISTRATOR)
    user = person("listed", Role.SUPERVISOR)
    enrolled(user)
    device = passkey_of(user)
    client = Client()
    client.force_login(administrator)
    changelist = "/admin/django_otp_webauthn/webauthncredential/"
    page = client.get(changelist)
    assert page.status_code == 200
    assert "listed" in page.content.decode()
    detail = client.get(f"{changelist}{device.pk}/change/").content.decode()
    assert "not-a-real-key" not in detail and "public_key" not in detail
    assert client.get(changelist + "add/").status_code == 403
    response = client.post(
        changelist, {"action": "reset_second_factor", "_selected_action": [device.pk]}
    )
    assert response.status_code == 302
    assert not WebAuthnCredential.objects.filter(user=user).exists()
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_other_roles_do_not_see_passkeys_in_the_admin(person):
    supervisor = person("nosy", Role.SUPERVISOR)
    passkey_of(person("private", Role.SUPERVISOR))
    client = Client()
    client.force_login(supervisor)
    response = client.get("/admin/django_otp_webauthn/webauthncredential/")
    assert response.status_code in (302, 403)


# --- a person removes one of their own passkeys --------------------------------------------------


def remove_url(passkey: WebAuthnCredential) -> str:
    return f"{MANAGE}passkeys/{passkey.pk}/remove/"


def test_a_person_removes_their_own_passkey_with_the_password(person):
    user = person("remover", Role.SUPERVISOR)
    user.set_password("test-password-123")
    user.save(update_fields=["password"])
    enrolled(user)
    gone, kept = passkey_of(user, b"gone"), passkey_of(user, b"kept")
    client = Client()
    client.force_login(user)
    assert remove_url(gone) in client.get(MANAGE).content.decode()
    assert client.get(remove_url(gone)).status_code == 200
    response = client.post(remove_url(gone), {"password": "wrong"})
    assert response.status_code == 400
    assert WebAuthnCredential.objects.filter(pk=gone.pk).exists()
    response = client.post(remove_url(gone), {"password": "test-password-123"})
    assert response.status_code == 302 and response["Location"] == MANAGE
    assert list(WebAuthnCredential.objects.filter(user=user)) == [kept]
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    (removed,) = auth_events(AuthEvent.MFA_REMOVED)
    assert removed.actor == user
    assert removed.additional_data["auth"]["method"] == "webauthn"


def test_removing_is_for_the_owner_in_a_verified_session_only(person):
    owner = person("passkey-owner", Role.SUPERVISOR)
    enrolled(owner)
    passkey = passkey_of(owner)
    url = remove_url(passkey)
    # Anonymous: the login page.
    response = Client().post(url, {"password": "test-password-123"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    # Another person: a 404, as for a passkey that does not exist.
    other = person("other-person", Role.SUPERVISOR)
    enrolled(other)
    client = Client()
    client.force_login(other)
    assert client.post(url, {"password": "test-password-123"}).status_code == 404
    assert client.get(f"{MANAGE}passkeys/999999/remove/").status_code == 404
    # The owner who still owes the second factor: the code step first.
    client, _ = log_in(owner)
    response = client.post(url, {"password": "test-password-123"})
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    assert not auth_events(AuthEvent.MFA_REMOVED)
