"""The live queue page (``/console/``), "my cases", claim and claim next through the pages.

What the server renders: the open cases of the user's queues with their filters, SLA states in
words and colour classes, assignees by name, claim buttons; the configuration live.js reads. The
JavaScript itself is exercised by tests/console/test_pages_live_js.py."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from cases import services
from cases.choices import Priority, Status
from cases.models import Case
from compliance.models import AuditEntry
from tests.console.pages_world import (  # noqa: F401
    FOREIGN_PATIENT,
    OWN_PATIENT,
    case_url,
    login,
    page_text,
    world_fixture,
)
from tests.factories import make_case

pytestmark = pytest.mark.django_db

QUEUE = "/console/"


def rows(response) -> list[str]:
    """The references of the table's rows, in order."""
    return re.findall(r'<tr data-case-id="\d+" data-reference="([^"]+)"', page_text(response))


def row_html(response, case) -> str:
    match = re.search(
        rf'<tr data-case-id="{case.pk}".*?</tr>', page_text(response), flags=re.DOTALL
    )
    assert match, f"no row for {case.reference}"
    return match.group(0)


def live_config(response) -> dict:
    match = re.search(
        r'<script id="console-config" type="application/json">(.*?)</script>',
        page_text(response),
        flags=re.DOTALL,
    )
    return json.loads(match.group(1))


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- what the queue shows -------------------------------------------------------------------------


def test_the_queue_shows_the_open_cases_of_my_queues_most_urgent_first(client, world):
    urgent = make_case(actor=world.intake, category=world.category, priority=Priority.URGENT)
    low = make_case(actor=world.intake, category=world.category, priority=Priority.LOW)
    resolved = make_case(actor=world.intake, category=world.category)
    services.case_transition(actor=world.intake, case=resolved, to_status=Status.RESOLVED)

    response = login(client, world.agent).get(QUEUE)

    assert response.status_code == 200
    assert rows(response) == [urgent.reference, world.case.reference, low.reference]
    html = page_text(response)
    assert "<caption>Open cases of your queues, most urgent first</caption>" in html
    assert world.foreign_case.reference not in html


def test_the_queue_shows_no_patient_data_and_is_not_access_logged(client, world):
    """Minimum necessary: the queue needs reference, category and workflow fields only — no
    patient name, no subject — so listing cases reads no PHI and writes no access entries."""
    response = login(client, world.agent).get(QUEUE)
    html = page_text(response)
    for text in (*OWN_PATIENT, *FOREIGN_PATIENT, "Own queue subject line", "Foreign queue"):
        assert text not in html
    assert world.case.reference in html
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS).exists()


def test_a_row_carries_what_live_js_needs(client, world):
    services.case_claim(actor=world.agent2, case=world.case)
    html = row_html(login(client, world.agent).get(QUEUE), world.case)
    assert f'data-case-id="{world.case.pk}"' in html
    assert f'data-queue-id="{world.queue.pk}"' in html
    assert f'data-assigned-to="{world.agent2.pk}"' in html
    assert 'data-status="new"' in html and f'data-priority="{Priority.NORMAL}"' in html
    assert "Billing" in html and "Statement question" in html and "Voice" in html
    assert "Claimed by Bo Tester" in html
    assert "Claim<" not in html  # no claim button on a claimed case


def test_my_own_claimed_case_says_you_and_unassigned_ones_offer_claim(client, world):
    mine = make_case(actor=world.intake, category=world.category)
    services.case_claim(actor=world.agent, case=mine)
    response = login(client, world.agent).get(QUEUE)
    assert ">You</td>" in row_html(response, mine)
    row = row_html(response, world.case)
    assert ">Unassigned</td>" in row
    # The row's button posts the page's one claim form with its reference (issue 18).
    assert (
        f'<button type="submit" form="claim-form" name="case" value="{world.case.reference}" '
        f'class="button">Claim<span class="visually-hidden"> case {world.case.reference}</span>'
        "</button>"
    ) in row
    assert "<form" not in row and "csrfmiddlewaretoken" not in row


