"""Escalations on the console pages: the queue page's "Escalations for you" as the server draws
it (first paint, through the read path), and live.js keeping it current from a scripted socket
(the pattern of test_pages_live_js.py): the snapshot's ``escalations``, ``escalation`` messages
counted in the queue's sequence with the case events, the emergent alert, and the case page
fetching its emergency banner again when the case is escalated.

Without /usr/bin/chromium the browser tests are skipped (the first-paint tests still run)."""

from __future__ import annotations

import re
import shutil

import pytest
from django.urls import reverse
from django.utils import timezone

from escalations import services
from escalations.choices import Outcome, PathwayKind, Urgency
from escalations.events import EscalationEventName, escalation_fields
from escalations.models import Escalation, EscalationPathway
from tests.console import test_pages_live_js as live
from tests.console.pages_world import FOREIGN_PATIENT, login, page_text

# The browser, the logged-in page with a scripted socket, and the world of test_pages_live_js.
browser = live.browser
open_page = live.open_page
world = live.world
event, snapshot, wait_until = live.event, live.snapshot, live.wait_until

QUEUE = reverse("console:queue")
SITUATION = "Synthetic situation words"
needs_chromium = pytest.mark.skipif(
    not shutil.which("chromium"), reason="Debian's chromium is not installed"
)
pytestmark = pytest.mark.django_db(transaction=True)


def nurse_pathway(world) -> EscalationPathway:
    """A pathway whose recipients are Billing's members (Ada, Bo)."""
    return EscalationPathway.objects.create(
        name="Nurse triage",
        kind=PathwayKind.NURSE_TRIAGE,
        recipient_queue=world.queue,
        acknowledgement_minutes=30,
    )


def escalate(world, case, pathway, urgency, actor=None) -> Escalation:
    return services.escalation_open(
        actor=actor or world.foreign,
        case=case,
        pathway=pathway,
        urgency=urgency,
        reason="Synthetic reason",
        situation=SITUATION,
        assessment="Synthetic assessment",
        recommendation="Synthetic recommendation",
    )


def foreign_cases(world, n: int) -> list:
    """``n`` more Pharmacy cases (Fay escalates them to Billing's nurse line)."""
    from tests.factories import make_case

    return [make_case(actor=world.intake, category=world.other_category) for _ in range(n)]


def fields_of(escalation: Escalation) -> dict:
    return escalation_fields(
        Escalation.objects.select_related("case", "pathway").get(pk=escalation.pk)
    )


def message(world, seq: int, escalation: Escalation, name: str, **changes) -> dict:
    return {
        "type": "escalation",
        "event": name,
        "seq": seq,
        "seq_queue_id": world.queue.pk,
        "at": timezone.now().isoformat(),
        **fields_of(escalation),
        **changes,
    }


def escalation_ids(page) -> list[int]:
    return page.eval_on_selector_all(
        "#escalations-table tbody tr", "rows => rows.map(r => Number(r.dataset.escalationId))"
    )


def escalation_cell(page, escalation: Escalation, column: str) -> str:
    selector = f'#escalations-table tr[data-escalation-id="{escalation.pk}"] [data-col="{column}"]'
    return page.text_content(selector).strip()


def alert_region(html: str) -> str:
    return html.split('id="escalation-alert" class="escalation-alerts">', 1)[1].split("</div>")[0]


def table_ids(html: str) -> list[int]:
    table = html.split('id="escalations-table"', 1)[1].split("</table>", 1)[0]
    return [int(pk) for pk in re.findall(r'data-escalation-id="(\d+)"', table)]


# --- first paint (no JavaScript) ------------------------------------------------------------------


def test_the_queue_page_lists_the_escalations_addressed_to_the_user(client, world):
    pathway = nurse_pathway(world)
    routine_case, emergent_case = foreign_cases(world, 2)
    routine = escalate(world, routine_case, pathway, Urgency.ROUTINE)
    emergent = escalate(world, emergent_case, pathway, Urgency.EMERGENT)
    resolved = escalate(world, world.foreign_case, pathway, Urgency.URGENT)
    services.escalation_resolve(
        actor=world.agent, escalation=resolved, outcome=Outcome.ADVICE_GIVEN
    )

    response = login(client, world.agent).get(QUEUE)
    assert response.status_code == 200
    html = page_text(response)
    assert table_ids(html) == [emergent.pk, routine.pk]  # most urgent first; resolved gone
    row = html.split(f'data-escalation-id="{emergent.pk}"', 2)[2].split("</tr>", 1)[0]
    assert reverse("console:case", args=[emergent_case.reference]) in row
    assert "priority-40" in row and ">Emergent<" in row  # red, and in words
    assert "Nurse triage" in row
    assert re.search(r"Acknowledge within (9|10) min", row)  # emergent: a third of 30 min
    # The emergent one waits in the alert region too, until someone acknowledges it.
    alert = alert_region(html)
    assert f"Emergent escalation: {emergent_case.reference} to Nurse triage." in alert
    assert 'role="alert"' in alert
    # References and workflow only: no patient, no SBAR.
    assert FOREIGN_PATIENT[1] not in html and SITUATION not in html
    assert 'id="escalations-empty" class="queue-empty" hidden' in html


