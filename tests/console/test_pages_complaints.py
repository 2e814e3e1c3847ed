"""Complaints in the console (console.views.complaints): the case page's grievance deadlines and
actions, refusals, the overdue state on the queue row, the overdue alerts on the queue and
supervisor pages (and the privacy office's for a privacy complaint). Who may:
tests/console/test_pages_permissions.py."""

from __future__ import annotations

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from cases.choices import EventKind
from complaints import timers
from complaints.models import Complaint
from complaints.services import complaint_acknowledge
from tests.complaints.helpers import local
from tests.console.pages_world import login, page_text, world_fixture  # noqa: F401
from tests.factories import CategoryFactory, QueueFactory, make_case

pytestmark = pytest.mark.django_db

QUEUE = reverse("console:queue")
SUPERVISOR = reverse("console:supervisor")
ALERTS = reverse("console:complaint-alerts")


@pytest.fixture
def complaints(world):
    return CategoryFactory(name="Complaint", kind="complaints", default_queue=world.queue)


def _complaint(world, category, *, complaint_type="care", at=None):
    import time_machine

    arguments = {
        "actor": world.intake,
        "category": category,
        "details": {"complaint_type": complaint_type, "severity": "moderate"},
    }
    if at is None:
        return make_case(**arguments)
    with time_machine.travel(at, tick=False):
        return make_case(**arguments)


def _url(case, action=""):
    if not action:
        return reverse("console:case", args=[case.reference])
    return reverse(f"console:case-complaint-{action}", args=[case.reference])


def test_the_case_page_shows_the_deadlines_and_the_acknowledge_button(client, world, complaints):
    case = _complaint(world, complaints)
    login(client, world.agent)
    html = page_text(client.get(_url(case)))
    assert "Grievance deadlines" in html
    assert "Acknowledgement due" in html
    assert _url(case, "acknowledge") in html
    assert _url(case, "respond") not in html  # acknowledge first


def test_a_case_of_another_kind_has_no_complaint_part(client, world):
    login(client, world.agent)
    assert "Grievance deadlines" not in page_text(client.get(_url(world.case)))


