"""SLA states end to end in Debian's chromium against the live ASGI server (issue 15): a first
response given after its due time turns the live queue's cell from "Breached" to "Met late" — the
state the server decided (``cases.sla_state``) and sent in the case event — without a reload, and
never "✓ Met".
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm
from playwright.sync_api import expect

from accounts.roles import Role, ensure_role_groups
from cases.models import Case
from tests.factories import CategoryFactory, QueueFactory, UserFactory, make_case


@pytest.fixture
def late_case(transactional_db):
    """Ada works Billing; a case of Billing whose first response was due 50 minutes ago."""
    groups = ensure_role_groups()
    queue = QueueFactory(name="Billing", slug="billing")
    category = CategoryFactory(name="Statement question", slug="statement", default_queue=queue)
    ada = UserFactory(username="browser-ada", first_name="Ada", last_name="Tester")
    ada.groups.add(groups[Role.AGENT])
    assign_perm("cases.work_queue", ada, queue)
    intake = UserFactory(username="browser-intake")
    intake.groups.add(groups[Role.AGENT])
    assign_perm("cases.work_queue", intake, queue)
    case = make_case(actor=intake, category=category)
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(
        first_response_due_at=now - datetime.timedelta(minutes=50),
        resolution_due_at=now + datetime.timedelta(hours=8),
    )
    return ada, case


def test_a_late_first_response_shows_met_late_in_the_live_queue(late_case, new_context):
    ada, case = late_case
    context = new_context(ada)
    queue_page = context.new_page()
    queue_page.goto("/console/")
    expect(queue_page.get_by_role("status").filter(has_text="Live updates")).to_have_text(
        "Live updates on."
    )
    queue_page.evaluate("window.loadedOnce = true")  # a reload would lose it
    cell = queue_page.locator(f'tr[data-case-id="{case.pk}"] [data-col="first_response"]')
    expect(cell).to_have_class("sla sla-overdue")
    expect(cell.locator(".sla-label")).to_have_text("Breached")

    # In another tab, Ada claims the case and replies: the server announces the change.
    case_page = context.new_page()
    case_page.goto(f"/console/cases/{case.reference}/")
    case_page.get_by_role("button", name="Claim this case").click()
    case_page.locator("#id_reply_body").fill("We are looking into your statement.")
    case_page.get_by_role("button", name="Send reply").click()
    expect(case_page.locator('dd[data-col="first_response"] .sla-label')).to_have_text("Met late")

    expect(cell).to_have_class("sla sla-met-late")
    expect(cell.locator(".sla-label")).to_have_text("Met late")
    expect(cell.locator(".sla-detail")).to_have_text("50 min after its due time")
    assert cell.get_attribute("data-state") == "met_late"
    before = cell.locator(".sla-label").evaluate("e => getComputedStyle(e, '::before').content")
    assert "✓" not in before
    assert "Met on time" not in queue_page.locator("#live-queue").text_content()
    assert queue_page.evaluate("window.loadedOnce") is True  # no reload happened
