"""Who must give a second factor, and that a session without it reaches nothing (issue 17: "login
without the second factor is refused for those roles")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from mfa.policy import State, must_use, session_state_of
from tests.mfa.conftest import (
    ENROL,
    NOT_REQUIRED_ROLES,
    REQUIRED_ROLES,
    VERIFY,
    code_for,
    enrolled,
    log_in,
)

pytestmark = pytest.mark.django_db

# Pages of every kind that a session owing its second factor must not reach.
CLOSED_PAGES = ["/admin/", "/console/", "/compliance/", "/compliance/logins/", "/account/mfa/"]


@pytest.mark.parametrize("role", REQUIRED_ROLES)
def test_a_required_role_without_an_authenticator_is_sent_to_enrolment_everywhere(person, role):
    user = person("needs-mfa", role)
    client, response = log_in(user)
    assert response["Location"] == "/admin/"
    for page in CLOSED_PAGES:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(ENROL + "?next="), page
    # POSTs too (no next: a form is not replayed).
    response = client.post("/console/", {})
    assert response.status_code == 302
    assert response["Location"] == ENROL


@pytest.mark.parametrize("role", REQUIRED_ROLES)
def test_a_required_role_with_an_authenticator_is_sent_to_the_code_step(person, role):
    user = person("needs-mfa", role)
    enrolled(user)
    client, _ = log_in(user)
    for page in CLOSED_PAGES:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(VERIFY + "?next="), page


def test_a_superuser_without_a_role_must_too(person):
    user = person("root", is_superuser=True)
    client, _ = log_in(user)
    assert client.get("/admin/")["Location"].startswith(ENROL)


@pytest.mark.parametrize("role", REQUIRED_ROLES)
def test_the_api_refuses_a_session_without_the_second_factor(person, role):
    user = person("needs-mfa", role)
    client, _ = log_in(user)
    response = client.get("/api/v1/cases/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_required"
    assert "second factor" in response.json()["error"]["message"]
    enrolled(user)
    response = client.get("/api/v1/cases/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_required"


@pytest.mark.parametrize("role", NOT_REQUIRED_ROLES)
def test_roles_not_required_work_without_enrolling(person, role):
    user = person("works", role)
    assert not must_use(user)
    client, _ = log_in(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert client.get("/api/v1/cases/").status_code == 200


def test_a_voluntary_enrolment_is_asked_for_at_every_login(person):
    user = person("careful", Role.AGENT)
    enrolled(user)
    assert must_use(user)
    client, _ = log_in(user)
    assert client.get("/admin/")["Location"].startswith(VERIFY)
    assert client.get("/api/v1/cases/").json()["error"]["code"] == "mfa_required"


def test_required_for_all_staff(person, settings):
    settings.MFA_REQUIRED_FOR_ALL_STAFF = True
    user = person("agent", Role.AGENT)
    client, _ = log_in(user)
    assert client.get("/admin/")["Location"].startswith(ENROL)


def test_the_required_roles_are_a_setting(person, settings):
    settings.MFA_REQUIRED_ROLES = ["Clinician"]
    nurse = person("nurse", Role.CLINICIAN)
    supervisor = person("lead", Role.SUPERVISOR)
    assert must_use(nurse)
    assert not must_use(supervisor)
    client, _ = log_in(supervisor)
    assert client.get("/admin/").status_code == 200


def test_service_accounts_are_never_asked(person):
    from accounts.models import User

    service = person("svc-ehr", Role.ADMINISTRATOR, kind=User.Kind.SERVICE)
    assert not must_use(service)
    assert session_state_of(service, {}) is State.SATISFIED


def test_what_stays_open_before_the_second_factor(person):
    user = person("needs-mfa", Role.SUPERVISOR)
    client, _ = log_in(user)
    assert client.get(ENROL).status_code == 200
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get(reverse("admin:login")).status_code in (200, 302)
    assert client.post(reverse("admin:logout")).status_code in (200, 302)
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_after_the_code_everything_opens(person):
    user = person("lead", Role.SUPERVISOR)
    device = enrolled(user)
    client, _ = log_in(user)
    response = client.post(VERIFY, {"code": code_for(device), "next": "/console/"})
    assert response.status_code == 302
    assert response["Location"] == "/console/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/api/v1/cases/").status_code == 200


def test_a_reset_device_ends_the_verified_state_of_open_sessions(person, admin_user):
    from mfa.services import second_factor_reset

    user = person("lead", Role.SUPERVISOR)
    device = enrolled(user)
    client, _ = log_in(user)
    client.post(VERIFY, {"code": code_for(device)})
    assert client.get("/admin/").status_code == 200
    second_factor_reset(actor=admin_user, user=user)
    assert client.get("/admin/")["Location"].startswith(ENROL)


def test_a_sockets_session_is_judged_like_a_request(person):
    """The live queue's socket (tests/console/test_consumer.py: refused with 4401) asks
    ``session_state_of`` about the session its handshake carried."""
    user = person("lead", Role.SUPERVISOR)
    client, _ = log_in(user)
    session = client.session
    assert session_state_of(user, session) is State.ENROL
    device = enrolled(user)
    assert session_state_of(user, session) is State.VERIFY
    client.post(VERIFY, {"code": code_for(device)})
    assert session_state_of(user, client.session) is State.SATISFIED


@pytest.mark.urls("tests.mfa.urls_without_mfa")
def test_without_the_second_factors_pages_the_page_is_refused_not_served(person):
    user = person("lead", Role.SUPERVISOR)
    client, _ = log_in(user)
    response = client.get("/page/")
    assert response.status_code == 403
    assert b"second factor" in response.content
    other = person("agent", Role.AGENT)
    agent_client, _ = log_in(other)
    assert agent_client.get("/page/").content == b"a page"
