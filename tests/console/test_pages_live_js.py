"""live.js (console/static/console/live.js) in Debian's chromium, against the real pages, with the
WebSocket answered by the test (Playwright's ``route_web_socket``): the protocol's every message
(snapshot, event, skip, heartbeat, presence, revoked), gap detection and resync, reconnecting,
names of assignees, filters, and the case page's collision warning (the SLA cells:
test_pages_live_js_sla.py).

The server side of the socket (console/consumers/) has its own tests (test_consumer.py), and
tests/browser/ runs both together end to end; here the script's own logic is pinned message by
message, which a real server cannot be made to misbehave for on demand (lost events, gaps).

The pages come from pytest-django's live server (same process, same database). Without
/usr/bin/chromium the tests are skipped."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client
from django.utils import timezone

from cases import services
from cases.choices import Priority
from cases.events import case_fields
from cases.models import Case
from tests.console.pages_world import build_world
from tests.factories import make_case

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SOCKET = re.compile(r"/ws/console/live/$")
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed"),
]


class FakeServer:
    """The socket's far end: every connection the page opens, and what the page sent."""

    def __init__(self) -> None:
        self.sockets: list = []
        self.received: list[dict] = []

    def handler(self, ws) -> None:
        self.sockets.append(ws)
        ws.on_message(lambda message: self.received.append(json.loads(message)))

    @property
    def ws(self):
        return self.sockets[-1]

    def send(self, message: dict) -> None:
        self.ws.send(json.dumps(message))

    def sent_types(self) -> list[str]:
        return [message["type"] for message in self.received]


