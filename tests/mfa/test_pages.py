"""The second factor's pages: enrolment (QR and secret, confirmed by a first code), the code step
(the app's code or a recovery code, throttled), recovery codes (shown once, renewed with the
password) and who may open each page."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import Role
from compliance.auth_log import AuthEvent
from mfa.services import recovery_codes_issue
from tests.mfa.conftest import (
    ENROL,
    MANAGE,
    NOT_REQUIRED_ROLES,
    PASSWORD,
    REQUIRED_ROLES,
    VERIFY,
    auth_events,
    code_for,
    code_from_secret,
    enrolled,
    log_in,
    mfa_events,
    secret_on_page,
)

pytestmark = pytest.mark.django_db


# --- enrolment ------------------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_the_secret_and_a_first_code_confirms_it(person):
    user = person("lead", Role.SUPERVISOR)
    client, _ = log_in(user)
    page = client.get(ENROL + "?next=/console/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<path" in html  # the QR code, inline (no script, no data: URI)
    key = secret_on_page(html)
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed and device.bin_key == key
    # A reload shows the same secret (the app may already hold it).
    assert secret_on_page(client.get(ENROL).content.decode()) == key

    response = client.post(ENROL, {"code": code_from_secret(key), "next": "/console/"})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in response.content.decode() for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=user).count() == 10
    assert client.get("/console/").status_code == 200  # the session is verified
    assert mfa_events() == [AuthEvent.MFA_ENROLLED, AuthEvent.MFA_RECOVERY_CODES]
    # Enrolment is done: the page now sends to the account's page.
    assert client.get(ENROL)["Location"].startswith(MANAGE)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "This field is required."),
        ("12345", "Enter the 6 digits the authenticator app shows."),
        ("abcdefgh", "Enter the 6 digits the authenticator app shows."),
        ("1" * 40, "Ensure this value has at most 32 characters"),
    ],
)
def test_enrolment_refuses_malformed_codes_with_a_clear_error(person, code, message):
    user = person("lead", Role.SUPERVISOR)
    client, _ = log_in(user)
    client.get(ENROL)
    response = client.post(ENROL, {"code": code})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_a_wrong_first_code_leaves_the_device_unconfirmed_and_is_audited(person):
    user = person("lead", Role.SUPERVISOR)
    client, _ = log_in(user)
    key = secret_on_page(client.get(ENROL).content.decode())
    right = code_from_secret(key)
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    response = client.post(ENROL, {"code": wrong})
    assert response.status_code == 400
    assert "That code does not match" in response.content.decode()
    assert not TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/console/")["Location"].startswith(ENROL)
    [failure] = auth_events(AuthEvent.MFA_FAILED)
    assert failure.actor == user
    assert failure.additional_data["auth"]["stage"] == "enrolment"
    assert wrong not in str(failure.additional_data)


def test_the_secret_and_codes_are_never_in_the_audit_trail(person):
    user = person("lead", Role.SUPERVISOR)
    client, _ = log_in(user)
    key = secret_on_page(client.get(ENROL).content.decode())
    code = code_from_secret(key)
    codes = client.post(ENROL, {"code": code}).context["codes"]
    device = TOTPDevice.objects.get(user=user)
    trail = str([(e.additional_data, e.changes, e.object_repr) for e in auth_events()])
    for secret in (device.key, code, *codes):
        assert secret not in trail


# --- the code step --------------------------------------------------------------------------------


def test_the_code_step_accepts_the_apps_code_once(person):
    user = person("lead", Role.ADMINISTRATOR)
    device = enrolled(user)
    client, _ = log_in(user)
    code = code_for(device)
    response = client.post(VERIFY, {"code": code[:3] + " " + code[3:], "next": "/compliance/"})
    assert response["Location"] == "/compliance/"
    assert auth_events(AuthEvent.MFA_VERIFIED)[-1].additional_data["auth"]["method"] == "totp"
    # The same code again, in another session: refused (a code is used once).
    other, _ = log_in(user)
    response = other.post(VERIFY, {"code": code})
    assert response.status_code == 400
    assert "That code is not right." in response.content.decode()


def test_a_wrong_code_is_refused_audited_and_throttled(person):
    user = person("lead", Role.ADMINISTRATOR)
    device = enrolled(user)
    client, _ = log_in(user)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    with time_machine.travel(timezone.now(), tick=False):
        response = client.post(VERIFY, {"code": wrong})
        assert response.status_code == 400
        # Straight away again: django-otp's back-off refuses to check at all, even the right code.
        response = client.post(VERIFY, {"code": code_for(device)})
        assert response.status_code == 429
        assert "Too many wrong codes: try again in" in response.content.decode()
    assert client.get("/admin/")["Location"].startswith(VERIFY)
    failures = auth_events(AuthEvent.MFA_FAILED)
    assert [f.additional_data["auth"]["throttled"] for f in failures] == [False, True]
    assert all(f.remote_addr == "10.2.0.1" for f in failures)
    assert all(f.additional_data["auth"]["user_agent"] == "pytest-mfa" for f in failures)


def test_a_recovery_code_works_once(person):
    user = person("lead", Role.COMPLIANCE_OFFICER)
    enrolled(user)
    codes = recovery_codes_issue(actor=user, request=None)
    client, _ = log_in(user)
    response = client.post(VERIFY, {"code": codes[0].upper()[:4] + "-" + codes[0][4:]})
    assert response.status_code == 302
    [verified] = auth_events(AuthEvent.MFA_VERIFIED)
    assert verified.additional_data["auth"]["method"] == "recovery_code"
    other, _ = log_in(user)
    assert other.post(VERIFY, {"code": codes[0]}).status_code == 400
    assert StaticToken.objects.filter(device__user=user).count() == 9


@pytest.mark.parametrize("code", ["", "123", "12345678901", "abc!defg", "ééééééé"])
def test_the_code_step_refuses_malformed_input_with_a_clear_error(person, code):
    user = person("lead", Role.SUPERVISOR)
    enrolled(user)
    client, _ = log_in(user)
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required." in body or "Enter the 6-digit code" in body


def test_next_must_stay_on_this_site(person):
    user = person("lead", Role.SUPERVISOR)
    device = enrolled(user)
    client, _ = log_in(user)
    response = client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_code_step_without_an_authenticator_goes_to_enrolment(person):
    client, _ = log_in(person("lead", Role.SUPERVISOR))
    assert client.get(VERIFY)["Location"].startswith(ENROL)


# --- recovery codes and the account's page --------------------------------------------------------


def test_new_recovery_codes_need_the_password_and_void_the_old_ones(person):
    user = person("lead", Role.SUPERVISOR)
    device = enrolled(user)
    old = recovery_codes_issue(actor=user, request=None)
    client, _ = log_in(user)
    client.post(VERIFY, {"code": code_for(device)})
    page = client.get(MANAGE)
    assert page.status_code == 200 and page.context["codes_left"] == 10
    response = client.post(MANAGE, {"password": "not-it"})
    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    response = client.post(MANAGE, {"password": PASSWORD})
    assert response.status_code == 200
    new = response.context["codes"]
    assert set(new).isdisjoint(old)
    remaining = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert remaining == set(new)
    assert mfa_events()[-1] == AuthEvent.MFA_RECOVERY_CODES


def test_a_person_not_required_may_enrol_voluntarily(person):
    user = person("agent", Role.AGENT)
    client, _ = log_in(user)
    page = client.get(MANAGE)
    assert page.status_code == 200 and "Set up an authenticator app" in page.content.decode()
    assert client.post(MANAGE, {"password": PASSWORD}).status_code == 400
    key = secret_on_page(client.get(ENROL).content.decode())
    assert client.post(ENROL, {"code": code_from_secret(key)}).status_code == 200
    # From now on, every login asks for the code.
    other, _ = log_in(user)
    assert other.get("/admin/")["Location"].startswith(VERIFY)


# --- who may open the pages -----------------------------------------------------------------------


@pytest.mark.parametrize("page", [ENROL, VERIFY, MANAGE])
def test_anonymous_visitors_go_to_the_login_page(page):
    response = Client().get(page)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")


@pytest.mark.parametrize("page", [ENROL, VERIFY, MANAGE])
def test_service_accounts_get_a_404(person, page):
    service = person("svc-ehr", kind=User.Kind.SERVICE, is_staff=False)
    client = Client()
    client.force_login(service, verified=False)
    assert client.get(page).status_code == 404


@pytest.mark.parametrize("role", [*REQUIRED_ROLES, *NOT_REQUIRED_ROLES])
def test_each_role_reaches_only_its_own_second_factor_pages(person, role):
    """Every page shows the person's own second factor and nobody else's; the account's page
    opens after the second factor for those who must give it."""
    bystander = person("bystander", Role.SUPERVISOR)
    enrolled(bystander)
    user = person("someone", role)
    client, _ = log_in(user)
    assert client.get(ENROL).status_code == 200
    assert TOTPDevice.objects.filter(user=user, confirmed=False).count() == 1
    assert client.get(VERIFY).status_code == 302  # nothing to verify yet
    manage = client.get(MANAGE)
    assert manage.status_code == (302 if role in REQUIRED_ROLES else 200)
    assert TOTPDevice.objects.filter(user=bystander).count() == 1


def test_pages_are_never_cached(person):
    client, _ = log_in(person("lead", Role.SUPERVISOR))
    assert "no-store" in client.get(ENROL)["Cache-Control"]


def test_unknown_methods_are_refused(person):
    client, _ = log_in(person("lead", Role.SUPERVISOR))
    assert client.put(ENROL).status_code == 405
