"""The administrator's path for a lost phone: the list of authenticators (no secrets), the reset
(every authenticator and recovery code of the person, audited), and the operator's command."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import Role
from compliance.auth_log import AuthEvent
from mfa.services import recovery_codes_issue
from tests.mfa.conftest import ENROL, auth_events, enrolled, log_in

pytestmark = pytest.mark.django_db

LIST = "/admin/otp_totp/totpdevice/"


@pytest.fixture
def lost_phone(person):
    user = person("lost-phone", Role.SUPERVISOR)
    device = enrolled(user)
    recovery_codes_issue(actor=user, request=None)
    return user, device


@pytest.fixture
def administrator(person):
    return person("admin-person", Role.ADMINISTRATOR)


def admin_client(user) -> Client:
    client = Client(REMOTE_ADDR="10.3.0.9")
    client.force_login(user)  # a verified session (tests/conftest.py)
    return client


def test_the_list_shows_who_has_an_authenticator_and_never_the_secret(administrator, lost_phone):
    _, device = lost_phone
    client = admin_client(administrator)
    response = client.get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert "lost-phone" in body
    assert device.key not in body
    page = client.get(f"{LIST}{device.pk}/change/").content.decode()
    assert device.key not in page and "otpauth" not in page
    assert client.get(f"{LIST}add/").status_code == 403
    # Recovery codes have no admin page at all.
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404


def test_the_reset_action_removes_everything_and_is_audited(administrator, lost_phone):
    user, device = lost_phone
    client = admin_client(administrator)
    response = client.post(
        LIST, {"action": "reset_second_factor", "_selected_action": [device.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "Second factor reset for 1 person" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    [reset] = auth_events(AuthEvent.MFA_RESET)
    assert reset.actor == administrator
    assert reset.object_id == user.pk
    assert reset.additional_data["auth"]["username"] == "lost-phone"
    assert reset.additional_data["auth"]["devices"] == 2
    assert reset.remote_addr == "10.3.0.9"
    # At the next login the person enrols again.
    person_client, _ = log_in(user)
    assert person_client.get("/admin/")["Location"].startswith(ENROL)


def test_deleting_one_device_is_the_same_reset(administrator, lost_phone):
    user, device = lost_phone
    client = admin_client(administrator)
    response = client.post(f"{LIST}{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not StaticDevice.objects.filter(user=user).exists()
    assert len(auth_events(AuthEvent.MFA_RESET)) == 1


def test_plain_bulk_delete_is_not_offered(administrator, lost_phone):
    client = admin_client(administrator)
    actions = client.get(LIST).context["action_form"].fields["action"].choices
    assert [name for name, _ in actions if name] == ["reset_second_factor"]


@pytest.mark.parametrize(
    "role", [Role.AGENT, Role.SUPERVISOR, Role.CLINICIAN, Role.COMPLIANCE_OFFICER]
)
def test_other_roles_cannot_reset(person, role, lost_phone):
    _, device = lost_phone
    client = admin_client(person("other", role))
    assert client.get(LIST).status_code == 403
    response = client.post(LIST, {"action": "reset_second_factor", "_selected_action": [device.pk]})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert auth_events(AuthEvent.MFA_RESET) == []


def test_anonymous_visitors_go_to_the_login_page(lost_phone):
    response = Client().get(LIST)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_administrator_without_the_second_factor_cannot_reset(administrator, lost_phone):
    client, _ = log_in(administrator)
    response = client.get(LIST)
    assert response["Location"].startswith(ENROL)


def test_the_operators_command(lost_phone):
    user, _ = lost_phone
    call_command("mfa_reset", "lost-phone")
    assert not TOTPDevice.objects.filter(user=user).exists()
    [reset] = auth_events(AuthEvent.MFA_RESET)
    assert reset.actor.username == "system"
    with pytest.raises(CommandError, match="No account is named 'nobody'"):
        call_command("mfa_reset", "nobody")