def test_the_live_configuration(client, world):
    services.case_claim(actor=world.agent2, case=world.case)
    config = live_config(login(client, world.agent).get(QUEUE, {"priority": "20"}))
    assert config["page"] == "queue"
    assert config["me"] == world.agent.pk
    assert config["socket_path"] == "/ws/console/live/"
    assert config["queues"] == {str(world.queue.pk): "Billing"}
    # Queue members by name (events carry assignee ids only); the viewer is "you".
    assert config["names"][str(world.agent2.pk)] == "Bo Tester"
    assert config["names"][str(world.supervisor.pk)] == "Sam Tester"
    assert config["names"][str(world.agent.pk)] == "you"
    assert str(world.foreign.pk) not in config["names"]  # not a member of my queues
    assert config["filters"] == {"queue": None, "status": None, "priority": 20}
    assert config["query"] == "priority=20"
    assert config["urls"]["claim"] == "/console/cases/REF-PLACEHOLDER/claim/"
    assert config["categories"][str(world.category.pk)] == "Statement question"
    assert set(config["open_statuses"]) == {s.value for s in Status} - {"resolved", "closed"}
    serialized = json.dumps(config)
    for text in (*OWN_PATIENT, *FOREIGN_PATIENT, "subject line"):
        assert text not in serialized


def test_someone_outside_my_queues_holding_a_case_is_named_on_the_page(client, world):
    """An assignee who is not a member of the queue (moved, or assigned by a supervisor from
    elsewhere) is still named: assignees of the rows are added to the names."""
    services.case_assign(actor=world.root, case=world.case, assignee=world.foreign)
    response = login(client, world.agent).get(QUEUE)
    assert "Claimed by Fay Tester" in row_html(response, world.case)
    assert live_config(response)["names"][str(world.foreign.pk)] == "Fay Tester"


def test_a_user_in_no_queue_is_told_so(client, world):
    response = login(client, world.administrator).get(QUEUE)
    assert response.status_code == 200
    assert "You are not a member of any queue yet." in page_text(response)
    assert rows(response) == []


# --- filters --------------------------------------------------------------------------------------


@pytest.fixture
def spread(world):
    """Cases across statuses, priorities and two queues worked by the agent."""
    assign_perm("cases.work_queue", world.agent, world.other)
    high = make_case(actor=world.intake, category=world.category, priority=Priority.HIGH)
    triaged = make_case(actor=world.intake, category=world.category)
    services.case_transition(actor=world.intake, case=triaged, to_status=Status.TRIAGED)
    return {"high": high, "triaged": triaged}


def test_filter_by_queue(client, world, spread):
    login(client, world.agent)
    assert rows(client.get(QUEUE, {"queue": world.other.pk})) == [world.foreign_case.reference]
    assert world.foreign_case.reference in rows(client.get(QUEUE))


def test_filter_by_status_and_priority(client, world, spread):
    login(client, world.agent)
    assert rows(client.get(QUEUE, {"status": "triaged"})) == [spread["triaged"].reference]
    assert rows(client.get(QUEUE, {"priority": Priority.HIGH})) == [spread["high"].reference]
    both = client.get(QUEUE, {"status": "new", "priority": Priority.NORMAL, "queue": ""})
    assert set(rows(both)) == {world.case.reference, world.foreign_case.reference}


def test_filters_keep_their_values_and_the_claim_buttons_keep_the_filters(client, world, spread):
    response = login(client, world.agent).get(QUEUE, {"status": "triaged"})
    html = page_text(response)
    assert '<option value="triaged" selected>' in html
    assert 'id="claim-form" method="post" action="/console/claim/?status=triaged"' in html
    assert 'action="/console/claim-next/?status=triaged"' in html


@pytest.mark.parametrize(
    "query",
    [{"queue": "999999"}, {"queue": "abc"}, {"status": "resolved"}, {"priority": "15"}],
)
def test_a_filter_that_is_not_offered_is_a_400(client, world, query):
    """Another user's queue, a closed status, an unknown priority: a 400 with the error."""
    response = login(client, world.agent).get(QUEUE, query)
    assert response.status_code == 400
    html = page_text(response)
    assert "A filter was not understood" in html
    assert "Select a valid choice" in html