def test_acknowledge_then_respond_through_the_console(client, world, complaints):
    case = _complaint(world, complaints)
    login(client, world.agent)
    response = client.post(_url(case, "acknowledge"))
    assert response.status_code == 302
    html = page_text(client.get(_url(case)))
    assert "is acknowledged" in html
    assert _url(case, "respond") in html and _url(case, "acknowledge") not in html

    response = client.post(
        _url(case, "respond"), {"outcome": "partially_upheld", "summary": "Apology sent."}
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get(pk=case.pk)
    assert (complaint.outcome, complaint.outcome_summary) == ("partially_upheld", "Apology sent.")
    html = page_text(client.get(_url(case)))
    assert "Responded on time" in html and "Apology sent." in html
    kinds = set(case.events.values_list("kind", flat=True))
    assert {EventKind.COMPLAINT_ACKNOWLEDGED, EventKind.COMPLAINT_RESPONDED} <= kinds


def test_a_bad_response_form_is_a_400_that_keeps_the_input(client, world, complaints):
    case = _complaint(world, complaints)
    complaint_acknowledge(actor=world.agent, case=case)
    login(client, world.agent)
    response = client.post(_url(case, "respond"), {"outcome": "pending", "summary": "Kept text"})
    assert response.status_code == 400
    assert "Kept text" in page_text(response)
    response = client.post(_url(case, "respond"), {"outcome": "not_upheld", "summary": ""})
    assert response.status_code == 400
    assert "Summarise the response" in page_text(response)
    assert Complaint.objects.get(pk=case.pk).responded_at is None


def test_a_second_acknowledgement_is_a_409_that_changes_nothing(client, world, complaints):
    case = _complaint(world, complaints)
    complaint_acknowledge(actor=world.agent2, case=case)
    login(client, world.agent)
    events = case.events.count()
    response = client.post(_url(case, "acknowledge"))
    assert response.status_code == 409
    assert "already acknowledged" in page_text(response)
    assert case.events.count() == events


def test_an_overdue_complaint_shows_on_its_row_page_and_the_alerts(
    client, world, complaints, time_machine
):
    case = _complaint(world, complaints, at=local(2026, 3, 2, 10, 0))
    time_machine.move_to(local(2026, 3, 20, 9, 0), tick=False)
    timers.sweep()
    login(client, world.agent)
    html = page_text(client.get(QUEUE))
    assert 'id="complaint-alerts"' in html and "Overdue complaints" in html
    assert "complaint-flag" in html  # the row
    assert "Acknowledgement overdue" in html or "response overdue" in html
    assert "Overdue:" in page_text(client.get(_url(case)))
    alerts = page_text(client.get(ALERTS))
    assert case.reference in alerts
    login(client, world.supervisor)
    assert case.reference in page_text(client.get(SUPERVISOR))

    # Once acknowledged (and the response not yet due... here it is overdue too): the
    # acknowledgement alert ends; the response alert stays until the response.
    complaint_acknowledge(actor=world.agent, case=case)
    from complaints.services import complaint_respond

    complaint_respond(actor=world.agent, case=case, outcome="not_upheld", summary="Explained.")
    login(client, world.agent)
    assert case.reference not in page_text(client.get(ALERTS))
    assert "complaint-flag" not in page_text(client.get(QUEUE))


def test_the_alerts_show_only_what_the_user_may_see(client, world, complaints, time_machine):
    case = _complaint(world, complaints, at=local(2026, 3, 2, 10, 0))
    time_machine.move_to(local(2026, 3, 20, 9, 0), tick=False)
    timers.sweep()
    login(client, world.foreign)  # works Pharmacy only
    html = page_text(client.get(ALERTS))
    assert case.reference not in html
    assert page_text(client.get(QUEUE)).count(case.reference) == 0


def test_a_privacy_complaint_alerts_the_privacy_office(client, world, time_machine):
    from accounts.roles import Role, ensure_role_groups
    from escalations.choices import PathwayKind
    from escalations.models import EscalationPathway
    from tests.factories import UserFactory

    office = QueueFactory(name="Privacy office", slug="privacy-office")
    EscalationPathway.objects.create(
        name="Privacy officer",
        kind=PathwayKind.PRIVACY_OFFICER,
        recipient_queue=office,
        acknowledgement_minutes=24 * 60,
        access_hours=24 * 30,
    )
    officer = UserFactory(username="privacy-pia", first_name="Pia")
    officer.groups.add(ensure_role_groups()[Role.CLINICIAN])
    assign_perm("cases.work_queue", officer, office)
    category = CategoryFactory(name="Complaint", kind="complaints", default_queue=world.queue)
    case = _complaint(world, category, complaint_type="privacy", at=local(2026, 3, 2, 10, 0))

    from complaints.events import alert_routes

    complaint = Complaint.objects.get(pk=case.pk)
    assert alert_routes.queue_ids(case, complaint) == [world.queue.pk, office.pk]
    other = _complaint(world, category, at=local(2026, 3, 2, 10, 0))
    assert alert_routes.queue_ids(other, Complaint.objects.get(pk=other.pk)) == [world.queue.pk]

    time_machine.move_to(local(2026, 3, 20, 9, 0), tick=False)
    timers.sweep()
    login(client, officer)  # sees the case through the privacy escalation's grant
    assert case.reference in page_text(client.get(ALERTS))
    assert other.reference not in page_text(client.get(ALERTS))


def test_complaint_rows_cost_one_query_more(client, world, complaints, django_assert_num_queries):
    login(client, world.agent)
    client.get(QUEUE)
    for _ in range(3):
        _complaint(world, complaints)
    with django_assert_num_queries(13):  # tests/console/test_pages_queue.py's 12, + states
        client.get(QUEUE)


def test_a_late_acknowledgement_says_so_on_the_page(client, world, complaints, time_machine):
    case = _complaint(world, complaints, at=local(2026, 3, 2, 10, 0))
    time_machine.move_to(local(2026, 3, 9, 9, 0), tick=False)  # due by the end of the 4th
    login(client, world.agent)
    client.post(_url(case, "acknowledge"))
    html = page_text(client.get(_url(case)))
    assert "(late)" in html
    assert "Acknowledged late; response due" in html
