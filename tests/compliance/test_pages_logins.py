"""The login review page /compliance/logins/ (oversight/views/logins.py): authentication events
with address and user agent, filters (user, failures only, dates) and counts per user. Who may
see it: tests/compliance/test_pages_permissions.py."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from compliance.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("oversight:logins")


@pytest.fixture
def events(settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="page-nurse")
    for number in range(3):
        Client().post(
            "/admin/login/",
            {"username": "page-nurse", "password": f"wrong-{number}"},
            REMOTE_ADDR=f"10.2.0.{number}",
            HTTP_USER_AGENT="Browser/9",
        )
    client = Client()
    client.post(
        "/admin/login/",
        {"username": "page-nurse", "password": "test-password-123"},
        REMOTE_ADDR="10.2.0.9",
    )


def test_the_page_lists_events_with_address_and_user_agent_and_counts(officer_client, events):
    response = officer_client.get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert "login_failed" in text and "lockout" in text
    assert "10.2.0.1" in text and "Browser/9" in text
    [count] = [c for c in response.context["counts"] if c["who"] == "page-nurse"]
    assert count["failures"] == 4  # three wrong passwords and the refused right one
    assert count["lockouts"] >= 1 and count["logins"] == 0
    assert count["addresses"] == 4
    assert AuditEntry.objects.filter(
        actor=response.wsgi_request.user, additional_data__access__via="compliance"
    ).exists()


def test_filters(officer_client, events):
    failures = officer_client.get(URL, {"failures": "on", "user": "page-nurse"}).context["rows"]
    assert failures and all(
        row.additional_data["auth"]["event"] in ("login_failed", "lockout") for row in failures
    )
    assert not officer_client.get(URL, {"user": "somebody-else"}).context["rows"]
    assert not officer_client.get(URL, {"until": "2000-01-01"}).context["rows"]
    response = officer_client.get(URL, {"since": "2030-01-02", "until": "2030-01-01"})
    assert response.status_code == 400


def test_the_second_factors_events_are_listed_and_counted(officer_client, admin_user):
    """Wrong codes count as failures of their own, with the method; a reset names the person."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from mfa.services import second_factor_reset

    lead = UserFactory(username="page-lead", is_superuser=True)
    TOTPDevice.objects.create(user=lead, name="Authenticator app")
    client = Client(REMOTE_ADDR="10.4.0.1", HTTP_USER_AGENT="Browser/9")
    client.post("/admin/login/", {"username": "page-lead", "password": "test-password-123"})
    client.post("/account/mfa/verify/", {"code": "000000"})
    client.post("/account/mfa/verify/", {"code": "aaaabbbb"})
    second_factor_reset(actor=admin_user, user=lead)

    response = officer_client.get(URL, {"user": "page-lead"})
    text = response.content.decode()
    assert "mfa_failed" in text and "(totp)" in text and "(recovery_code)" in text
    [count] = [c for c in response.context["counts"] if c["who"] == "page-lead"]
    assert count["mfa_failures"] == 2 and count["logins"] == 1
    failures = officer_client.get(URL, {"failures": "on", "user": "page-lead"}).context["rows"]
    assert [row.additional_data["auth"]["event"] for row in failures] == ["mfa_failed"] * 2
    resets = officer_client.get(URL, {"user": "root-admin"}).context["rows"]
    assert [row.additional_data["auth"]["username"] for row in resets] == ["page-lead"]