def test_another_queue_cannot_be_filtered_into_view(client, world):
    response = login(client, world.agent).get(QUEUE, {"queue": world.other.pk})
    assert response.status_code == 400
    assert world.foreign_case.reference not in page_text(response)


# --- SLA states -----------------------------------------------------------------------------------


def set_due(case, **fields):
    # Due times come from SLA policies (tests/cases/test_sla.py); here only the page's reading
    # of them matters, so they are set directly.
    Case.objects.filter(pk=case.pk).update(**fields)


def sla_cell(row: str, target: str) -> str:
    match = re.search(rf'<td class="(sla [^"]+)" data-col="{target}"(.*?)</td>', row, re.DOTALL)
    assert match, target
    return match.group(1) + match.group(2)


def sla_words(cell: str) -> str:
    """What the cell says after its due time: the state's label and its detail."""
    return re.sub(r"<[^>]+>", "", cell.split("<br>")[-1].split(">", 1)[-1]).strip()


def test_sla_states_in_words_and_colour(client, world):
    now = timezone.now()
    overdue = make_case(actor=world.intake, category=world.category)
    soon = make_case(actor=world.intake, category=world.category)
    later = make_case(actor=world.intake, category=world.category)
    set_due(overdue, first_response_due_at=now - timedelta(minutes=75))
    set_due(soon, first_response_due_at=now + timedelta(minutes=10, seconds=30))
    set_due(later, first_response_due_at=now + timedelta(hours=5, minutes=1, seconds=30))

    response = login(client, world.agent).get(QUEUE)

    cell = sla_cell(row_html(response, overdue), "first_response")
    assert cell.startswith("sla sla-overdue") and 'data-state="breached"' in cell
    assert sla_words(cell) == "Breached, overdue by 1 h 15 min"
    assert 'data-countdown="since"' in cell and 'data-changes-at=""' in cell
    assert '<time datetime="' in cell and 'data-due="' in cell
    cell = sla_cell(row_html(response, soon), "first_response")
    assert cell.startswith("sla sla-soon") and 'data-state="warning"' in cell
    assert sla_words(cell) == "Due soon, due in 10 min"
    # Due soon turns breached at the due time: the moment the sweep announces.
    assert 'data-countdown="until"' in cell and 'data-changes-at="2' in cell
    cell = sla_cell(row_html(response, later), "first_response")
    assert cell.startswith("sla sla-ok") and 'data-state="running"' in cell
    assert sla_words(cell) == "On time, due in 5 h 1 min"
    cell = sla_cell(row_html(response, world.case), "resolution")
    assert cell.startswith("sla sla-none") and sla_words(cell) == "No target"
    assert 'data-countdown=""' in cell and 'data-changes-at=""' in cell


def test_a_met_target_and_a_stopped_clock(client, world):
    now = timezone.now()
    set_due(
        world.case,
        first_response_due_at=now + timedelta(hours=1),
        resolution_due_at=now + timedelta(hours=8),
    )
    services.case_claim(actor=world.agent, case=world.case)
    services.case_transition(actor=world.agent, case=world.case, to_status=Status.IN_PROGRESS)
    services.case_add_note(actor=world.agent, case=world.case, body="Hello.", visibility="patient")
    services.case_transition(
        actor=world.agent, case=world.case, to_status=Status.WAITING_ON_PATIENT
    )
    # Without an SLA policy the services stop no clock (cases.sla); stop it as a policy would.
    set_due(world.case, sla_paused_at=timezone.now())
    row = row_html(login(client, world.agent).get(QUEUE), world.case)
    first = sla_cell(row, "first_response")
    assert first.startswith("sla sla-met ") and 'data-state="met"' in first
    assert sla_words(first) == "Met on time"
    resolution = sla_cell(row, "resolution")
    assert resolution.startswith("sla sla-paused") and 'data-state="paused"' in resolution
    assert sla_words(resolution) in ("Clock stopped, 7 h 59 min left", "Clock stopped, 8 h left")
    # A stopped clock does not change by itself: nothing ticks, nothing is due to change.
    assert 'data-countdown=""' in resolution and 'data-changes-at=""' in resolution