@pytest.fixture
def browser(live_server, transactional_db, monkeypatch):
    """Chromium under Playwright for one test. Playwright's synchronous API runs an asyncio loop
    in this thread while it is started, and Django then refuses ORM calls and keeps connections
    per asyncio context: the flag allows the test's plain synchronous calls, and the test's
    connection is pinned so they use the database the live server sees (as tests/browser/ do)."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    test_connection = connections[DEFAULT_DB_ALIAS]
    with sync_playwright() as playwright:
        connections[DEFAULT_DB_ALIAS] = test_connection
        try:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            try:
                yield chromium
            finally:
                chromium.close()
        finally:
            del connections[DEFAULT_DB_ALIAS]


@pytest.fixture
def world(transactional_db):
    return build_world()


@pytest.fixture
def open_page(browser, live_server):
    """``open_page(user, path)``: a logged-in page whose socket is the returned FakeServer. A
    script error on any page fails the test (an error in one handler otherwise only shows as a
    row that never changes)."""
    contexts = []
    errors: list[str] = []

    def open_(user, path="/console/"):
        client = Client()
        client.force_login(user)
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(5_000)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{path}: {error}"))
        server = FakeServer()
        page.route_web_socket(SOCKET, server.handler)
        page.goto(path)
        wait_until(page, lambda: server.sockets)
        return page, server

    yield open_
    for context in contexts:
        context.close()
    assert not errors, f"live.js raised in the browser: {errors}"


def wait_until(page, condition, timeout_ms: int = 5_000):
    """Let the page run (and Playwright deliver socket messages) until ``condition()``."""
    waited = 0
    while not condition():
        if waited >= timeout_ms:
            raise AssertionError("condition not met in time")
        page.wait_for_timeout(50)
        waited += 50


def fields(case: Case, **changes) -> dict:
    return {**case_fields(Case.objects.get(pk=case.pk)), **changes}


def snapshot(world, seq: int, *cases: Case, **changes) -> dict:
    return {
        "type": "snapshot",
        "user_id": None,
        "queues": {str(world.queue.pk): {"seq": seq, "name": "Billing"}},
        "cases": [fields(case, **changes) for case in cases],
        "truncated": False,
    }


def event(world, seq: int, case: Case, name: str = "case.updated", **changes) -> dict:
    return {
        "type": "event",
        "event": name,
        "seq": seq,
        "seq_queue_id": world.queue.pk,
        "at": timezone.now().isoformat(),
        **fields(case, **changes),
    }


def references(page) -> list[str]:
    return page.eval_on_selector_all(
        "#live-queue tbody tr", "rows => rows.map(r => r.dataset.reference)"
    )


def cell(page, case: Case, column: str) -> str:
    return page.text_content(f'tr[data-case-id="{case.pk}"] [data-col="{column}"]').strip()


def announced(page) -> str:
    page.wait_for_timeout(1_200)  # announcements are batched for a second
    return page.text_content("#console-announcer")


# --- snapshot, events, gaps -----------------------------------------------------------------------


def test_the_snapshot_replaces_the_table_and_events_keep_it_current(world, open_page):
    page, server = open_page(world.agent)
    assert references(page) == [world.case.reference]
    newer = make_case(actor=world.intake, category=world.category, priority=Priority.URGENT)

    server.send(snapshot(world, 40, world.case, newer))
    wait_until(page, lambda: len(references(page)) == 2)
    assert references(page) == [newer.reference, world.case.reference]  # most urgent first
    assert page.text_content("#live-status").strip() == "Live updates on."

    # A new case arrives as an event: a row built from its fields, with a Claim button.
    third = make_case(actor=world.intake, category=world.category)
    server.send(event(world, 41, third, "case.opened"))
    wait_until(page, lambda: third.reference in references(page))
    assert references(page) == [newer.reference, world.case.reference, third.reference]
    assert cell(page, third, "category") == "Statement question"
    assert cell(page, third, "status") == "New"
    assert cell(page, third, "assignee") == "Unassigned"
    button = page.get_by_role("button", name=f"Claim case {third.reference}")
    assert button.is_visible()
    assert f"New case {third.reference} in Billing." in announced(page)

    # Claimed by a queue member: named from the page's names.
    server.send(event(world, 42, third, "case.assigned", assigned_to_id=world.agent2.pk))
    wait_until(page, lambda: cell(page, third, "assignee") == "Claimed by Bo Tester")
    assert page.get_by_role("button", name=f"Claim case {third.reference}").count() == 0
    assert "claimed by bo tester" in announced(page).lower()

    # Resolved: it leaves the queue.
    server.send(event(world, 43, third, "case.status_changed", status="resolved"))
    wait_until(page, lambda: third.reference not in references(page))
    assert "resync" not in server.sent_types()


def test_a_gap_in_the_sequence_asks_for_a_resync(world, open_page):
    page, server = open_page(world.agent)
    server.send(snapshot(world, 10, world.case))
    wait_until(page, lambda: page.get_attribute("#live-status", "data-state") == "connected")
    lost = make_case(actor=world.intake, category=world.category)
    after = make_case(actor=world.intake, category=world.category)

    server.send(event(world, 12, after, "case.opened"))  # 11 was lost
    wait_until(page, lambda: "resync" in server.sent_types())
    assert after.reference not in references(page)  # not applied: the snapshot will say

    server.send(snapshot(world, 12, world.case, lost, after))
    wait_until(page, lambda: len(references(page)) == 3)
    # From the snapshot on, 13 is the next; an old number is ignored.
    server.send(event(world, 12, world.case, assigned_to_id=world.agent2.pk))
    server.send(event(world, 13, lost, assigned_to_id=world.agent2.pk))
    wait_until(page, lambda: cell(page, lost, "assignee") == "Claimed by Bo Tester")
    assert cell(page, world.case, "assignee") == "Unassigned"
    assert server.sent_types().count("resync") == 1


def test_a_heartbeat_ahead_of_the_last_event_asks_for_a_resync(world, open_page):
    page, server = open_page(world.agent)
    server.send(snapshot(world, 5, world.case))
    server.send({"type": "heartbeat", "queues": {str(world.queue.pk): 5}})
    page.wait_for_timeout(300)
    assert "resync" not in server.sent_types()
    server.send({"type": "heartbeat", "queues": {str(world.queue.pk): 6}})  # the last one lost
    wait_until(page, lambda: "resync" in server.sent_types())


def test_a_skip_moves_the_sequence_on_without_a_case(world, open_page):
    """An event the user may not see (a sensitive case) still uses a number: the server sends
    ``skip`` so that the hole is not taken for a lost event."""
    page, server = open_page(world.agent)
    server.send(snapshot(world, 7, world.case))
    server.send({"type": "skip", "queue_id": world.queue.pk, "seq": 8})
    server.send(event(world, 9, world.case, assigned_to_id=world.agent2.pk))
    wait_until(page, lambda: cell(page, world.case, "assignee") == "Claimed by Bo Tester")
    assert "resync" not in server.sent_types()


def test_a_skip_naming_a_case_just_made_sensitive_drops_its_row(world, open_page):
    """Issue 15: a case marked sensitive leaves the list of an agent who may not see it at
    once (the server's skip names it: ``hide_case_id``); the numbering stays in order."""
    other = make_case(actor=world.intake, category=world.category)
    page, server = open_page(world.agent)
    server.send(snapshot(world, 7, world.case, other))
    wait_until(page, lambda: len(references(page)) == 2)
    server.send(
        {"type": "skip", "queue_id": world.queue.pk, "seq": 8, "hide_case_id": world.case.pk}
    )
    wait_until(page, lambda: references(page) == [other.reference])
    assert "restricted to people cleared for sensitive records" in announced(page)
    server.send(event(world, 9, other, assigned_to_id=world.agent2.pk))
    wait_until(page, lambda: cell(page, other, "assignee") == "Claimed by Bo Tester")
    assert "resync" not in server.sent_types()


def test_the_case_page_says_when_its_case_was_made_sensitive(world, open_page):
    page, server = open_page(world.agent, f"/console/cases/{world.case.reference}/")
    server.send(snapshot(world, 3))
    server.send(
        {"type": "skip", "queue_id": world.queue.pk, "seq": 4, "hide_case_id": world.case.pk}
    )
    wait_until(page, lambda: page.is_visible("#case-changed"))
    assert "no longer work on it" in page.text_content("#case-changed")


def test_an_unknown_assignee_is_named_from_the_server(world, open_page):
    page, server = open_page(world.agent)
    server.send(snapshot(world, 1, world.case))
    services.case_assign(actor=world.root, case=world.case, assignee=world.foreign)
    server.send(event(world, 2, world.case, "case.assigned"))
    # First "another agent", then the name the row fragment gives.
    wait_until(page, lambda: cell(page, world.case, "assignee") == "Claimed by Fay Tester")


def test_filters_apply_to_live_rows(world, open_page):
    page, server = open_page(world.agent, f"/console/?priority={Priority.URGENT}")
    server.send(snapshot(world, 1, world.case))
    page.wait_for_timeout(200)
    assert references(page) == []
    assert page.is_visible("#queue-empty")
    urgent = make_case(actor=world.intake, category=world.category, priority=Priority.URGENT)
    normal = make_case(actor=world.intake, category=world.category)
    server.send(event(world, 2, normal, "case.opened"))
    server.send(event(world, 3, urgent, "case.opened"))
    wait_until(page, lambda: references(page) == [urgent.reference])
    assert not page.is_visible("#queue-empty")
    # The row's claim button posts the page's one claim form, which keeps the page's filters
    # for the refusal page (issue 18).
    button = f'tr[data-case-id="{urgent.pk}"] button'
    assert page.get_attribute(button, "form") == "claim-form"
    assert page.get_attribute(button, "name") == "case"
    assert page.get_attribute(button, "value") == urgent.reference
    action = page.get_attribute("#claim-form", "action")
    assert action.endswith(f"/console/claim/?priority={Priority.URGENT}")


def test_a_case_moved_to_a_queue_i_do_not_work_leaves_the_table(world, open_page):
    """The old queue's group hears of the move (numbered in the old queue's sequence); the case
    now names the new queue, which this user does not work."""
    page, server = open_page(world.agent)
    server.send(snapshot(world, 3, world.case))
    server.send(event(world, 4, world.case, queue_id=world.other.pk))
    wait_until(page, lambda: references(page) == [])
    assert "resync" not in server.sent_types()


def test_my_cases_keep_rows_of_queues_the_socket_does_not_cover(world, open_page):
    """A case assigned to me in a queue I do not work reaches "my cases" from the server; the
    socket's snapshot (my queues only) must not drop it."""
    services.case_assign(actor=world.root, case=world.foreign_case, assignee=world.agent)
    page, server = open_page(world.agent, "/console/mine/")
    assert references(page) == [world.foreign_case.reference]
    server.send(snapshot(world, 1, world.case))
    page.wait_for_timeout(300)
    assert references(page) == [world.foreign_case.reference]


def test_my_cases_follow_assignments(world, open_page):
    page, server = open_page(world.agent, "/console/mine/")
    server.send(snapshot(world, 1, world.case))
    page.wait_for_timeout(200)
    assert references(page) == []
    server.send(event(world, 2, world.case, "case.assigned", assigned_to_id=world.agent.pk))
    wait_until(page, lambda: references(page) == [world.case.reference])
    assert cell(page, world.case, "assignee") == "You"
    server.send(event(world, 3, world.case, "case.assigned", assigned_to_id=None))
    wait_until(page, lambda: references(page) == [])


# --- connection ---------------------------------------------------------------------------------


def test_the_page_reconnects_and_starts_again_from_a_snapshot(world, open_page):
    page, server = open_page(world.agent)
    server.send(snapshot(world, 1, world.case))
    server.ws.close(code=1011, reason="server restart")
    wait_until(page, lambda: page.get_attribute("#live-status", "data-state") == "reconnecting")
    assert "reconnecting in" in page.text_content("#live-status")
    wait_until(page, lambda: len(server.sockets) == 2, timeout_ms=4_000)  # first retry ≤ 1 s
    newer = make_case(actor=world.intake, category=world.category)
    server.send(snapshot(world, 9, world.case, newer))
    wait_until(page, lambda: len(references(page)) == 2)
    assert page.get_attribute("#live-status", "data-state") == "connected"


def test_revoked_access_empties_the_table_and_stops(world, open_page):
    page, server = open_page(world.agent)
    server.send(snapshot(world, 1, world.case))
    server.send({"type": "revoked"})
    wait_until(page, lambda: references(page) == [])
    assert "access to these queues was removed" in page.text_content("#live-status")
    page.wait_for_timeout(1_500)
    assert len(server.sockets) == 1  # no reconnecting


@pytest.mark.parametrize(
    ("code", "text"), [(4401, "session has ended"), (4403, "not a member of any queue")]
)
def test_a_refused_socket_is_not_retried(world, open_page, code, text):
    page, server = open_page(world.agent)
    server.ws.close(code=code, reason="refused")
    wait_until(page, lambda: text in page.text_content("#live-status"))
    page.wait_for_timeout(1_500)
    assert len(server.sockets) == 1


def test_presence_in_the_queue(world, open_page):
    page, server = open_page(world.agent)
    server.send(
        {
            "type": "presence",
            "queue_id": world.queue.pk,
            "online": [
                {"id": world.agent.pk, "name": "Ada"},
                {"id": world.agent2.pk, "name": "Bo"},
            ],
        }
    )
    wait_until(page, lambda: page.is_visible("#presence"))
    assert page.text_content("#presence") == "Online in Billing: Ada, Bo."


# --- the case page ------------------------------------------------------------------------------


def test_the_case_page_watches_its_case_and_warns_of_others(world, open_page):
    page, server = open_page(world.agent, f"/console/cases/{world.case.reference}/")
    wait_until(page, lambda: {"type": "watch", "case_id": world.case.pk} in server.received)
    assert not page.is_visible("#collision")

    server.send(
        {
            "type": "presence",
            "case_id": world.case.pk,
            "viewers": [
                {"id": world.agent.pk, "name": "Ada Tester"},
                {"id": world.agent2.pk, "name": "Bo Tester"},
            ],
        }
    )
    wait_until(page, lambda: page.is_visible("#collision"))
    assert "Also viewing this case: Bo Tester." in page.text_content("#collision")

    server.send({"type": "presence", "case_id": world.case.pk, "viewers": []})
    wait_until(page, lambda: not page.is_visible("#collision"))

    server.send(event(world, 5, world.case, "case.assigned", assigned_to_id=world.agent2.pk))
    wait_until(page, lambda: page.is_visible("#case-changed"))
    changed = page.text_content("#case-changed")
    assert "This case changed while you were viewing it." in changed
    assert "Claimed by another agent." in changed  # the case page knows only its own people
    assert page.get_by_role("link", name="Reload to see the latest").is_visible()
