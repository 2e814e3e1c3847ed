"""The browser tests' live server itself: daphne serving the project (HTTP, static files and the
live-queue socket) on the test database, and chromium using it through a real login."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.test import Client
from guardian.shortcuts import assign_perm
from playwright.sync_api import expect

from accounts.roles import Role, ensure_role_groups
from tests.browser.websocket import WebSocket, refusal
from tests.factories import QueueFactory, UserFactory

LIVE = "/ws/console/live/"
PASSWORD = "browser-test-Passw0rd!"


@pytest.fixture
def agent(transactional_db):
    """An agent of one queue (Billing) whose password the live server can check: hashed with
    the server's default hasher, not the tests' fast one."""
    queue = QueueFactory(name="Billing", slug="billing")
    user = UserFactory(username="live-agent", first_name="Ada", last_name="Tester")
    user.groups.add(ensure_role_groups()[Role.AGENT])
    assign_perm("cases.work_queue", user, queue)
    user.password = make_password(PASSWORD, hasher=PBKDF2PasswordHasher())
    user.save(update_fields=["password"])
    return user


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def test_sockets_pass_the_origin_check_and_session_authentication(asgi_server, agent):
    host, port, origin = asgi_server.host, asgi_server.port, asgi_server.origin
    cookie = session_cookie(agent)

    assert refusal(host, port, LIVE, origin=origin) == 4401  # no session
    assert refusal(host, port, LIVE, origin="http://evil.example", cookie=cookie) == 403
    with WebSocket(host, port, LIVE, origin=origin, cookie=cookie) as socket:
        assert socket.status == 101
        snapshot = socket.receive_until(lambda message: message["type"] == "snapshot")
    assert [queue["name"] for queue in snapshot["queues"].values()] == ["Billing"]
    assert snapshot["cases"] == []


def test_chromium_logs_in_through_the_login_page_and_reaches_the_console(
    new_context, asgi_server, agent
):
    page = new_context().new_page()
    response = page.goto("/console/")  # anonymous: to the login page, and back after it
    assert response is not None and response.ok
    assert "/login/" in page.url
    page.get_by_label("Username").fill(agent.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/console/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # The page's own script and stylesheet come from the live server's static files.
    for path in ("/static/console/live.js", "/static/console/console.css"):
        assert page.request.get(path).ok, path