def test_escalations_to_other_queues_are_not_listed(client, world):
    pathway = nurse_pathway(world)
    escalate(world, world.foreign_case, pathway, Urgency.EMERGENT)
    # Fay escalated it; she works Pharmacy, not the nurse line's queue.
    html = page_text(login(client, world.foreign).get(QUEUE))
    assert table_ids(html) == []
    assert "No escalation is waiting for your queues." in html
    assert 'id="escalations-empty" class="queue-empty">' in html


def test_an_acknowledged_escalation_shows_it_and_no_alert(client, world):
    pathway = nurse_pathway(world)
    escalation = escalate(world, world.foreign_case, pathway, Urgency.EMERGENT)
    services.escalation_acknowledge(actor=world.agent2, escalation=escalation)
    html = page_text(login(client, world.agent).get(QUEUE))
    assert table_ids(html) == [escalation.pk]
    alert = alert_region(html)
    assert alert == ""
    assert "sla-met" in html and ">Acknowledged<" in html


# --- live.js ----------------------------------------------------------------------------------


@needs_chromium
def test_the_snapshot_and_messages_keep_the_escalations_current(world, open_page):
    pathway = nurse_pathway(world)
    routine_case, emergent_case = foreign_cases(world, 2)
    routine = escalate(world, routine_case, pathway, Urgency.ROUTINE)
    page, server = open_page(world.agent)
    assert escalation_ids(page) == [routine.pk]  # the server's first paint

    server.send({**snapshot(world, 20, world.case), "escalations": [fields_of(routine)]})
    wait_until(page, lambda: page.get_attribute("#live-status", "data-state") == "connected")
    assert escalation_ids(page) == [routine.pk]
    assert escalation_cell(page, routine, "urgency") == "Routine"
    assert escalation_cell(page, routine, "status") == "Waiting for acknowledgement"
    assert "Acknowledge within" in escalation_cell(page, routine, "acknowledgement")

    # An emergent escalation arrives: on top, red, and announced in the alert region.
    emergent = escalate(world, emergent_case, pathway, Urgency.EMERGENT)
    server.send(message(world, 21, emergent, EscalationEventName.OPENED))
    wait_until(page, lambda: escalation_ids(page) == [emergent.pk, routine.pk])
    badge = f'tr[data-escalation-id="{emergent.pk}"] [data-col="urgency"] span'
    assert "priority-40" in page.get_attribute(badge, "class")
    alert = page.get_by_role("alert").filter(has_text="Emergent escalation")
    assert alert.text_content().startswith(
        f"Emergent escalation: {emergent_case.reference} to Nurse triage."
    )
    link = page.get_by_role("link", name=f"Open case {emergent_case.reference}")
    assert link.get_attribute("href") == reverse("console:case", args=[emergent_case.reference])

    # Acknowledged: the row says so, the alert goes.
    server.send(
        message(
            world,
            22,
            emergent,
            EscalationEventName.ACKNOWLEDGED,
            status="acknowledged",
            acknowledged_by_id=world.agent2.pk,
            acknowledged_at=timezone.now().isoformat(),
        )
    )
    wait_until(page, lambda: escalation_cell(page, emergent, "status") == "Acknowledged")
    assert escalation_cell(page, emergent, "acknowledgement").endswith("Acknowledged")
    assert page.locator("#escalation-alert [data-escalation-id]").count() == 0

    # Overdue (the timer sweep): highlighted, in words and colour.
    overdue_at = timezone.now().isoformat()
    server.send(message(world, 23, routine, EscalationEventName.OVERDUE, overdue_at=overdue_at))
    row = f'tr[data-escalation-id="{routine.pk}"]'
    wait_until(page, lambda: page.get_attribute(row, "data-overdue") == "1")
    assert "sla-overdue" in page.get_attribute(f'{row} [data-col="acknowledgement"]', "class")
    assert "Not acknowledged: overdue by" in escalation_cell(page, routine, "acknowledgement")

    # Resolved: the rows leave; the table says it is empty.
    server.send(message(world, 24, emergent, EscalationEventName.RESOLVED, status="resolved"))
    server.send(message(world, 25, routine, EscalationEventName.RESOLVED, status="resolved"))
    wait_until(page, lambda: escalation_ids(page) == [])
    assert page.is_visible("#escalations-empty")
    assert "resync" not in server.sent_types()