def test_a_first_response_after_its_due_time_is_met_late_never_met(client, world):
    set_due(world.case, first_response_due_at=timezone.now() - timedelta(minutes=20))
    services.case_claim(actor=world.agent, case=world.case)
    services.case_add_note(actor=world.agent, case=world.case, body="Hello.", visibility="patient")

    row = row_html(login(client, world.agent).get(QUEUE), world.case)

    first = sla_cell(row, "first_response")
    assert first.startswith("sla sla-met-late ") and 'data-state="met_late"' in first
    assert sla_words(first) == "Met late, 20 min after its due time"
    assert "Met on time" not in row and "sla-met " not in row


def test_the_warning_window_is_a_setting(client, world, settings):
    settings.CONSOLE_SLA_WARNING_MINUTES = 120
    set_due(world.case, first_response_due_at=timezone.now() + timedelta(minutes=90))
    response = login(client, world.agent).get(QUEUE)
    assert sla_cell(row_html(response, world.case), "first_response").startswith("sla sla-soon")
    config = live_config(response)
    assert config["sla_refresh_after_seconds"] == 90
    # The browser decides no state: it gets no warning window, no waiting statuses.
    assert "sla_warning_seconds" not in config and "waiting_statuses" not in config


# --- claim and claim next -------------------------------------------------------------------------


def test_claim_from_the_queue(client, world):
    response = login(client, world.agent).post(
        case_url(world.case, "claim") + "?priority=20", {"from": "queue"}
    )
    assert response.status_code == 302
    assert response["Location"] == case_url(world.case)
    assert Case.objects.get(pk=world.case.pk).assigned_to == world.agent
    assert messages_of(response) == [f"You claimed case {world.case.reference}."]


def test_a_claim_that_lost_the_race_is_a_409_on_the_queue_page_saying_who_has_it(client, world):
    services.case_claim(actor=world.agent2, case=world.case)
    response = login(client, world.agent).post(
        case_url(world.case, "claim") + "?status=new", {"from": "queue"}
    )
    assert response.status_code == 409
    html = page_text(response)
    assert '<p class="errornote" role="alert">Already claimed by Bo Tester.</p>' in html
    assert rows(response) == [world.case.reference]  # the queue again, with its filters
    assert '<option value="new" selected>' in html
    assert Case.objects.get(pk=world.case.pk).assigned_to == world.agent2


def test_claim_next_takes_the_most_urgent_case(client, world):
    urgent = make_case(actor=world.intake, category=world.category, priority=Priority.URGENT)
    response = login(client, world.agent).post(reverse("console:claim-next"), {"queue": ""})
    assert response.status_code == 302
    assert response["Location"] == case_url(urgent)
    assert Case.objects.get(pk=urgent.pk).assigned_to == world.agent
    assert messages_of(response) == [f"You claimed case {urgent.reference}."]


def test_claim_next_from_one_queue(client, world):
    assign_perm("cases.work_queue", world.agent, world.other)
    make_case(actor=world.intake, category=world.category, priority=Priority.URGENT)
    response = login(client, world.agent).post(
        reverse("console:claim-next"), {"queue": world.other.pk}
    )
    assert response["Location"] == case_url(world.foreign_case)


def test_claim_next_with_nothing_to_claim_says_so(client, world):
    services.case_claim(actor=world.agent2, case=world.case)
    response = login(client, world.agent).post(
        reverse("console:claim-next") + "?priority=20", {"queue": world.queue.pk}
    )
    assert response.status_code == 302
    assert response["Location"] == QUEUE + "?priority=20"
    assert messages_of(response) == ["No unassigned case is waiting: there is nothing to claim."]


def test_claim_next_from_a_queue_i_do_not_work_is_a_400(client, world):
    response = login(client, world.agent).post(
        reverse("console:claim-next"), {"queue": world.other.pk}
    )
    assert response.status_code == 400
    assert "Choose one of your queues." in page_text(response)
    assert Case.objects.get(pk=world.foreign_case.pk).assigned_to_id is None


