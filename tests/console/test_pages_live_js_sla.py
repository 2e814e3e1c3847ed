"""SLA cells in live.js (console/static/console/live.js) with a scripted socket (the pattern of
test_pages_live_js.py): the state, its words and its class come only from the server — the page
as drawn, then each event's and snapshot's ``sla`` (``cases.sla_state``) — while the time detail
ticks in the browser; a state due to change with time that no event changed is refreshed with a
snapshot; the case page's cells follow the watched case.

Without /usr/bin/chromium the tests are skipped."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.choices import Status, Visibility
from cases.events import case_fields
from cases.models import Case
from tests.console import test_pages_live_js as live

# The browser, the logged-in page with a scripted socket, and the world of test_pages_live_js.
browser = live.browser
open_page = live.open_page
world = live.world
wait_until = live.wait_until

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed"),
]


def fields_at(case: Case, at) -> dict:
    """The case as an event or snapshot carries it, its SLA states computed at ``at``."""
    return case_fields(Case.objects.get(pk=case.pk), at)


def event_at(world, seq: int, case: Case, name: str, at) -> dict:
    return {
        "type": "event",
        "event": name,
        "seq": seq,
        "seq_queue_id": world.queue.pk,
        "at": at.isoformat(),
        **fields_at(case, at),
    }


def snapshot_at(world, seq: int, at, *cases: Case) -> dict:
    return {
        "type": "snapshot",
        "user_id": None,
        "queues": {str(world.queue.pk): {"seq": seq, "name": "Billing"}},
        "cases": [fields_at(case, at) for case in cases],
        "truncated": False,
    }


def row_cell(case: Case, target: str) -> str:
    return f'tr[data-case-id="{case.pk}"] [data-col="{target}"]'


def words(page, selector: str) -> str:
    """What a cell says after its due time: label and detail."""
    return page.eval_on_selector(
        selector,
        "cell => Array.from(cell.childNodes).filter(n => n.nodeName !== 'TIME' &&"
        " n.nodeName !== 'BR').map(n => n.textContent).join('').trim()",
    )


def set_due(case: Case, **fields) -> None:
    Case.objects.filter(pk=case.pk).update(**fields)


def test_the_detail_ticks_but_the_state_changes_only_from_the_server(world, open_page):
    start = timezone.now()
    set_due(world.case, first_response_due_at=start + timedelta(minutes=31, seconds=30))
    page, server = open_page(world.agent)
    first = row_cell(world.case, "first_response")
    assert words(page, first) == "On time, due in 31 min"
    assert page.get_attribute(first, "class") == "sla sla-ok"

    page.clock.install()
    page.clock.fast_forward("02:00")
    # The countdown ticks; the state does not change by itself (the sweep announces it).
    wait_until(page, lambda: words(page, first) == "On time, due in 29 min")
    assert page.get_attribute(first, "class") == "sla sla-ok"

    server.send(snapshot_at(world, 10, start + timedelta(minutes=2), world.case))
    server.send(event_at(world, 11, world.case, "case.sla_warning", start + timedelta(minutes=2)))
    wait_until(page, lambda: page.get_attribute(first, "class") == "sla sla-soon")
    assert words(page, first).startswith("Due soon, due in ")
    assert page.get_attribute(first, "data-state") == "warning"

    page.clock.fast_forward("31:00")  # past the due time, before the breach is announced
    wait_until(page, lambda: words(page, first) == "Due soon, due now")
    assert page.get_attribute(first, "class") == "sla sla-soon"

    breached_at = start + timedelta(minutes=33)
    server.send(event_at(world, 12, world.case, "case.sla_breached", breached_at))
    wait_until(page, lambda: page.get_attribute(first, "class") == "sla sla-overdue")
    assert words(page, first).startswith("Breached, overdue by ")
    assert page.get_attribute(first, "data-state") == "breached"


def test_a_first_response_met_late_shows_met_late_in_the_live_row(world, open_page):
    set_due(world.case, first_response_due_at=timezone.now() + timedelta(hours=2))
    page, server = open_page(world.agent)
    first = row_cell(world.case, "first_response")
    assert page.get_attribute(first, "class") == "sla sla-ok"
    server.send(snapshot_at(world, 20, timezone.now(), world.case))

    set_due(world.case, first_response_due_at=timezone.now() - timedelta(minutes=45))
    services.case_claim(actor=world.agent, case=world.case)
    services.case_add_note(
        actor=world.agent, case=world.case, body="Hello.", visibility=Visibility.PATIENT
    )
    server.send(event_at(world, 21, world.case, "case.message_added", timezone.now()))

    wait_until(page, lambda: page.get_attribute(first, "class") == "sla sla-met-late")
    assert words(page, first) == "Met late, 45 min after its due time"
    assert page.get_attribute(first, "data-state") == "met_late"
    label = page.eval_on_selector(
        f"{first} .sla-label", "e => getComputedStyle(e, '::before').content"
    )
    assert "✓" not in label  # never "✓ Met"
    assert "Met on time" not in page.text_content("#live-queue")


def test_a_stopped_clock_comes_from_the_event_and_does_not_tick(world, open_page):
    set_due(
        world.case,
        first_response_due_at=timezone.now() + timedelta(hours=1),
        resolution_due_at=timezone.now() + timedelta(hours=8),
    )
    page, server = open_page(world.agent)
    server.send(snapshot_at(world, 30, timezone.now(), world.case))
    services.case_claim(actor=world.agent, case=world.case)
    services.case_transition(actor=world.agent, case=world.case, to_status=Status.IN_PROGRESS)
    services.case_transition(
        actor=world.agent, case=world.case, to_status=Status.WAITING_ON_PATIENT
    )
    set_due(world.case, sla_paused_at=timezone.now())  # no policy here: stop it as one would
    server.send(event_at(world, 31, world.case, "case.status_changed", timezone.now()))
    resolution = row_cell(world.case, "resolution")
    wait_until(page, lambda: page.get_attribute(resolution, "class") == "sla sla-paused")
    before = words(page, resolution)
    assert before.startswith("Clock stopped, ") and before.endswith(" left")
    page.clock.install()
    page.clock.fast_forward("20:00")
    page.wait_for_timeout(200)
    assert words(page, resolution) == before
    assert {"type": "resync"} not in server.received  # nothing is due to change


def test_a_change_no_event_announced_is_fetched_once_as_a_snapshot(world, open_page, monkeypatch):
    monkeypatch.setattr("console.views.common.SLA_REFRESH_AFTER_SECONDS", 5)
    start = timezone.now()
    set_due(world.case, first_response_due_at=start + timedelta(minutes=31))
    page, server = open_page(world.agent)
    first = row_cell(world.case, "first_response")
    server.send(snapshot_at(world, 40, start, world.case))
    page.clock.install()
    page.clock.fast_forward("02:00")  # due soon 60 s ago: past the grace (5 s + under 30 s)
    wait_until(page, lambda: {"type": "resync"} in server.received)
    assert page.get_attribute(first, "class") == "sla sla-ok"  # still the server's last word
    server.send(snapshot_at(world, 40, start + timedelta(minutes=2), world.case))
    wait_until(page, lambda: page.get_attribute(first, "class") == "sla sla-soon")
    page.clock.fast_forward("00:10")
    page.wait_for_timeout(200)
    assert server.received.count({"type": "resync"}) == 1  # once per cell and moment


def test_the_case_page_cells_follow_the_watched_case(world, open_page):
    set_due(world.case, first_response_due_at=timezone.now() + timedelta(hours=2))
    page, server = open_page(world.agent, f"/console/cases/{world.case.reference}/")
    wait_until(page, lambda: {"type": "watch", "case_id": world.case.pk} in server.received)
    first = 'dd.sla[data-col="first_response"]'
    assert page.get_attribute(first, "class") == "sla sla-ok"

    set_due(world.case, first_response_due_at=timezone.now() - timedelta(minutes=5))
    services.case_claim(actor=world.agent, case=world.case)
    services.case_add_note(
        actor=world.agent, case=world.case, body="Hello.", visibility=Visibility.PATIENT
    )
    server.send(event_at(world, 3, world.case, "case.message_added", timezone.now()))
    wait_until(page, lambda: page.get_attribute(first, "class") == "sla sla-met-late")
    assert words(page, first) == "Met late, 5 min after its due time"
    assert page.is_visible("#case-changed")
