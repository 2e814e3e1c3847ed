"""The live queue page renders what an agent looks at (issue 18): the first page of rows
(``CONSOLE_QUEUE_PAGE_SIZE``, 50), "More cases" by a keyset link (``?after=<case id>``) that keeps
the filters and works without JavaScript, one claim form for the whole table, and a response a
fraction of the 200-row page's size. live.js's side (appending the next page, a later page kept
current): tests/console/test_pages_live_js_more.py."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from cases import services
from cases.choices import Priority
from cases.models import Case
from tests.console.pages_world import (  # noqa: F401
    assert_login_redirect,
    case_url,
    login,
    page_text,
    world_fixture,
)
from tests.console.test_pages_permissions import (
    AGENT,
    ANONYMOUS,
    ROLES,
    SUPERVISOR,
    state_of,
    user_of,
)
from tests.console.test_pages_queue import QUEUE, live_config, messages_of, rows
from tests.factories import make_case

pytestmark = pytest.mark.django_db

CLAIM = "/console/claim/"


def more_link(response) -> str | None:
    match = re.search(
        r'<p class="queue-more" id="queue-more"><a href="([^"]+)"', page_text(response)
    )
    return unescape(match.group(1)) if match else None


def open_cases(world, count: int, **fields) -> list[Case]:
    patient = world.case.patient
    return [
        make_case(actor=world.intake, category=world.category, patient=patient, **fields)
        for _ in range(count)
    ]


# --- pages ----------------------------------------------------------------------------------------


def test_200_open_cases_show_the_first_50_and_a_more_link_in_a_fraction_of_the_size(client, world):
    """Today's page drew up to 200 rows, each with its own CSRF-protected form (276 KB in the
    issue's measurement): now 50 rows and one form, whatever the backlog."""
    open_cases(world, 199)  # and world.case: 200 open cases in Billing
    response = login(client, world.agent).get(QUEUE)
    assert response.status_code == 200
    html = page_text(response)
    shown = rows(response)
    assert len(shown) == 50
    assert shown[0] == world.case.reference  # the oldest of one priority first
    # The admin header's log-out form, claim next and the one claim form: none per row.
    assert html.count("csrfmiddlewaretoken") == 3
    assert html.count('form="claim-form"') == 50
    last = Case.objects.get(reference=shown[-1])
    assert more_link(response) == f"{QUEUE}?after={last.pk}"
    assert 'rel="next"' in html
    # 50 rows of ~1 KB and the page's frame; 200 rows with a form each were over 250 KB.
    assert len(response.content) < 80_000, len(response.content)
    assert live_config(response)["limit"] == 50

    # Following the links walks the whole list once, in order, without a repeat.
    seen = list(shown)
    link = more_link(response)
    while link:
        page = client.get(link)
        assert page.status_code == 200
        assert "Back to the most urgent cases" in page_text(page)
        seen += rows(page)
        link = more_link(page)
    assert len(seen) == 200 and len(set(seen)) == 200
    assert seen == list(
        Case.objects.filter(queue=world.queue)
        .order_by("-priority", "created_at", "id")
        .values_list("reference", flat=True)
    )


@pytest.fixture
def small_pages(settings):
    settings.CONSOLE_QUEUE_PAGE_SIZE = 2


def test_the_next_page_keeps_the_filters_and_the_order(client, world, small_pages):
    urgent = open_cases(world, 2, priority=Priority.URGENT)
    normal = [world.case, *open_cases(world, 3)]
    login(client, world.agent)

    first = client.get(QUEUE, {"priority": Priority.NORMAL})
    assert rows(first) == [case.reference for case in normal[:2]]
    link = more_link(first)
    assert link == f"{QUEUE}?priority={Priority.NORMAL}&after={normal[1].pk}"
    second = client.get(link)
    assert rows(second) == [case.reference for case in normal[2:4]]
    config = live_config(second)
    assert config["after"] == normal[1].pk
    assert config["list_query"] == f"priority={Priority.NORMAL}"
    back = f'<a href="{QUEUE}?priority={Priority.NORMAL}">Back to the most urgent cases</a>'
    assert back in page_text(second)
    # No filter: the urgent cases first, then the others, across the pages.
    everything = client.get(QUEUE)
    assert rows(everything) == [case.reference for case in urgent]
    assert rows(client.get(more_link(everything))) == [case.reference for case in normal[:2]]
    # The first page is not "paged" and has no after.
    assert live_config(everything)["after"] is None
    assert "Back to the most urgent cases" not in page_text(everything)


def test_the_last_page_has_no_more_link(client, world, small_pages):
    second = open_cases(world, 1)[0]
    response = login(client, world.agent).get(QUEUE)
    assert rows(response) == [world.case.reference, second.reference]
    assert more_link(response) is None


@pytest.mark.parametrize("after", ["abc", "0", "-3", "1" * 30])
def test_a_malformed_after_is_a_400(client, world, after):
    response = login(client, world.agent).get(QUEUE, {"after": after})
    assert response.status_code == 400
    assert "A filter was not understood" in page_text(response)
    assert rows(response) == [world.case.reference]  # the first page


