"""The passkeys' relying party and origins (patientcare/settings_mfa.py): derived from
ALLOWED_HOSTS, overridable, and refused at start when a browser would refuse them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from patientcare.settings_mfa import passkey_relying_party

LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]


@pytest.fixture(autouse=True)
def _no_passkey_environment(monkeypatch):
    monkeypatch.delenv("MFA_PASSKEY_RP_ID", raising=False)
    monkeypatch.delenv("MFA_PASSKEY_ORIGINS", raising=False)


def test_the_local_default_is_localhost_and_the_demos_origin():
    assert passkey_relying_party(LOCAL_HOSTS, production=False) == (
        "localhost",
        ["https://localhost", "http://localhost:8000"],
    )


def test_production_uses_the_first_host_name_over_https_only():
    hosts = ["10.0.0.5", "care.example.org", "eu.care.example.org", "other.example.net", "*"]
    assert passkey_relying_party(hosts, production=True) == (
        "care.example.org",
        ["https://care.example.org", "https://eu.care.example.org"],
    )


def test_a_leading_dot_is_the_domain_itself():
    assert passkey_relying_party([".example.org"], production=True) == (
        "example.org",
        ["https://example.org"],
    )


def test_the_environment_overrides(monkeypatch):
    monkeypatch.setenv("MFA_PASSKEY_RP_ID", "Example.org")
    monkeypatch.setenv("MFA_PASSKEY_ORIGINS", "https://care.example.org,https://example.org:8443")
    assert passkey_relying_party(["10.0.0.5"], production=True) == (
        "example.org",
        ["https://care.example.org", "https://example.org:8443"],
    )


@pytest.mark.parametrize("hosts", [["10.0.0.5"], ["[::1]", "*"], []])
def test_ip_addresses_alone_leave_passkeys_unavailable(hosts):
    assert passkey_relying_party(hosts, production=True) == ("", [])


@pytest.mark.parametrize("rp_id", ["10.0.0.5", "*", "[::1]"])
def test_a_relying_party_id_that_is_not_a_host_name_is_refused(monkeypatch, rp_id):
    monkeypatch.setenv("MFA_PASSKEY_RP_ID", rp_id)
    with pytest.raises(ImproperlyConfigured, match="MFA_PASSKEY_RP_ID"):
        passkey_relying_party(["care.example.org"], production=True)


@pytest.mark.parametrize(
    "origin",
    [
        "http://care.example.org",  # plain http outside localhost
        "https://evil.example.net",  # another site
        "https://notexample.org",  # a suffix, not a subdomain
        "https://care.example.org/path",
        "ftp://care.example.org",
        "care.example.org",
    ],
)
def test_origins_a_browser_would_refuse_are_refused(monkeypatch, origin):
    monkeypatch.setenv("MFA_PASSKEY_RP_ID", "example.org")
    monkeypatch.setenv("MFA_PASSKEY_ORIGINS", origin)
    with pytest.raises(ImproperlyConfigured, match="MFA_PASSKEY_ORIGINS"):
        passkey_relying_party(["care.example.org"], production=True)


def test_a_relying_party_without_any_origin_is_refused(monkeypatch):
    monkeypatch.setenv("MFA_PASSKEY_RP_ID", "example.org")
    with pytest.raises(ImproperlyConfigured, match="MFA_PASSKEY_ORIGINS"):
        passkey_relying_party(["care.example.net"], production=True)


def test_unavailable_passkeys_hide_their_buttons_answer_404_and_warn(settings, person):
    from django.core.checks import run_checks
    from django.test import Client

    from accounts.roles import Role
    from tests.mfa.conftest import enrolled

    user = person("no-passkey-host", Role.SUPERVISOR)
    enrolled(user)
    client = Client()
    client.force_login(user)
    assert 'id="passkey-register-button"' in client.get("/account/mfa/").content.decode()

    settings.MFA_PASSKEYS = False
    assert "patientcare.W004" in [m.id for m in run_checks(include_deployment_checks=True)]
    assert 'id="passkey-register-button"' not in client.get("/account/mfa/").content.decode()
    for step in ("registration/begin/", "authentication/begin/"):
        assert client.post(f"/account/mfa/passkey/{step}").status_code == 404, step
    settings.MFA_PASSKEYS = True
    assert "patientcare.W004" not in [m.id for m in run_checks(include_deployment_checks=True)]
