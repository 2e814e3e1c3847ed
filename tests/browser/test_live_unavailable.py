"""Issue 17, "live features degrade with a visible banner", end to end: an agent's live queue in
Debian's chromium, on a live server whose Redis (channel layer and cache) is a ``redis-server``
this test starts, stops and starts again (tests/redis_server.py; never the shared one).

Live updates on, no banner → Redis stops: the server closes the socket with 4503 and keeps
refusing while Redis is down (console/consumers/live.py), the page shows its alert "Live updates
are unavailable …" and keeps retrying → Redis is back: the next attempt gets a snapshot and the
banner goes, without a reload. The server logs the outage as warnings, no traceback (the live
server fixture fails the test on any error in its log). The grace period for a socket that
silently never comes up: tests/console/test_pages_live_js_banner.py."""

from __future__ import annotations

import pytest
from guardian.shortcuts import assign_perm
from playwright.sync_api import expect

from accounts.roles import Role, ensure_role_groups
from tests.factories import QueueFactory, UserFactory
from tests.redis_server import REDIS_SERVER, OwnRedis

pytestmark = pytest.mark.skipif(
    REDIS_SERVER is None, reason="redis-server is not on PATH: this test stops a Redis of its own"
)

UNAVAILABLE = "Live updates are unavailable"


@pytest.fixture
def own_redis():
    server = OwnRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def live_server_environment(own_redis) -> dict[str, str]:
    return {"REDIS_URL": own_redis.url, "CHANNEL_LAYER_PREFIX": "pc-outage"}


@pytest.fixture
def agent(transactional_db):
    queue = QueueFactory(name="Billing", slug="billing")
    person = UserFactory(username="outage-ada", first_name="Ada", last_name="Tester")
    person.groups.add(ensure_role_groups()[Role.AGENT])
    assign_perm("cases.work_queue", person, queue)
    return person


def test_the_banner_shows_while_redis_is_down_and_goes_when_it_is_back(
    agent, own_redis, asgi_server, new_context
):
    page = new_context(agent).new_page()
    page.goto("/console/")
    status = page.locator("#live-status")
    banner = page.get_by_role("alert").filter(has_text=UNAVAILABLE)
    expect(status).to_have_text("Live updates on.")
    expect(banner).to_have_count(0)
    page.evaluate("window.loadedOnce = true")  # a reload would lose it

    own_redis.stop()
    expect(banner).to_be_visible(timeout=10_000)
    expect(banner).to_contain_text("will not update by itself")
    expect(status).not_to_have_text("Live updates on.")

    own_redis.start()  # the same port: the server's settings did not change
    expect(status).to_have_text("Live updates on.", timeout=35_000)  # backoff: at most 30 s
    expect(banner).to_have_count(0)
    assert page.evaluate("window.loadedOnce") is True  # no reload happened
    assert "live queue" in asgi_server.log()  # the outage was logged (as warnings)
