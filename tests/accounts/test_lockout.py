"""Login lockout (issue 17, django-axes; patientcare/settings_login.py): after LOGIN_FAILURE_LIMIT
wrong passwords for one account, or from one address, the right password is refused with a 429
page that says for how long and whom to ask, until the cool-off ends or an administrator
unlocks. Every password login is the admin's login page: the console and the compliance pages
send people there (LOGIN_URL)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"  # the factories' throwaway password
LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.TRUSTED_PROXY_COUNT = 0


def attempt(username, password, *, address="10.0.0.1", next_url="/admin/", client=None):
    client = client or Client()
    response = client.post(
        f"{LOGIN}?next={next_url}",
        {"username": username, "password": password, "next": next_url},
        REMOTE_ADDR=address,
        HTTP_USER_AGENT="pytest-browser/1.0",
    )
    return client, response


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


def assert_locked(response):
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    text = response.content.decode()
    assert "Sign-in is locked" in text
    assert "15 minutes" in text
    assert "administrator" in text
    assert "Traceback" not in text


@pytest.mark.parametrize("next_url", ["/admin/", "/console/", "/compliance/"])
def test_every_page_sends_people_to_the_one_login_that_locks(client, next_url):
    response = client.get(next_url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    UserFactory(username="nurse")
    for _ in range(5):
        _, response = attempt("nurse", "wrong-password", next_url=next_url)
        assert response.status_code in (200, 429)
    client, response = attempt("nurse", PASSWORD, next_url=next_url)
    assert_locked(response)
    assert not logged_in(client)


def test_the_right_password_is_refused_after_five_failures_of_one_account_from_anywhere():
    UserFactory(username="alice")
    for number in range(4):
        _, response = attempt("alice", "wrong-password", address=f"10.0.1.{number}")
        assert response.status_code == 200  # the form again, with its error
    _, response = attempt("alice", "wrong-password", address="10.0.1.9")
    assert_locked(response)
    client, response = attempt("alice", PASSWORD, address="10.0.2.1")  # another address
    assert_locked(response)
    assert not logged_in(client)
    # Another account from another address is not affected.
    UserFactory(username="bob")
    client, response = attempt("bob", PASSWORD, address="10.0.2.2")
    assert response.status_code == 302 and logged_in(client)


def test_one_address_trying_many_accounts_is_locked_for_every_account():
    UserFactory(username="carol")
    for number in range(5):
        attempt(f"nobody{number}", "wrong-password", address="10.0.3.3")
    client, response = attempt("carol", PASSWORD, address="10.0.3.3")
    assert_locked(response)
    client, response = attempt("carol", PASSWORD, address="10.0.3.4")
    assert response.status_code == 302 and logged_in(client)


def test_the_page_does_not_tell_whether_the_account_exists():
    UserFactory(username="dave")
    for _ in range(5):
        attempt("dave", "wrong-password", address="10.0.4.1")
        attempt("no-such-person", "wrong-password", address="10.0.4.2")
    _, real = attempt("dave", PASSWORD, address="10.0.4.1")
    _, fake = attempt("no-such-person", PASSWORD, address="10.0.4.2")
    assert real.status_code == fake.status_code == 429
    assert real.content == fake.content
    assert b"dave" not in real.content


def test_under_the_limit_the_right_password_logs_in_and_clears_the_failures():
    UserFactory(username="erin")
    for _ in range(4):
        attempt("erin", "wrong-password")
    client, response = attempt("erin", PASSWORD)
    assert response.status_code == 302 and logged_in(client)
    assert not AccessAttempt.objects.filter(username="erin").exists()
    for _ in range(4):  # four more: counted from zero again
        attempt("erin", "wrong-password")
    client, response = attempt("erin", PASSWORD)
    assert logged_in(client)


def test_the_lock_ends_after_the_cool_off(time_machine):
    time_machine.move_to(timezone.now(), tick=True)
    UserFactory(username="frank")
    for _ in range(5):
        attempt("frank", "wrong-password")
    assert_locked(attempt("frank", PASSWORD)[1])
    time_machine.shift(16 * 60)
    client, response = attempt("frank", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_an_administrator_unlocks_an_account_with_the_command():
    UserFactory(username="grace")
    for _ in range(5):
        attempt("grace", "wrong-password")
    assert_locked(attempt("grace", PASSWORD)[1])
    call_command("axes_reset_username", "grace")
    client, response = attempt("grace", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_an_administrator_unlocks_an_address_in_the_admin(client):
    UserFactory(username="heidi")
    for number in range(5):
        attempt(f"guess{number}", "wrong-password", address="10.0.5.5")
    assert_locked(attempt("heidi", PASSWORD, address="10.0.5.5")[1])
    admin = UserFactory(username="root-admin", is_superuser=True)
    client.force_login(admin)
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert client.get(changelist).status_code == 200
    pks = list(AccessAttempt.objects.filter(ip_address="10.0.5.5").values_list("pk", flat=True))
    response = client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": pks, "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    other, response = attempt("heidi", PASSWORD, address="10.0.5.5")
    assert response.status_code == 302 and logged_in(other)


def test_the_address_counted_is_the_trusted_proxys_not_the_clients_header(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="ivan")
    for number in range(5):  # a client rotating its own X-Forwarded-For part changes nothing
        Client().post(
            LOGIN,
            {"username": f"guess{number}", "password": "wrong"},
            REMOTE_ADDR="10.9.9.9",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{number}, 203.0.113.7",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    response = Client().post(
        LOGIN,
        {"username": "ivan", "password": PASSWORD},
        REMOTE_ADDR="10.9.9.9",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7",
    )
    assert_locked(response)
