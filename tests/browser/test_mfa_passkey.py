"""Passkeys end to end, in Debian's chromium with its virtual authenticator (CTAP2, internal
transport, user verification): a supervisor enrols the authenticator app at first login, adds a
passkey on "Your second factor", logs out, logs in again and gives the passkey instead of a code
— landing in the console, audited as ``mfa_verified`` with method ``webauthn``.

Passkeys need a host name (never an IP address) as the relying party: the browser talks to the
live server as ``localhost:PORT``, and the server is told that origin."""

from __future__ import annotations

from base64 import b32decode

import pytest
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from compliance.auth_log import AuthEvent
from compliance.models import AuditEntry
from tests.browser.test_mfa import app_code, events, log_in, supervisor  # noqa: F401 - fixture


@pytest.fixture
def live_server_environment():
    return lambda port: {
        "MFA_PASSKEY_RP_ID": "localhost",
        "MFA_PASSKEY_ORIGINS": f"http://localhost:{port}",
    }


def virtual_authenticator(context, page) -> None:
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )


def webauthn_methods(user) -> list[str]:
    return [
        entry.additional_data["auth"].get("method", "")
        for entry in AuditEntry.objects.filter(actor=user, additional_data__has_key="auth")
        .order_by("id")
        .only("additional_data")
    ]


def test_add_a_passkey_and_log_in_with_it(chromium, asgi_server, supervisor):  # noqa: F811
    context = chromium.new_context(base_url=f"http://localhost:{asgi_server.port}")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        virtual_authenticator(context, page)

        # First login: the authenticator app, as in test_mfa.py.
        log_in(page, supervisor)
        page.wait_for_url("**/account/mfa/enrol/**")
        key = b32decode(page.locator("#mfa-secret").inner_text().replace(" ", ""))
        page.get_by_label("Code").fill(app_code(key))
        page.get_by_role("button", name="Confirm").click()
        expect(page.locator("#mfa-recovery-codes li")).to_have_count(10)

        # Add a passkey on "Your second factor" (the session gave its second factor).
        page.goto("/account/mfa/")
        expect(page.get_by_text("No passkey yet.")).to_be_visible()
        page.get_by_role("button", name="Add a passkey").click()
        expect(page.locator("#mfa-passkeys tbody tr")).to_have_count(1)
        passkey = WebAuthnCredential.objects.get(user=supervisor)
        assert passkey.confirmed

        # Log out; log in again: the code step offers the passkey, and it lets them in.
        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_role("link", name="Log in again")).to_be_visible()
        page.goto("/console/")
        page.get_by_label("Username").fill(supervisor.username)
        page.get_by_label("Password").fill("browser-test-Passw0rd!")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/account/mfa/verify/**")
        page.get_by_role("button", name="Use a passkey").click()
        page.wait_for_url("**/console/")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        passkey.refresh_from_db()
        assert passkey.last_used_at is not None
    finally:
        context.close()

    assert events(supervisor) == [
        AuthEvent.LOGIN,
        AuthEvent.MFA_ENROLLED,
        AuthEvent.MFA_RECOVERY_CODES,
        AuthEvent.MFA_ENROLLED,
        AuthEvent.LOGOUT,
        AuthEvent.LOGIN,
        AuthEvent.MFA_VERIFIED,
    ]
    assert webauthn_methods(supervisor) == ["", "totp", "", "webauthn", "", "", "webauthn"]
