"""The login review page /compliance/logins/ (oversight/views/logins.py): authentication events
with address and user agent, filters (user, failures only, dates, logins outside the usual hours,
people who stand out) and counts per user. Who may see it:
tests/compliance/test_pages_permissions.py."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from compliance.auth_log import AuthEvent, record_auth_event
from compliance.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("oversight:logins")
LOGIN = reverse("admin:login")


@pytest.fixture
def events(settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="page-nurse")
    for number in range(3):
        Client().post(
            LOGIN,
            {"username": "page-nurse", "password": f"wrong-{number}"},
            REMOTE_ADDR=f"10.2.0.{number}",
            HTTP_USER_AGENT="Browser/9",
        )
    client = Client()
    client.post(
        LOGIN,
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


# --- logins outside the usual hours (LOGIN_USUAL_HOURS, in TIME_ZONE) -----------------------------


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of 2026-03-<day> at the given local time of the deployment's time zone."""
    return datetime(2026, 3, day, hour, minute, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _event(event: str, when: datetime, *, user=None, username=None, address="10.9.0.1"):
    request = RequestFactory().post(LOGIN, REMOTE_ADDR=address, HTTP_USER_AGENT="Browser/9")
    with time_machine.travel(when.astimezone(UTC), tick=False):
        return record_auth_event(event, request=request, user=user, username=username)


@pytest.fixture
def day_and_night(settings):
    settings.LOGIN_USUAL_HOURS = (time(7), time(19))
    person = UserFactory(username="shift-nurse")
    entries = {
        "early": _event(AuthEvent.LOGIN, _at(2, 6, 59), user=person),
        "start": _event(AuthEvent.LOGIN, _at(2, 7, 0), user=person),
        "noon": _event(AuthEvent.LOGIN, _at(2, 12, 30), user=person),
        "last": _event(AuthEvent.LOGIN, _at(2, 18, 59), user=person),
        "end": _event(AuthEvent.LOGIN, _at(2, 19, 0), user=person),
        "night": _event(AuthEvent.LOGIN, _at(3, 2, 15), user=person),
        # Only successful logins count: a failure or a logout at night is not marked.
        "failed": _event(AuthEvent.LOGIN_FAILED, _at(3, 3, 0), username="shift-nurse"),
        "logout": _event(AuthEvent.LOGOUT, _at(3, 23, 0), user=person),
    }
    return {name: entry.pk for name, entry in entries.items()}


def _marked(response) -> dict[int, bool]:
    return {row.pk: row.unusual for row in response.context["rows"]}


def test_logins_outside_the_usual_hours_are_marked(officer_client, day_and_night):
    response = officer_client.get(URL, {"user": "shift-nurse"})
    assert response.status_code == 200
    marked = _marked(response)
    outside = {name for name, pk in day_and_night.items() if marked[pk]}
    assert outside == {"early", "end", "night"}  # the start is inside, the end outside
    assert response.content.decode().count("<strong>Outside usual hours</strong>") == 3
    [count] = response.context["counts"]
    assert (count["logins"], count["unusual_logins"], count["failures"]) == (6, 3, 1)
    assert "Usual hours: 07:00\N{EN DASH}19:00" in response.content.decode()


def test_the_usual_hours_filter_keeps_only_those_logins(officer_client, day_and_night):
    response = officer_client.get(URL, {"unusual_hours": "on", "user": "shift-nurse"})
    assert response.status_code == 200
    assert set(_marked(response)) == {
        day_and_night["early"],
        day_and_night["end"],
        day_and_night["night"],
    }


def test_a_window_over_midnight(officer_client, day_and_night, settings):
    settings.LOGIN_USUAL_HOURS = (time(22), time(7))  # a night shift
    response = officer_client.get(URL, {"unusual_hours": "on", "user": "shift-nurse"})
    names = {name for name, pk in day_and_night.items() if pk in _marked(response)}
    assert names == {"start", "noon", "last", "end"}


def test_hours_are_the_deployments_local_time(officer_client, settings):
    settings.LOGIN_USUAL_HOURS = (time(7), time(19))
    person = UserFactory(username="utc-nurse")
    # 13:00 UTC is 08:00 or 09:00 in New York (inside); 02:00 UTC is evening or night there.
    settings.TIME_ZONE = "America/New_York"
    inside = _event(AuthEvent.LOGIN, datetime(2026, 3, 2, 13, 0, tzinfo=UTC), user=person)
    outside = _event(AuthEvent.LOGIN, datetime(2026, 3, 3, 2, 0, tzinfo=UTC), user=person)
    marked = _marked(officer_client.get(URL, {"user": "utc-nurse"}))
    assert marked == {inside.pk: False, outside.pk: True}
    settings.TIME_ZONE = "Asia/Tokyo"  # 22:00 and 11:00 there
    marked = _marked(officer_client.get(URL, {"user": "utc-nurse"}))
    assert marked == {inside.pk: True, outside.pk: False}


# --- people with many failures or many addresses -------------------------------------------------


@pytest.fixture
def suspects(settings):
    settings.LOGIN_REVIEW_FAILURES = 4
    settings.LOGIN_REVIEW_ADDRESSES = 3
    when = _at(4, 10)
    for _ in range(4):  # four failures from one address: many failures
        _event(AuthEvent.LOGIN_FAILED, when, username="guessed-name", address="10.8.0.1")
    roamer = UserFactory(username="roaming-agent")
    for number in range(3):  # logins from three addresses: many addresses
        _event(AuthEvent.LOGIN, when, user=roamer, address=f"10.8.1.{number}")
    calm = UserFactory(username="calm-agent")
    for _ in range(3):  # three failures (under four), one address
        _event(AuthEvent.LOGIN_FAILED, when, username="calm-agent", address="10.8.2.1")
    _event(AuthEvent.LOGIN, when, user=calm, address="10.8.2.1")


def test_people_who_stand_out_come_first(officer_client, suspects):
    response = officer_client.get(URL)
    counts = response.context["counts"]
    by_name = {count["who"]: count for count in counts}
    assert [count["who"] for count in counts[:2]] == ["guessed-name", "roaming-agent"]
    assert (
        by_name["guessed-name"]["many_failures"],
        by_name["guessed-name"]["many_addresses"],
    ) == (
        True,
        False,
    )
    assert (
        by_name["roaming-agent"]["many_failures"],
        by_name["roaming-agent"]["many_addresses"],
    ) == (
        False,
        True,
    )
    # calm-agent has more failures than roaming-agent but reaches no threshold.
    assert by_name["calm-agent"]["flagged"] is False
    assert counts.index(by_name["calm-agent"]) > 1
    text = response.content.decode()
    assert "Many failed logins" in text and "Many addresses" in text


def test_the_stand_out_filter_keeps_only_those_people(officer_client, suspects):
    response = officer_client.get(URL, {"flagged": "on"})
    assert response.status_code == 200
    assert {count["who"] for count in response.context["counts"]} == {
        "guessed-name",
        "roaming-agent",
    }
    rows = response.context["rows"]
    assert len(rows) == 7
    assert {row.who for row in rows} == {"guessed-name", "roaming-agent"}


def test_the_thresholds_count_within_the_period(officer_client, suspects):
    # Another day: nobody reached a threshold on it.
    response = officer_client.get(URL, {"flagged": "on", "since": "2026-03-05"})
    assert response.status_code == 200
    assert not [
        c for c in response.context["counts"] if c["who"] != response.wsgi_request.user.username
    ]
    assert not [r for r in response.context["rows"] if r.who != response.wsgi_request.user.username]


def test_bad_filter_values_are_a_400_not_a_500(officer_client):
    for query in ({"since": "yesterday"}, {"until": "2026-02-30"}, {"user": "x" * 151}):
        response = officer_client.get(URL, query)
        assert response.status_code == 400, query
        assert not response.context["rows"]


# --- cost -----------------------------------------------------------------------------------------

# Session, user, the session's second-factor device (django-otp's middleware), the officer's
# permissions (x2), the events, the counts (the "stand out" filter is a subquery of the events'
# query, not a query of its own), the access entry: the same however many people and events. No
# session save: the idle timeout's stamp is refreshed at most once a minute (accounts/idle.py,
# issue 18; it was SAVEPOINT, UPDATE, RELEASE on every request).
EXPECTED_QUERIES = {"sqlite": 8, "postgresql": 8}


@pytest.mark.parametrize("people", [3, 30])
@pytest.mark.parametrize("query", [{}, {"flagged": "on", "unusual_hours": "on"}])
def test_the_page_query_count_is_constant(
    officer_client, django_assert_num_queries, settings, people, query
):
    settings.LOGIN_REVIEW_ADDRESSES = 3
    for number in range(people):
        person = UserFactory(username=f"counted-{number}")
        for address in range(3):  # at night, from three addresses: everyone stands out
            _event(AuthEvent.LOGIN, _at(5, 3), user=person, address=f"10.7.{number}.{address}")
        _event(AuthEvent.LOGIN_FAILED, _at(5, 9), username=f"counted-{number}")
    officer_client.get(URL, query)  # warm the content type cache
    with django_assert_num_queries(EXPECTED_QUERIES[connection.vendor]):
        response = officer_client.get(URL, query)
    assert len(response.context["counts"]) >= people


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