@needs_chromium
def test_escalations_count_in_the_queues_sequence_like_case_events(world, open_page):
    pathway = nurse_pathway(world)
    escalation = escalate(world, world.foreign_case, pathway, Urgency.URGENT)
    page, server = open_page(world.agent)
    server.send({**snapshot(world, 50, world.case), "escalations": []})
    wait_until(page, lambda: page.get_attribute("#live-status", "data-state") == "connected")
    wait_until(page, lambda: escalation_ids(page) == [])

    server.send(event(world, 51, world.case, "case.escalated", priority=40))
    server.send(message(world, 52, escalation, EscalationEventName.OPENED))
    server.send(event(world, 53, world.case, "case.updated", assigned_to_id=world.agent2.pk))
    wait_until(page, lambda: escalation_ids(page) == [escalation.pk])
    wait_until(
        page,
        lambda: (
            page.text_content(f'tr[data-case-id="{world.case.pk}"] [data-col="assignee"]')
            .strip()
            .endswith("Bo Tester")
        ),
    )
    assert page.evaluate("window.consoleLive.state().lastSeq")[str(world.queue.pk)] == 53
    assert "resync" not in server.sent_types()

    # An old number is dropped; a number beyond the next one is a gap.
    server.send(message(world, 52, escalation, EscalationEventName.RESOLVED, status="resolved"))
    page.wait_for_timeout(300)
    assert escalation_ids(page) == [escalation.pk]
    server.send(message(world, 55, escalation, EscalationEventName.RESOLVED, status="resolved"))
    wait_until(page, lambda: "resync" in server.sent_types())
    assert escalation_ids(page) == [escalation.pk]  # not applied: the snapshot will say


@needs_chromium
def test_the_case_page_fetches_its_emergency_banner_when_the_case_is_escalated(world, open_page):
    pharmacist = EscalationPathway.objects.create(
        name="Pharmacist line",
        kind=PathwayKind.PHARMACIST,
        recipient_queue=world.other,
        acknowledgement_minutes=30,
    )
    page, server = open_page(world.agent, f"/console/cases/{world.case.reference}/")
    wait_until(page, lambda: {"type": "watch", "case_id": world.case.pk} in server.received)
    server.send({**snapshot(world, 70, world.case), "escalations": []})
    assert page.locator("#emergency-banner").count() == 1
    assert "911" not in page.text_content("#emergency-banner")

    escalate(world, world.case, pharmacist, Urgency.EMERGENT, actor=world.agent)
    with page.expect_response(lambda response: response.url.endswith("/banner/")) as fetched:
        server.send(event(world, 71, world.case, "case.escalated", priority=40))
    assert fetched.value.status == 200
    wait_until(page, lambda: "911" in page.text_content("#emergency-banner"))
    banner = page.text_content("#emergency-banner")
    assert "988" in banner
    assert page.locator("#emergency-banner").count() == 1  # replaced, not added


@needs_chromium
def test_a_cancelled_escalation_leaves_the_table(world, open_page):
    """escalations.closing: closing the case cancels it; the recipients' row goes."""
    pathway = nurse_pathway(world)
    escalation = escalate(world, world.foreign_case, pathway, Urgency.URGENT)
    page, server = open_page(world.agent)
    server.send({**snapshot(world, 70, world.case), "escalations": [fields_of(escalation)]})
    wait_until(page, lambda: escalation_ids(page) == [escalation.pk])
    server.send(message(world, 71, escalation, "escalation.cancelled", status="cancelled"))
    wait_until(page, lambda: escalation_ids(page) == [])
    assert page.is_visible("#escalations-empty")
    # A snapshot that still carried it as cancelled would not draw it either.
    server.send(
        {
            **snapshot(world, 72, world.case),
            "escalations": [{**fields_of(escalation), "status": "cancelled"}],
        }
    )
    page.wait_for_timeout(300)
    assert escalation_ids(page) == []
