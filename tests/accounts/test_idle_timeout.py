"""The idle timeout without a session write per request (issue 18; accounts/idle.py): a request
within the minute writes no session, a later one pushes the expiry on, an idle session still ends
no later than the idle limit after its last request, and a partner's token request never reads
or writes a session."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.idle import LAST_REFRESH_KEY
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
PAGE = "/admin/"


def session_statements(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if '"django_session"' in q["sql"]]


def writes(queries) -> list[str]:
    return [sql for sql in session_statements(queries) if not sql.startswith("SELECT")]


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="idle-refresh", is_staff=True))
    return client


def test_a_request_within_the_minute_writes_no_session(staff_client):
    with time_machine.travel(START, tick=False) as clock:
        assert staff_client.get(PAGE).status_code == 200  # stamps the session: one save
        stamped = Session.objects.get().expire_date
        assert stamped == START + dt.timedelta(minutes=15)
        for seconds in (1, 30, 59):
            clock.move_to(START + dt.timedelta(seconds=seconds))
            with CaptureQueriesContext(connection) as queries:
                assert staff_client.get(PAGE).status_code == 200
            assert writes(queries) == []  # the session is read, never written
            assert len(session_statements(queries)) == 1
        assert Session.objects.get().expire_date == stamped


def test_a_request_after_the_minute_pushes_the_expiry_on(staff_client):
    with time_machine.travel(START, tick=False) as clock:
        staff_client.get(PAGE)
        clock.move_to(START + dt.timedelta(seconds=60))
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(PAGE).status_code == 200
        assert len([sql for sql in writes(queries) if sql.startswith("UPDATE")]) == 1
        session = Session.objects.get()
        assert session.expire_date == START + dt.timedelta(seconds=60, minutes=15)
        assert session.get_decoded()[LAST_REFRESH_KEY] == int(
            (START + dt.timedelta(seconds=60)).timestamp()
        )


def test_the_refresh_interval_is_a_setting(staff_client, settings):
    settings.SESSION_IDLE_REFRESH_SECONDS = 5
    with time_machine.travel(START, tick=False) as clock:
        staff_client.get(PAGE)
        clock.move_to(START + dt.timedelta(seconds=5))
        staff_client.get(PAGE)
        assert Session.objects.get().expire_date == START + dt.timedelta(seconds=5, minutes=15)


def test_an_idle_session_ends_no_later_than_the_limit_after_its_last_request(staff_client):
    with time_machine.travel(START, tick=False) as clock:
        staff_client.get(PAGE)  # refreshed: expires at START + 15 min
        clock.move_to(START + dt.timedelta(seconds=59))
        assert staff_client.get(PAGE).status_code == 200  # the last request: no refresh
        # Idle since then for less than 15 minutes, but 15 minutes past the last refresh: over.
        clock.move_to(START + dt.timedelta(minutes=15, seconds=1))
        response = staff_client.get(PAGE)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_active_every_fourteen_minutes_stays_logged_in(staff_client):
    with time_machine.travel(START, tick=False) as clock:
        staff_client.get(PAGE)
        for step in range(1, 5):
            clock.move_to(START + dt.timedelta(minutes=14 * step))
            assert staff_client.get(PAGE).status_code == 200
        assert Session.objects.get().expire_date == START + dt.timedelta(minutes=56 + 15)


def test_a_stale_session_cookie_makes_no_new_session(client):
    client.cookies["sessionid"] = "no-such-session-key-0123456789abcdef"
    client.get(PAGE)
    assert Session.objects.count() == 0


def test_a_token_request_touches_no_session(client):
    # (A partner's successful create: tests/api/test_intake_statements.py.)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/categories/", HTTP_AUTHORIZATION="Bearer pc_unknown")
    assert response.status_code == 401
    assert session_statements(queries) == []
    assert "sessionid" not in response.cookies
    assert Session.objects.count() == 0
