"""The issue's browser acceptance test for the second factor, in Debian's chromium against the
live server: a supervisor (who must give a second factor) logs in for the first time and is
sent to enrolment; reads the secret the page shows as an authenticator app would, confirms it
with its code, sees the recovery codes; logs out; logs in again and gets in only with the app's
code — a wrong code keeps them out."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.roles import Role, ensure_role_groups
from compliance.auth_log import AuthEvent
from compliance.models import AuditEntry
from tests.factories import UserFactory

PASSWORD = "browser-test-Passw0rd!"


@pytest.fixture
def supervisor(transactional_db):
    user = UserFactory(username="browser-sam", first_name="Sam", last_name="Supervisor")
    user.groups.add(ensure_role_groups()[Role.SUPERVISOR])
    user.password = make_password(PASSWORD, hasher=PBKDF2PasswordHasher())
    user.save(update_fields=["password"])
    return user


def app_code(key: bytes, *, steps_ahead: int = 0) -> str:
    """What an authenticator app holding ``key`` shows (``steps_ahead``: its next code, as a
    code is accepted once and the first one was used at enrolment)."""
    return f"{totp(key, step=30, t0=0, digits=6, drift=steps_ahead):06d}"


def log_in(page, user) -> None:
    page.goto("/admin/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def events(user) -> list[str]:
    return [
        entry.additional_data["auth"]["event"]
        for entry in AuditEntry.objects.filter(actor=user, additional_data__has_key="auth")
        .order_by("id")
        .only("additional_data")
    ]


def test_enrol_log_out_and_log_in_with_the_code(new_context, asgi_server, supervisor):
    page = new_context().new_page()

    # First login: the password alone opens nothing but enrolment.
    log_in(page, supervisor)
    page.wait_for_url("**/account/mfa/enrol/**")
    expect(page.locator(".mfa-qr svg")).to_be_visible()
    secret = page.locator("#mfa-secret").inner_text()
    key = b32decode(secret.replace(" ", ""))
    page.goto("/console/")
    page.wait_for_url("**/account/mfa/enrol/?next=%2Fconsole%2F")
    page.goto("/admin/")
    page.wait_for_url("**/account/mfa/enrol/?next=%2Fadmin%2F")

    page.get_by_label("Code").fill(app_code(key))
    page.get_by_role("button", name="Confirm").click()
    codes = page.locator("#mfa-recovery-codes li")
    expect(codes).to_have_count(10)
    assert all(re.fullmatch(r"[a-z2-7]{8}", text) for text in codes.all_inner_texts())
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url("**/admin/")
    expect(page.get_by_role("heading", name="Configuration and records")).to_be_visible()
    assert TOTPDevice.objects.get(user=supervisor).confirmed

    # Log out, and in again: the code step.
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in again")).to_be_visible()
    log_in(page, supervisor)
    page.wait_for_url("**/account/mfa/verify/**")

    # A wrong code keeps them out.
    right = app_code(key, steps_ahead=1)
    page.get_by_label("Code").fill(f"{(int(right) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name="Verify").click()
    expect(page.locator(".errorlist")).to_have_text("That code is not right.")
    page.goto("/console/")
    page.wait_for_url("**/account/mfa/verify/**")

    # (django-otp's back-off: the next check waits a second after one wrong code.)
    page.wait_for_timeout(1_100)
    page.get_by_label("Code").fill(right)
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/console/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    assert events(supervisor) == [
        AuthEvent.LOGIN,
        AuthEvent.MFA_ENROLLED,
        AuthEvent.MFA_RECOVERY_CODES,
        AuthEvent.LOGOUT,
        AuthEvent.LOGIN,
        AuthEvent.MFA_FAILED,
        AuthEvent.MFA_VERIFIED,
    ]
