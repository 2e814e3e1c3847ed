""" "More cases" in live.js (issue 18) with a scripted socket (the pattern of
test_pages_live_js.py): the queue page shows its first page (``CONSOLE_QUEUE_PAGE_SIZE``; 2 here),
the link appends the page after the table's current last row in place (no gap when the live feed
moved rows meanwhile), the rows it brought stay current, their Claim buttons post the one claim
form; a later page opened without the script (``?after=``) keeps its rows current and adds none.
The server's side: tests/console/test_pages_queue_paging.py.

Without /usr/bin/chromium the tests are skipped."""

from __future__ import annotations

import shutil

import pytest

from cases.choices import Priority
from cases.models import Case
from tests.console import test_pages_live_js as live
from tests.factories import make_case

# The browser, the logged-in page with a scripted socket, and the world of test_pages_live_js.
browser = live.browser
open_page = live.open_page
world = live.world
wait_until = live.wait_until
references = live.references
snapshot = live.snapshot
event = live.event
cell = live.cell

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def cases(world, settings):
    """Pages of two rows; five open cases in Billing, in the queue's order."""
    settings.CONSOLE_QUEUE_PAGE_SIZE = 2
    more = [make_case(actor=world.intake, category=world.category) for _ in range(4)]
    return [world.case, *more]


def refs(cases) -> list[str]:
    return [case.reference for case in cases]


def test_more_cases_appends_the_next_page_in_place(world, cases, open_page):
    page, server = open_page(world.agent)
    assert references(page) == refs(cases[:2])
    server.send(snapshot(world, 1, *cases))
    page.wait_for_timeout(200)
    assert references(page) == refs(cases[:2])  # the snapshot fills the page, no more
    page.evaluate("window.notReloaded = true")

    page.get_by_role("link", name="More cases").click()
    wait_until(page, lambda: len(references(page)) == 4)
    assert references(page) == refs(cases[:4])
    # Keyboard users go on from the first new row.
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == cases[2].reference
    page.get_by_role("link", name="More cases").click()
    wait_until(page, lambda: len(references(page)) == 5)
    assert page.get_by_role("link", name="More cases").count() == 0  # that was all
    assert page.evaluate("window.notReloaded") is True
    assert "resync" not in server.sent_types()

    # What the page shows now stays current: a snapshot keeps all five rows, events update them.
    server.send(snapshot(world, 2, *cases))
    page.wait_for_timeout(200)
    assert references(page) == refs(cases)
    server.send(event(world, 3, cases[4], "case.assigned", assigned_to_id=world.agent2.pk))
    wait_until(page, lambda: cell(page, cases[4], "assignee") == "Claimed by Bo Tester")


def test_more_cases_follows_the_rows_the_live_feed_moved(world, cases, open_page):
    """An urgent case arrives on the first page and pushes its last row off: "More cases" asks
    for the page after the row now last, so the pushed row comes back, not skipped."""
    page, server = open_page(world.agent)
    server.send(snapshot(world, 1, *cases))
    urgent = make_case(actor=world.intake, category=world.category, priority=Priority.URGENT)
    server.send(event(world, 2, urgent, "case.opened"))
    wait_until(page, lambda: references(page) == [urgent.reference, cases[0].reference])
    page.get_by_role("link", name="More cases").click()
    wait_until(page, lambda: len(references(page)) == 4)
    assert references(page) == [urgent.reference, *refs(cases[:3])]


def test_a_row_from_more_cases_claims_through_the_one_form(world, cases, open_page):
    page, server = open_page(world.agent)
    server.send(snapshot(world, 1, *cases))
    page.get_by_role("link", name="More cases").click()
    wait_until(page, lambda: len(references(page)) == 4)
    with page.expect_navigation():
        page.get_by_role("button", name=f"Claim case {cases[3].reference}").click()
    assert page.url.endswith(f"/console/cases/{cases[3].reference}/")
    assert page.get_by_text(f"You claimed case {cases[3].reference}.").is_visible()
    assert Case.objects.get(pk=cases[3].pk).assigned_to == world.agent


def test_a_later_page_keeps_its_rows_current_and_adds_none(world, cases, open_page):
    page, server = open_page(world.agent, f"/console/?after={cases[1].pk}")
    assert references(page) == refs(cases[2:4])
    assert page.get_by_role("link", name="Back to the most urgent cases").is_visible()
    # The snapshot (all the queue's cases) neither refills the page from the top nor adds rows.
    server.send(snapshot(world, 1, *cases))
    page.wait_for_timeout(300)
    assert references(page) == refs(cases[2:4])
    # A new case belongs on the first page: not here.
    newer = make_case(actor=world.intake, category=world.category, priority=Priority.URGENT)
    server.send(event(world, 2, newer, "case.opened"))
    # Its rows change and leave as on the first page.
    server.send(event(world, 3, cases[2], "case.assigned", assigned_to_id=world.agent2.pk))
    wait_until(page, lambda: cell(page, cases[2], "assignee") == "Claimed by Bo Tester")
    server.send(event(world, 4, cases[3], "case.status_changed", status="resolved"))
    wait_until(page, lambda: references(page) == refs(cases[2:3]))
    # A snapshot without a row of the page (no longer open) drops it.
    server.send(snapshot(world, 5, *cases[:2]))
    wait_until(page, lambda: references(page) == [])
    assert "resync" not in server.sent_types()
