"""The case page's change forms (console.views.changes): who gets which form, what each post
does, the two-step category change that asks for the new kind's details, and refusals that
change nothing. The permission matrix is in test_pages_permissions.py."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from guardian.shortcuts import assign_perm

from billing_inquiries.models import BillingInquiry
from cases import services
from cases.choices import EventKind, Priority, Status
from cases.models import Case, CaseEvent, Patient
from tests.console.pages_world import case_url, login, page_text, world_fixture  # noqa: F401
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def test_who_gets_which_form(client, world):
    login(client, world.agent)
    html = page_text(client.get(case_url(world.case)))
    assert 'id="priority-heading"' in html and 'id="category-heading"' in html
    assert 'id="sensitivity-heading"' not in html
    assert 'id="move-heading"' not in html  # Ada works no other queue
    assign_perm("cases.work_queue", world.agent, world.other)
    html = page_text(client.get(case_url(world.case)))
    assert 'id="move-heading"' in html and "Pharmacy" in html
    login(client, world.supervisor)
    html = page_text(client.get(case_url(world.case)))
    assert 'id="sensitivity-heading"' in html
    assert 'name="patient-sensitivity-sensitivity"' in html


def test_a_closed_case_offers_no_changes_but_sensitivity(client, world):
    case = world.case
    for status in (Status.RESOLVED, Status.CLOSED):
        case = services.case_transition(actor=world.agent, case=case, to_status=status)
    login(client, world.supervisor)
    html = page_text(client.get(case_url(case)))
    assert 'id="priority-heading"' not in html and 'id="category-heading"' not in html
    assert 'id="sensitivity-heading"' in html


def test_change_the_priority(client, world):
    login(client, world.agent)
    response = client.post(
        case_url(world.case, "priority"),
        {"priority-priority": "40", "priority-reason": "New symptoms"},
    )
    assert response.status_code == 302
    assert response["Location"] == case_url(world.case)
    assert Case.objects.get(pk=world.case.pk).priority == Priority.URGENT
    event = CaseEvent.objects.get(case=world.case, kind=EventKind.PRIORITY_CHANGED)
    assert (event.actor, event.body) == (world.agent, "New symptoms")
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == [f"Case {world.case.reference} is now urgent priority."]


def test_move_to_another_queue(client, world):
    assign_perm("cases.work_queue", world.agent, world.other)
    login(client, world.agent)
    response = client.post(
        case_url(world.case, "move"), {"move-queue": str(world.other.pk), "move-reason": "Rx"}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=world.case.pk).queue_id == world.other.pk


def test_a_move_to_a_queue_not_offered_is_a_400(client, world):
    login(client, world.agent)
    response = client.post(case_url(world.case, "move"), {"move-queue": str(world.other.pk)})
    assert response.status_code == 400
    assert Case.objects.get(pk=world.case.pk).queue_id == world.queue.pk


def test_a_category_of_another_kind_asks_for_its_details(client, world):
    billing = CategoryFactory(name="Bill question", kind="billing", default_queue=world.queue)
    login(client, world.agent)
    url = case_url(world.case, "category")
    response = client.post(url, {"category-category": str(billing.pk)})
    assert response.status_code == 400
    html = page_text(response)
    assert "need Billing and financial details" in html
    assert 'name="details-inquiry_type"' in html
    assert f'name="with_details" value="{billing.pk}"' in html
    assert Case.objects.get(pk=world.case.pk).category_id == world.category.pk
    # an invalid detail: the form says so, nothing changes
    response = client.post(
        url,
        {
            "category-category": str(billing.pk),
            "with_details": str(billing.pk),
            "details-inquiry_type": "nonsense",
        },
    )
    assert response.status_code == 400
    assert Case.objects.get(pk=world.case.pk).category_id == world.category.pk
    response = client.post(
        url,
        {
            "category-category": str(billing.pk),
            "category-reason": "It is a bill",
            "with_details": str(billing.pk),
            "details-inquiry_type": "refund",
            "details-financial_assistance_status": "not_applicable",
        },
    )
    assert response.status_code == 302, page_text(response)[:3000]
    assert Case.objects.get(pk=world.case.pk).category_id == billing.pk
    assert BillingInquiry.objects.get(case_id=world.case.pk).inquiry_type == "refund"


def test_a_category_without_details_changes_at_once(client, world):
    login(client, world.agent)
    response = client.post(
        case_url(world.case, "category"), {"category-category": str(world.other_category.pk)}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=world.case.pk).category_id == world.other_category.pk


def test_an_uncleared_supervisor_marks_sensitive_and_goes_back_to_the_queue(client, world):
    login(client, world.supervisor)
    response = client.post(
        case_url(world.case, "sensitivity"),
        {"case-sensitivity-sensitivity": "substance_use", "case-sensitivity-reason": "Part 2"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("console:queue")
    assert Case.objects.get(pk=world.case.pk).sensitivity == "substance_use"
    assert client.get(case_url(world.case)).status_code == 404
    login(client, world.agent)
    assert client.get(case_url(world.case)).status_code == 404


def test_sensitivity_needs_a_reason(client, world):
    login(client, world.supervisor)
    response = client.post(
        case_url(world.case, "patient-sensitivity"),
        {"patient-sensitivity-sensitivity": "hiv", "patient-sensitivity-reason": "  "},
    )
    assert response.status_code == 400
    assert "The patient's sensitivity was not changed" in page_text(response)
    assert Patient.objects.get(pk=world.case.patient_id).sensitivity == ""


def test_an_agent_cannot_post_a_sensitivity_change(client, world):
    login(client, world.agent)
    response = client.post(
        case_url(world.case, "sensitivity"),
        {"case-sensitivity-sensitivity": "hiv", "case-sensitivity-reason": "x"},
    )
    assert response.status_code == 404
    assert Case.objects.get(pk=world.case.pk).sensitivity == ""
