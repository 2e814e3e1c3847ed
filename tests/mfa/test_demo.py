"""The demo's second factor: the demo accounts that must give one have an authenticator with a
published secret, and ``demo_mfa_code`` prints its code — only in the demo, only for those."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import Role
from fixtures.demo_data import demo_totp_key
from tests.mfa.conftest import VERIFY, enrolled, log_in

pytestmark = pytest.mark.django_db


def demo_code(username: str) -> str:
    out = io.StringIO()
    call_command("demo_mfa_code", username, stdout=out)
    return out.getvalue().split()[0]


def test_the_code_it_prints_logs_the_demo_account_in(person, settings):
    settings.DEBUG = True
    user = person("supervisor", Role.SUPERVISOR)
    TOTPDevice.objects.create(user=user, name="demo", key=demo_totp_key("supervisor"))
    client, _ = log_in(user)
    response = client.post(VERIFY, {"code": demo_code("supervisor")})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_real_authenticator_is_never_read(person, settings):
    settings.DEBUG = True
    enrolled(person("supervisor", Role.SUPERVISOR))  # a random secret, not the demo's
    with pytest.raises(CommandError, match="has no demo authenticator"):
        demo_code("supervisor")


@pytest.mark.parametrize(("debug", "production"), [(False, False), (True, True)])
def test_it_refuses_outside_the_demo(person, settings, debug, production):
    settings.DEBUG, settings.PRODUCTION = debug, production
    user = person("supervisor", Role.SUPERVISOR)
    TOTPDevice.objects.create(user=user, name="demo", key=demo_totp_key("supervisor"))
    with pytest.raises(CommandError, match="only runs for the demo"):
        demo_code("supervisor")


def test_the_demo_data_gives_the_required_accounts_an_authenticator(settings):
    from fixtures.loader import load_demo_data

    load_demo_data(cases=0, patients=1)
    with_device = set(
        TOTPDevice.objects.filter(confirmed=True).values_list("user__username", flat=True)
    )
    assert with_device == {"supervisor", "compliance", "admin"}
    for username in with_device:
        device = TOTPDevice.objects.get(user__username=username)
        assert device.key == demo_totp_key(username)
