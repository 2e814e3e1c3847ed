"""The break-the-glass review pages: the list, and the review page with what the user did while
the access lasted and the sign-off through ``services.break_glass_review``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from cases.models import Case
from compliance.models import AuditEntry
from oversight.models import BreakGlassAccess, ReviewOutcome
from oversight.services import break_glass_open, break_glass_review
from tests.compliance.conftest import REASON
from tests.factories import UserFactory, make_case

pytestmark = pytest.mark.django_db

LIST = "/compliance/break-glass/"


def review_url(access) -> str:
    return reverse("oversight:break-glass-review", args=[access.pk])


@pytest.fixture
def reviewed(officer, night_agent, actor, category):
    """An older access, already signed off."""
    access = break_glass_open(
        actor=night_agent, reference=make_case(actor=actor, category=category).reference,
        reason=REASON,
    )  # fmt: skip
    BreakGlassAccess.objects.filter(pk=access.pk).update(
        granted_at=access.granted_at - timedelta(days=2),
        expires_at=access.expires_at - timedelta(days=2),
    )
    return break_glass_review(
        actor=officer, access=access, outcome=ReviewOutcome.APPROPRIATE, notes="Fine."
    )


# --- the list -------------------------------------------------------------------------------------


def listed(response) -> list[int]:
    return [access.pk for access in response.context["page"]]


def test_the_list_shows_the_accesses_awaiting_review_by_default(
    officer_client, emergency, reviewed
):
    response = officer_client.get(LIST)
    assert response.status_code == 200
    assert listed(response) == [emergency.pk]
    html = response.content.decode()
    assert "<caption>Emergency accesses: awaiting review" in html
    assert review_url(emergency) in html
    assert emergency.case.reference in html and "night-agent" in html

    assert listed(officer_client.get(LIST, {"status": "reviewed"})) == [reviewed.pk]
    assert listed(officer_client.get(LIST, {"status": "all"})) == [emergency.pk, reviewed.pk]


def test_the_list_pages(officer_client, night_agent, case, emergency):
    for n in range(30):
        granted = emergency.granted_at - timedelta(hours=n + 1)
        BreakGlassAccess.objects.create(
            user=night_agent,
            case=case,
            reason=REASON,
            granted_at=granted,
            expires_at=granted + timedelta(hours=1),
        )
    first = officer_client.get(LIST)
    assert len(listed(first)) == 25
    assert "?status=awaiting&amp;page=2" in first.content.decode()
    second = officer_client.get(LIST, {"status": "awaiting", "page": 2})
    assert len(listed(second)) == 6
    assert set(listed(first)).isdisjoint(listed(second))
    assert listed(first)[0] == emergency.pk  # newest first
    assert officer_client.get(LIST, {"page": "junk"}).status_code == 200  # first page


def test_an_unknown_filter_is_a_400(officer_client, emergency):
    response = officer_client.get(LIST, {"status": "everything"})
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()


# --- the review page ------------------------------------------------------------------------------


def test_the_review_page_shows_the_access_and_what_was_done_in_its_window(
    officer_client, night_agent, emergency, case, actor
):
    client = Client()
    client.force_login(night_agent)
    assert client.get(reverse("admin:cases_case_change", args=[case.pk])).status_code == 200
    viewed = AuditEntry.objects.filter(actor=night_agent, action=AuditEntry.Action.ACCESS).get()
    # Outside the window or not this user or not this case: not shown.
    content_type = ContentType.objects.get_for_model(Case)
    common = {"content_type": content_type, "object_pk": str(case.pk), "object_repr": "x"}
    after = AuditEntry(
        **common,
        action=AuditEntry.Action.ACCESS,
        actor=night_agent,
        case_pk=case.pk,
        timestamp=emergency.expires_at + timedelta(minutes=1),
    )
    after.save()
    by_someone_else = AuditEntry(
        **common, action=AuditEntry.Action.ACCESS, actor=actor, case_pk=case.pk
    )
    by_someone_else.save()

    response = officer_client.get(review_url(emergency))

    assert response.status_code == 200
    html = response.content.decode()
    assert REASON in html
    assert case.reference in html
    assert reverse("admin:cases_case_change", args=[case.pk]) in html
    shown = [entry.pk for entry, _details in response.context["rows"]]
    assert viewed.pk in shown
    assert after.pk not in shown and by_someone_else.pk not in shown
    # the grant, the access record and the timeline event the request wrote, then the case view
    changed = {
        entry.content_type.model
        for entry, _ in response.context["rows"]
        if entry.action == AuditEntry.Action.CREATE
    }
    assert changed == {"caseuserobjectpermission", "breakglassaccess", "caseevent"}
    assert shown == sorted(shown, key=lambda pk: AuditEntry.objects.get(pk=pk).timestamp)
    assert 'name="outcome"' in html and "<legend" in html  # the sign-off form, radios in a group
    assert f"user=night-agent&amp;case_id={case.pk}" in html  # the full trail search


def test_the_review_page_is_logged(officer_client, officer, emergency, case):
    officer_client.get(review_url(emergency))
    logged = AuditEntry.objects.filter(actor=officer).latest("id")
    assert logged.action == AuditEntry.Action.ACCESS
    assert logged.object_repr == f"Break-the-glass review of access {emergency.pk}"
    assert logged.additional_data["access"]["kind"] == "report"
    assert (logged.patient_pk, logged.case_pk) == (case.patient_id, case.pk)
    assert logged.remote_addr == "127.0.0.1"


def test_signing_off_as_appropriate(officer_client, officer, emergency):
    response = officer_client.post(
        review_url(emergency),
        {"outcome": ReviewOutcome.APPROPRIATE, "notes": "Clinically urgent, confirmed."},
    )
    assert response.status_code == 302
    assert response["Location"] == review_url(emergency)
    emergency.refresh_from_db()
    assert emergency.reviewed_by == officer
    assert emergency.review_outcome == ReviewOutcome.APPROPRIATE
    assert emergency.review_notes == "Clinically urgent, confirmed."

    page = officer_client.get(response["Location"])
    html = page.content.decode()
    assert f"Emergency access #{emergency.pk} signed off." in html  # the message
    assert "Clinically urgent, confirmed." in html  # the review, read-only
    assert page.context["form"] is None and 'name="outcome"' not in html
    assert not BreakGlassAccess.objects.awaiting_review().exists()


def test_inappropriate_needs_notes(officer_client, emergency):
    response = officer_client.post(
        review_url(emergency), {"outcome": ReviewOutcome.INAPPROPRIATE, "notes": "  "}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say what follow-up an inappropriate access needs." in html
    assert 'id="id_notes_error"' in html  # tied to the notes field
    emergency.refresh_from_db()
    assert emergency.reviewed_at is None

    response = officer_client.post(
        review_url(emergency),
        {"outcome": ReviewOutcome.INAPPROPRIATE, "notes": "Not on the care team: HR informed."},
    )
    assert response.status_code == 302
    emergency.refresh_from_db()
    assert emergency.review_outcome == ReviewOutcome.INAPPROPRIATE


def test_an_outcome_is_required(officer_client, emergency):
    for data in ({}, {"outcome": "fine"}):
        response = officer_client.post(review_url(emergency), data)
        assert response.status_code == 400
        assert 'id="id_outcome_error"' in response.content.decode()
    emergency.refresh_from_db()
    assert emergency.reviewed_at is None


def test_nobody_reviews_their_own_access(officer_client, officer, case):
    now = timezone.now()
    own = BreakGlassAccess.objects.create(
        user=officer, case=case, reason=REASON, granted_at=now, expires_at=now + timedelta(hours=1)
    )
    page = officer_client.get(review_url(own))
    assert page.status_code == 200
    assert page.context["form"] is None
    assert "another compliance officer reviews it" in page.content.decode()

    response = officer_client.post(review_url(own), {"outcome": ReviewOutcome.APPROPRIATE})
    assert response.status_code == 400
    assert "Nobody reviews their own emergency access." in response.content.decode()
    own.refresh_from_db()
    assert own.reviewed_at is None


def test_a_second_review_is_refused(officer_client, officer, role_groups, emergency):
    officer_client.post(review_url(emergency), {"outcome": ReviewOutcome.APPROPRIATE})
    colleague = UserFactory(username="second-officer")
    colleague.groups.add(role_groups[Role.COMPLIANCE_OFFICER])
    officer_client.force_login(colleague)  # another reviewer, a stale page
    response = officer_client.post(
        review_url(emergency), {"outcome": ReviewOutcome.INAPPROPRIATE, "notes": "Overrule."}
    )
    assert response.status_code == 400
    assert "This access was already reviewed." in response.content.decode()
    emergency.refresh_from_db()
    assert (emergency.reviewed_by, emergency.review_outcome) == (
        officer,
        ReviewOutcome.APPROPRIATE,
    )


def test_an_unknown_access_is_a_404(officer_client, emergency):
    assert (
        officer_client.get(reverse("oversight:break-glass-review", args=[9999])).status_code == 404
    )