def test_a_case_i_may_not_see_as_after_starts_again_at_the_top(client, world, small_pages):
    """A case of a queue the agent does not work (or no case at all) tells nothing about where it
    stands: the list starts again at the top, saying so — the same for both."""
    open_cases(world, 2)
    login(client, world.agent)
    top = rows(client.get(QUEUE))
    for after in (world.foreign_case.pk, 999_999_999):
        response = client.get(QUEUE, {"after": after})
        assert response.status_code == 200
        assert rows(response) == top
        assert "The list has changed since that page was drawn" in page_text(response)
        assert live_config(response)["after"] is None


def test_a_claimed_case_still_marks_its_place(client, world, small_pages):
    """The page after a case that was claimed (or closed) since: it still stands where it was
    (the agent may work it), so the next page follows on."""
    cases = [world.case, *open_cases(world, 3)]
    services.case_claim(actor=world.agent2, case=cases[1])
    response = login(client, world.agent).get(QUEUE, {"after": cases[1].pk})
    assert rows(response) == [cases[2].reference, cases[3].reference]


# --- the one claim form ---------------------------------------------------------------------------


def test_one_claim_form_for_the_table(client, world):
    open_cases(world, 3)
    html = page_text(login(client, world.agent).get(QUEUE, {"status": "new"}))
    forms = re.findall(r'<form id="claim-form"[^>]*>.*?</form>', html, flags=re.DOTALL)
    assert len(forms) == 1
    assert 'method="post" action="/console/claim/?status=new"' in forms[0]
    assert 'name="csrfmiddlewaretoken"' in forms[0]
    assert html.count('form="claim-form" name="case"') == 4


def test_claim_through_the_one_form(client, world):
    response = login(client, world.agent).post(
        CLAIM + "?priority=20", {"case": world.case.reference}
    )
    assert response.status_code == 302
    assert response["Location"] == case_url(world.case)
    assert Case.objects.get(pk=world.case.pk).assigned_to == world.agent
    assert messages_of(response) == [f"You claimed case {world.case.reference}."]


def test_claiming_a_case_i_may_not_see_is_a_404(client, world):
    response = login(client, world.agent).post(CLAIM, {"case": world.foreign_case.reference})
    assert response.status_code == 404
    response = client.post(CLAIM, {"case": "PC-2099-999999"})
    assert response.status_code == 404
    assert Case.objects.get(pk=world.foreign_case.pk).assigned_to_id is None


@pytest.mark.parametrize("data", [{}, {"case": ""}, {"case": "PC 1"}, {"case": "x" * 40}])
def test_a_claim_without_a_case_is_a_400_on_the_queue_page(client, world, data):
    response = login(client, world.agent).post(CLAIM + "?status=new", data)
    assert response.status_code == 400
    html = page_text(response)
    assert '<p class="errornote" role="alert">Choose a case to claim.</p>' in html
    assert '<option value="new" selected>' in html


def test_a_claim_that_lost_the_race_shows_the_queue_with_the_reason(client, world):
    services.case_claim(actor=world.agent2, case=world.case)
    response = login(client, world.agent).post(CLAIM, {"case": world.case.reference})
    assert response.status_code == 409
    assert "Already claimed by Bo Tester." in page_text(response)
    assert Case.objects.get(pk=world.case.pk).assigned_to == world.agent2


def test_the_claim_form_needs_its_csrf_token(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.agent)
    response = client.post(CLAIM, {"case": world.case.reference})
    assert response.status_code == 403  # CSRF failure, before any access decision
    assert Case.objects.get(pk=world.case.pk).assigned_to_id is None


def test_the_claim_page_is_post_only_and_for_console_users(client, world):
    assert login(client, world.agent).get(CLAIM).status_code == 405
    assert (
        login(client, world.officer).post(CLAIM, {"case": world.case.reference}).status_code == 404
    )
    assert reverse("console:claim") == CLAIM


@pytest.mark.parametrize("role", ROLES)
def test_the_claim_form_in_the_permission_matrix(client, world, role):
    """The one claim form as test_pages_permissions.py's matrix checks each action: who works
    Billing claims (302); the console's other users (who do not see the case) get a 404, and
    the rest of the world the 404 of the console — never a 403 — and nothing changes."""
    user = user_of(world, role)
    login(client, user)
    before = state_of(world.case)
    response = client.post(CLAIM, {"case": world.case.reference})
    if role == ANONYMOUS:
        assert_login_redirect(response, CLAIM)
    elif role in {AGENT, SUPERVISOR}:
        assert response.status_code == 302, response.content[:800]
        assert Case.objects.get(pk=world.case.pk).assigned_to == user
    else:
        assert response.status_code == 404, (role, response.status_code)
        assert state_of(world.case) == before


# --- query counts ---------------------------------------------------------------------------------


def test_a_later_page_costs_one_query_more_than_the_first(
    client, world, small_pages, django_assert_num_queries
):
    """The first page's count is pinned in test_pages_queue.py (12, no session save since the
    idle stamp is refreshed at most once a minute); a later page reads where its ``after`` case
    stands first (through ``restrict()``): 13, whatever the rows."""
    cases = [world.case, *open_cases(world, 5)]
    login(client, world.agent)
    client.get(QUEUE, {"after": cases[1].pk})  # warm the caches
    with django_assert_num_queries(13):
        response = client.get(QUEUE, {"after": cases[1].pk})
    assert rows(response) == [cases[2].reference, cases[3].reference]
