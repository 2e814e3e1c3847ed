"""The second factor's tests log in through the login page (a real login: password, then the
code step), never through ``force_login``'s stand-in for the second factor (tests/conftest.py)."""

from __future__ import annotations

import re
import time
from base64 import b32decode

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import Role, ensure_role_groups
from compliance.auth_log import AuthEvent
from compliance.models import AuditEntry
from tests.factories import UserFactory

PASSWORD = "test-password-123"
LOGIN = "/admin/login/"
ENROL = "/account/mfa/enrol/"
VERIFY = "/account/mfa/verify/"
MANAGE = "/account/mfa/"
REQUIRED_ROLES = (Role.ADMINISTRATOR, Role.COMPLIANCE_OFFICER, Role.SUPERVISOR)
NOT_REQUIRED_ROLES = (Role.AGENT, Role.PORTAL_SUPPORT_AGENT, Role.CLINICIAN)


@pytest.fixture
def groups(db):
    return ensure_role_groups()


@pytest.fixture
def person(groups):
    def make(username: str, role: str | None = None, **fields):
        user = UserFactory(username=username, **fields)
        if role is not None:
            user.groups.add(groups[role])
        return user

    return make


def log_in(user, client: Client | None = None, *, next_url: str = "/admin/") -> tuple:
    """The password step through the admin's login page; (client, response)."""
    client = client or Client(REMOTE_ADDR="10.2.0.1", HTTP_USER_AGENT="pytest-mfa")
    response = client.post(
        f"{LOGIN}?next={next_url}", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content[:500]
    return client, response


def code_for(device: TOTPDevice, *, offset: int = 0) -> str:
    """The app's code now (``offset`` time steps later), as an authenticator app computes it."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset)
    return f"{value:06d}"


def secret_on_page(html: str) -> bytes:
    match = re.search(r'<code id="mfa-secret">([A-Z2-7 ]+)</code>', html)
    assert match, "the secret is shown as text for typing in"
    return b32decode(match.group(1).replace(" ", ""))


def code_from_secret(key: bytes) -> str:
    return f"{totp(key, step=30, t0=0, digits=6, drift=0):06d}"


def enrolled(user) -> TOTPDevice:
    """An authenticator confirmed for ``user`` (as enrolment leaves it)."""
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def used_step(device: TOTPDevice) -> None:
    """Wait for the next time step when this device's current code was already used."""
    device.refresh_from_db()
    while device.last_t >= int(time.time()) // device.step:
        time.sleep(0.2)


def auth_events(event: str | None = None):
    entries = AuditEntry.objects.filter(additional_data__has_key="auth").order_by("id")
    if event:
        entries = entries.filter(additional_data__auth__event=event)
    return list(entries)


def mfa_events():
    return [
        e.additional_data["auth"]["event"]
        for e in auth_events()
        if e.additional_data["auth"]["event"] in AuthEvent.SECOND_FACTOR
    ]