def test_a_message_after_redirect_is_shown_on_the_page(client, world):
    login(client, world.agent)
    response = client.post(case_url(world.case, "claim"), {"from": "queue"}, follow=True)
    assert response.status_code == 200
    assert f"You claimed case {world.case.reference}." in page_text(response)


# --- my cases and the row fragment ---------------------------------------------------------------


def test_my_cases_lists_my_open_cases_only(client, world):
    mine = make_case(actor=world.intake, category=world.category)
    done = make_case(actor=world.intake, category=world.category)
    for case in (mine, done):
        services.case_claim(actor=world.agent, case=case)
    services.case_transition(actor=world.agent, case=done, to_status=Status.RESOLVED)
    services.case_claim(actor=world.agent2, case=world.case)

    response = login(client, world.agent).get(reverse("console:mine"))

    assert rows(response) == [mine.reference]
    assert ">You</td>" in row_html(response, mine)
    assert "Claim<" not in page_text(response)
    assert live_config(response)["filters"] == {"assigned_to": world.agent.pk}
    # Drawn whole, kept current by live.js up to 200 rows (the queue page's 50 a page: issue 18)
    assert live_config(response)["limit"] == 200


def test_my_cases_empty(client, world):
    response = login(client, world.agent).get(reverse("console:mine"))
    assert "No open case is assigned to you." in page_text(response)


def test_the_row_fragment_names_the_assignee(client, world):
    services.case_assign(actor=world.root, case=world.case, assignee=world.foreign)
    response = login(client, world.agent).get(case_url(world.case, "row"), {"status": "new"})
    assert response.status_code == 200
    html = page_text(response).strip()
    assert html.startswith("<tr") and html.endswith("</tr>")
    assert "Claimed by Fay Tester" in html
    assert "Ownqueuepatient" not in html


# --- query counts ---------------------------------------------------------------------------------


def test_the_queue_page_query_count_does_not_grow_with_rows(
    client, world, django_assert_num_queries
):
    """Session, user, the session's second-factor device (django-otp), the user's permissions
    (2), the access scope (the user's queue and case grants, once per request: issue 18),
    queues, cases, escalations for the user's
    queues, the overdue complaints, names, categories; no session save (issue 18: the idle
    timeout's stamp is refreshed at most once a minute, accounts/idle.py; it was savepoint,
    update, release on every request). Complaint rows add one query for
    their deadline states (tests/console/test_pages_complaints.py). The first page shows 50
    rows and one claim form (issue 18): no query per row either way; a later page
    (``?after=``) reads where its case stands first: one more, pinned in
    tests/console/test_pages_queue_paging.py."""
    login(client, world.agent)
    client.get(QUEUE)  # warm the content-type cache and the like
    with django_assert_num_queries(12):
        assert client.get(QUEUE).status_code == 200
    for n in range(12):
        case = make_case(actor=world.intake, category=world.category)
        if n % 2:
            services.case_claim(actor=world.agent2 if n % 4 == 1 else world.agent, case=case)
    with django_assert_num_queries(12):
        response = client.get(QUEUE)
    assert len(rows(response)) == 13


def test_my_cases_query_count(client, world, django_assert_num_queries):
    login(client, world.agent)
    for _ in range(3):
        services.case_claim(
            actor=world.agent, case=make_case(actor=world.intake, category=world.category)
        )
    client.get(reverse("console:mine"))
    # As the queue page, without the names of the queue's members (only mine appear here); with
    # the access scope (issue 18).
    with django_assert_num_queries(9):
        response = client.get(reverse("console:mine"))
    assert len(rows(response)) == 3


def test_the_admin_home_page_links_agents_to_the_console(client, world):
    """The admin site's home page (``index_template``, patientcare/admin.py) leads those who work
    cases into the console, and only them."""
    link = f'<a href="{QUEUE}"><strong>Open the agent console</strong></a>'
    response = login(client, world.agent).get(reverse("admin:index"))
    assert response.status_code == 200
    assert link in page_text(response)
    response = login(client, world.officer).get(reverse("admin:index"))
    assert response.status_code == 200  # the compliance officer works no cases: no link
    assert link not in page_text(response)
