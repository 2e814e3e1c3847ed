"""The "live updates are unavailable" banner of live.js (console/static/console/live.js), with a
scripted socket (the pattern of test_pages_live_js.py): it appears when live updates are not on
within ``LIVE_QUEUE_GRACE_SECONDS`` — the page just opened, or the connection was lost — or at
once when the server closes the socket with 4503 (its channel layer or cache unreachable:
console/consumers/live.py), and it goes when a snapshot arrives again. A server that accepts the
socket and then closes it is not "on": live updates count only from the snapshot. The end to end
version, with a real server whose Redis goes away: tests/browser/test_live_unavailable.py.

Without /usr/bin/chromium the tests are skipped."""

from __future__ import annotations

import shutil

import pytest

from tests.console import test_pages_live_js as live

browser = live.browser
open_page = live.open_page
world = live.world
wait_until = live.wait_until
snapshot = live.snapshot

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed"),
]

BANNER = "#live-unavailable"
GRACE_SECONDS = 2


@pytest.fixture(autouse=True)
def short_grace(settings):
    settings.LIVE_QUEUE_GRACE_SECONDS = GRACE_SECONDS


def banner_text(page) -> str:
    return (page.text_content(BANNER) or "").strip()


def banner_shown(page) -> bool:
    return page.is_visible(BANNER) and "Live updates are unavailable" in banner_text(page)


def test_a_working_connection_shows_no_banner(world, open_page):
    page, server = open_page(world.agent)
    server.send(snapshot(world, 1, world.case))
    wait_until(page, lambda: page.get_attribute("#live-status", "data-state") == "connected")
    page.wait_for_timeout(GRACE_SECONDS * 1000 + 500)
    assert not page.is_visible(BANNER)
    assert page.get_attribute(BANNER, "role") == "alert"


def test_no_snapshot_within_the_grace_period_shows_the_banner(world, open_page):
    page, server = open_page(world.agent)  # the socket opens; the server never answers
    page.wait_for_timeout(GRACE_SECONDS * 1000 - 700)
    assert not page.is_visible(BANNER)  # not before the grace period is over
    wait_until(page, lambda: banner_shown(page), timeout_ms=2_000)
    assert "will not update by itself" in banner_text(page)
    assert "Reload" in banner_text(page)

    server.send(snapshot(world, 1, world.case))
    wait_until(page, lambda: not page.is_visible(BANNER))
    assert banner_text(page) == ""
    assert "Live updates are back" in live.announced(page)


def test_a_lost_connection_that_comes_back_in_time_shows_no_banner(world, open_page):
    page, server = open_page(world.agent)
    server.send(snapshot(world, 1, world.case))
    server.ws.close(code=1011, reason="server restart")
    wait_until(page, lambda: len(server.sockets) == 2, timeout_ms=4_000)  # first retry ≤ 1 s
    server.send(snapshot(world, 1, world.case))
    wait_until(page, lambda: page.get_attribute("#live-status", "data-state") == "connected")
    page.wait_for_timeout(GRACE_SECONDS * 1000 + 500)
    assert not page.is_visible(BANNER)


def test_a_connection_lost_for_longer_than_the_grace_period_shows_the_banner(world, open_page):
    page, server = open_page(world.agent)
    server.send(snapshot(world, 1, world.case))
    # Every reconnection is accepted and closed at once, like a server whose Redis is down
    # that did not say why: the socket opens, but live updates are not on.
    server.handler = lambda ws: (server.sockets.append(ws), ws.close(code=1011, reason="down"))
    page.route_web_socket(live.SOCKET, server.handler)
    server.ws.close(code=1011, reason="Redis went away")
    wait_until(page, lambda: banner_shown(page), timeout_ms=GRACE_SECONDS * 1000 + 2_000)
    assert page.get_attribute("#live-status", "data-state") in ("reconnecting", "connecting")


def test_the_server_saying_unavailable_shows_the_banner_at_once_and_retries(world, open_page):
    page, server = open_page(world.agent)
    server.ws.close(code=4503, reason="live updates unavailable")
    wait_until(page, lambda: banner_shown(page), timeout_ms=1_000)  # no grace period
    wait_until(page, lambda: len(server.sockets) == 2, timeout_ms=4_000)  # still retrying
    server.send(snapshot(world, 1, world.case))
    wait_until(page, lambda: not page.is_visible(BANNER))


@pytest.mark.parametrize("code", [4401, 4403])
def test_a_refused_socket_says_why_and_shows_no_banner(world, open_page, code):
    page, server = open_page(world.agent)
    server.ws.close(code=code, reason="refused")
    wait_until(page, lambda: page.get_attribute("#live-status", "data-state") == "stopped")
    page.wait_for_timeout(GRACE_SECONDS * 1000 + 500)
    assert not page.is_visible(BANNER)


def test_the_case_page_has_the_banner_too(world, open_page):
    page, server = open_page(world.agent, f"/console/cases/{world.case.reference}/")
    server.ws.close(code=4503, reason="live updates unavailable")
    wait_until(page, lambda: banner_shown(page), timeout_ms=1_000)
