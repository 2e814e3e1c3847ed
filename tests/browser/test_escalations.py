"""The issue's browser acceptance test for escalations, in Debian's chromium against a live
server: a patient message containing a red flag shows the emergency banner on the case page and
the escalation on the recipient's live queue without a reload.

A nurse works the nurse-triage pathway's recipient queue and has the live queue open; an agent
of the case's queue has the case page open. A partner system relays the patient's message
("tengo dolor de pecho y no puedo respirar") through the REST API. Red-flag detection opens an
emergent escalation in the same transaction; after commit the nurse's "Escalations for you"
shows the case as emergent (and the alert names it), and the agent's case page fetches its
emergency banner again: call 911, 988 Suicide & Crisis Lifeline. Neither page reloads.
"""

from __future__ import annotations

import pytest
from guardian.shortcuts import assign_perm
from playwright.sync_api import expect

from accounts.roles import Role, ensure_role_groups
from escalations.choices import PathwayKind, Source, Urgency
from escalations.models import Escalation, EscalationPathway
from tests.browser.test_live_queue import open_case_through_the_api, partner_token
from tests.factories import CategoryFactory, QueueFactory, UserFactory

RED_FLAG_MESSAGE = "tengo dolor de pecho y no puedo respirar"
# From the partner's answer to both pages showing it: the live path is commit → channel layer →
# socket (→ one fetch of the banner); a few seconds leave room for a busy test machine.
SEEN_WITHIN_MS = 5_000
# Records what the page sends on its socket (a resync would mean a numbering gap).
RECORD_SENT = """
window.sentTypes = [];
const send = WebSocket.prototype.send;
WebSocket.prototype.send = function (data) {
    try { window.sentTypes.push(JSON.parse(data).type); } catch (error) { /* not JSON */ }
    return send.call(this, data);
};
"""


@pytest.fixture
def setting(transactional_db):
    """Billing (the case's queue) with an agent; Nurse triage (the pathway's recipient queue)
    with a nurse; a partner organisation (BAA in force) with a Bearer token."""
    groups = ensure_role_groups()
    billing = QueueFactory(name="Billing", slug="billing")
    triage = QueueFactory(name="Nurse triage", slug="nurse-triage")
    category = CategoryFactory(name="Statement question", slug="statement", default_queue=billing)
    agent = UserFactory(username="browser-ada", first_name="Ada", last_name="Tester")
    agent.groups.add(groups[Role.AGENT])
    assign_perm("cases.work_queue", agent, billing)
    nurse = UserFactory(username="browser-nora", first_name="Nora", last_name="Nurse")
    nurse.groups.add(groups[Role.CLINICIAN])
    assign_perm("cases.work_queue", nurse, triage)
    EscalationPathway.objects.create(
        name="Nurse triage line",
        kind=PathwayKind.NURSE_TRIAGE,
        recipient_queue=triage,
        acknowledgement_minutes=15,
    )
    token = partner_token(groups, category)
    return {"agent": agent, "nurse": nurse, "token": token}


def test_a_red_flag_message_shows_the_banner_and_reaches_the_nurse_live(
    setting, asgi_server, new_context
):
    token = setting["token"]
    # The case exists before anyone looks: opened by the partner, about a statement.
    reference = open_case_through_the_api(asgi_server, token, "statement")

    nurse_page = new_context(setting["nurse"]).new_page()
    nurse_page.add_init_script(RECORD_SENT)
    nurse_page.goto("/console/")
    expect(nurse_page.locator("#escalations-table")).to_be_visible()
    expect(nurse_page.get_by_text("No escalation is waiting for your queues.")).to_be_visible()

    case_page = new_context(setting["agent"]).new_page()
    case_page.add_init_script(RECORD_SENT)
    case_page.goto(f"/console/cases/{reference}/")
    banner = case_page.locator("#emergency-banner")
    expect(banner).to_have_count(1)
    expect(banner).not_to_contain_text("911")

    for page in (nurse_page, case_page):
        expect(page.get_by_role("status").filter(has_text="Live updates")).to_have_text(
            "Live updates on."
        )
        page.evaluate("window.loadedOnce = true")  # a reload would lose it

    # The patient writes; the partner relays it.
    status, body = asgi_server.request(
        "POST",
        f"/api/v1/cases/{reference}/messages/",
        body={"body": RED_FLAG_MESSAGE},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert status == 201, body

    # The nurse's live queue: the case's escalation, emergent, on top, and the alert.
    row = nurse_page.locator("#escalations-table tbody tr").filter(
        has=nurse_page.get_by_role("link", name=reference, exact=True)
    )
    expect(row).to_have_count(1, timeout=SEEN_WITHIN_MS)
    expect(row).to_have_attribute("data-urgency", "emergent")
    urgency = row.locator('[data-col="urgency"] span')
    expect(urgency).to_have_text("Emergent")
    expect(urgency).to_have_class("urgency urgency-emergent priority priority-40")
    expect(row.locator('[data-col="pathway"]')).to_have_text("Nurse triage line")
    expect(row.locator('[data-col="acknowledgement"]')).to_contain_text("Acknowledge within")
    alert = nurse_page.get_by_role("alert").filter(has_text="Emergent escalation")
    expect(alert).to_contain_text(f"Emergent escalation: {reference} to Nurse triage line.")
    expect(nurse_page.get_by_text("No escalation is waiting for your queues.")).to_be_hidden()

    # The agent's case page: the emergency script, above everything, without a reload.
    expect(banner).to_contain_text("911", timeout=SEEN_WITHIN_MS)
    expect(banner).to_contain_text("988")
    expect(case_page.locator("#emergency-banner")).to_have_count(1)

    for page in (nurse_page, case_page):
        assert page.evaluate("window.loadedOnce") is True  # no reload happened
        # The sequence counted every message (case events and escalations): no gap, no resync.
        assert "resync" not in page.evaluate("window.sentTypes")

    escalation = Escalation.objects.get(case__reference=reference)
    assert (escalation.urgency, escalation.source) == (Urgency.EMERGENT, Source.RED_FLAG)
