"""The break-the-glass request page (/access/emergency/, issue 17): only for the roles that may
break the glass (a 404 for everybody else, superusers included), the daily limit and the second
confirmation of a restricted record on the form, refusals of the policy in the audit trail."""

from __future__ import annotations

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from accounts.models import User
from accounts.roles import Role
from cases.changes import case_set_sensitivity
from cases.choices import EventKind
from cases.models import Sensitivity
from compliance.models import AuditEntry
from oversight.models import BreakGlassAccess
from tests.compliance.conftest import ROLES, SUPERUSER
from tests.factories import QueueFactory, UserFactory, make_case

pytestmark = pytest.mark.django_db
URL = "/access/emergency/"
REASON = "Patient on the line reports a medication reaction; need the open refill case."
CLINICIAN = "clinician"


@pytest.fixture
def users(role_users, role_groups) -> dict[str, User | None]:
    nurse = UserFactory(username="pages-clinician", first_name="Night", last_name="Nurse")
    nurse.groups.add(role_groups[Role.CLINICIAN])
    assign_perm("cases.work_queue", nurse, QueueFactory(name="Nurse line", slug="nurse-line"))
    return {**role_users, CLINICIAN: nurse}


@pytest.fixture
def nurse_client(client, users):
    client.force_login(users[CLINICIAN])
    return client


def test_the_url_is_the_named_one():
    assert reverse("break-glass-request") == URL


@pytest.mark.parametrize("role", [*ROLES, CLINICIAN])
@pytest.mark.parametrize("method", ["get", "post"])
def test_permission_matrix(client, users, role, method, case):
    user = users[role]
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(URL, {"reference": case.reference, "reason": REASON})
    if role == "anonymous":
        assert response.status_code == 302 and "/admin/login/" in response.url
    elif role in (CLINICIAN, "compliance"):
        # The compliance officer may, but already sees every case: a 409 on the form.
        assert response.status_code == {"get": 200, CLINICIAN: 302, "compliance": 409}.get(
            method if method == "get" else role
        )
    else:  # agents, supervisors, administrators, partners and superusers: no such page
        assert response.status_code == 404
    if role != CLINICIAN or method == "get":
        assert not BreakGlassAccess.objects.exists()


def test_a_superuser_in_a_permitted_role_may(client, role_groups, case):
    root = UserFactory(username="root-nurse", is_superuser=True)
    root.groups.add(role_groups[Role.CLINICIAN])
    client.force_login(root)
    response = client.post(URL, {"reference": case.reference, "reason": REASON})
    assert response.status_code == 302


def test_the_page_says_the_limit_and_the_alert(nurse_client, settings):
    settings.BREAK_GLASS_DAILY_LIMIT = 2
    page = nurse_client.get(URL).content.decode()
    assert "at most 2 emergency accesses" in page
    assert "announced to the privacy office" in page
    assert "42 CFR Part 2" not in page  # the notice comes with a restricted record only


def test_the_daily_limit_is_shown_on_the_form_and_audited(
    nurse_client, users, actor, category, settings
):
    settings.BREAK_GLASS_DAILY_LIMIT = 1
    first, second = (make_case(actor=actor, category=category) for _ in range(2))
    assert (
        nurse_client.post(URL, {"reference": first.reference, "reason": REASON}).status_code == 302
    )

    response = nurse_client.post(URL, {"reference": second.reference, "reason": REASON})

    assert response.status_code == 409
    page = response.content.decode()
    assert "You have used your 1 emergency access" in page
    assert BreakGlassAccess.objects.filter(case=second).count() == 0
    entry = AuditEntry.objects.get(object_repr="Break-the-glass refused: daily_limit_reached")
    assert entry.actor == users[CLINICIAN]
    assert entry.additional_data["access"]["query"] == {
        "reference": second.reference,
        "code": "daily_limit_reached",
    }
    assert REASON not in str(entry.additional_data)


def test_bad_input_is_a_400_with_the_field_errors(nurse_client, case):
    response = nurse_client.post(URL, {"reference": "PC-1999-999999", "reason": REASON})
    assert response.status_code == 400
    assert "No case has this reference." in response.content.decode()
    short = nurse_client.post(URL, {"reference": case.reference, "reason": "short"})
    assert short.status_code == 400
    assert not BreakGlassAccess.objects.exists()
    assert not AuditEntry.objects.filter(object_repr__startswith="Break-the-glass refused").exists()


@pytest.fixture
def restricted(case, officer):
    return case_set_sensitivity(
        actor=officer, case=case, sensitivity=Sensitivity.SUBSTANCE_USE, reason="Part 2 care."
    )


def test_a_restricted_record_takes_a_second_confirmed_step(nurse_client, restricted):
    typed = {"reference": restricted.reference, "reason": REASON}

    first = nurse_client.post(URL, typed)

    assert first.status_code == 200
    page = first.content.decode()
    assert "This record is restricted" in page and "42 CFR Part 2" in page
    assert 'name="confirm_step" value="1"' in page
    assert 'type="checkbox" name="confirm_sensitive"' in page
    assert REASON in page  # what was typed is kept
    assert "Substance-use" not in page.split("This record is restricted")[0]
    assert not BreakGlassAccess.objects.exists()

    unticked = nurse_client.post(URL, {**typed, "confirm_step": "1"})
    assert unticked.status_code == 409
    assert "Confirm that you need it" in unticked.content.decode()
    assert not BreakGlassAccess.objects.exists()

    # A tick without the confirmation step (a hand-made request) is not the second step.
    forged = nurse_client.post(URL, {**typed, "confirm_sensitive": "on"})
    assert forged.status_code == 200 and not BreakGlassAccess.objects.exists()

    confirmed = nurse_client.post(URL, {**typed, "confirm_step": "1", "confirm_sensitive": "on"})
    assert confirmed.status_code == 302
    assert BreakGlassAccess.objects.get().case == restricted
    assert restricted.events.filter(kind=EventKind.BREAK_GLASS).exists()


def test_superusers_are_no_exception_to_the_404(client, role_users, case):
    client.force_login(role_users[SUPERUSER])
    assert client.get(URL).status_code == 404
