"""Break-the-glass: emergency access, time-boxed, on the timeline, reviewed by compliance."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from accounts.roles import Role, ensure_role_groups
from cases.access import access_case
from cases.choices import EventKind
from cases.models import Case, CaseUserObjectPermission
from oversight.models import BreakGlassAccess, ReviewOutcome
from oversight.services import break_glass_open, break_glass_review
from tests.factories import QueueFactory, UserFactory, make_case

pytestmark = pytest.mark.django_db
REASON = "Patient on the line reports a medication reaction; need the open refill case."


@pytest.fixture
def world(actor, category):
    groups = ensure_role_groups()
    outsider = UserFactory(username="night-agent")
    outsider.groups.add(groups[Role.CLINICIAN])  # a role that may break the glass
    assign_perm("cases.work_queue", outsider, QueueFactory(name="Elsewhere", slug="elsewhere"))
    reviewer = UserFactory(username="privacy-officer")
    reviewer.groups.add(groups[Role.COMPLIANCE_OFFICER])
    case = make_case(actor=actor, category=category)
    return outsider, reviewer, case


def test_grants_time_limited_view_access_with_a_timeline_event(world, settings, caplog):
    outsider, _, case = world
    settings.BREAK_GLASS_MINUTES = 30
    with pytest.raises(Exception, match="No such case"):
        access_case(outsider, case.pk)

    access = break_glass_open(actor=outsider, reference=case.reference, reason=REASON)

    assert access.expires_at - access.granted_at == timedelta(minutes=30)
    assert access_case(outsider, case.pk) == case
    assert not Case.objects.restrict(outsider, "work").filter(pk=case.pk).exists()  # read only
    event = case.events.get(kind=EventKind.BREAK_GLASS)
    assert event.actor == outsider and REASON in event.body
    assert BreakGlassAccess.objects.awaiting_review().get() == access
    assert "break-the-glass" in caplog.text and REASON not in caplog.text  # ids only in logs

    later = timezone.now() + timedelta(minutes=31)
    with time_machine.travel(later), pytest.raises(Exception, match="No such case"):
        access_case(outsider, case.pk)


def test_a_second_request_after_expiry_renews_the_grant(world):
    outsider, _, case = world
    break_glass_open(actor=outsider, reference=case.reference, reason=REASON, minutes=5)
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        break_glass_open(actor=outsider, reference=case.reference, reason=REASON, minutes=5)
        assert access_case(outsider, case.pk) == case
    assert CaseUserObjectPermission.objects.filter(user=outsider).count() == 1
    assert BreakGlassAccess.objects.filter(user=outsider).count() == 2


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"reason": "because"}, "reason", "reason_too_short"),
        ({"reason": "   "}, "reason", "reason_too_short"),
        ({"reference": "PC-1999-999999"}, "reference", "not_found"),
        ({"minutes": 0}, "minutes", "out_of_range"),
        ({"minutes": 24 * 60}, "minutes", "out_of_range"),
    ],
)
def test_refusals_write_nothing(world, changes, field, code):
    outsider, _, case = world
    arguments = {"actor": outsider, "reference": case.reference, "reason": REASON, **changes}
    with pytest.raises(ValidationError) as raised:
        break_glass_open(**arguments)
    assert raised.value.error_dict[field][0].code == code
    assert not BreakGlassAccess.objects.exists()
    assert not CaseUserObjectPermission.objects.exists()
    assert not case.events.filter(kind=EventKind.BREAK_GLASS).exists()


def test_refused_for_a_case_one_can_already_see_and_for_non_staff(world):
    outsider, _, case = world
    assign_perm("cases.work_queue", outsider, case.queue)
    with pytest.raises(ValidationError) as raised:
        break_glass_open(actor=outsider, reference=case.reference, reason=REASON)
    assert raised.value.error_dict["reference"][0].code == "already_visible"
    patient_facing = UserFactory(username="not-staff", is_staff=False)
    with pytest.raises(ValidationError) as raised:
        break_glass_open(actor=patient_facing, reference=case.reference, reason=REASON)
    assert raised.value.error_dict["actor"][0].code == "not_staff"


def test_compliance_review_once_and_not_of_oneself(world):
    outsider, reviewer, case = world
    access = break_glass_open(actor=outsider, reference=case.reference, reason=REASON)
    with pytest.raises(ValidationError) as raised:
        break_glass_review(actor=outsider, access=access, outcome=ReviewOutcome.APPROPRIATE)
    assert raised.value.error_dict["actor"][0].code == "not_reviewer"
    with pytest.raises(ValidationError) as raised:
        break_glass_review(actor=reviewer, access=access, outcome=ReviewOutcome.INAPPROPRIATE)
    assert raised.value.error_dict["notes"][0].code == "required"

    reviewed = break_glass_review(
        actor=reviewer, access=access, outcome=ReviewOutcome.APPROPRIATE, notes="Clinically urgent."
    )
    assert (reviewed.reviewed_by, reviewed.review_outcome) == (reviewer, ReviewOutcome.APPROPRIATE)
    assert not BreakGlassAccess.objects.awaiting_review().exists()
    with pytest.raises(ValidationError) as raised:
        break_glass_review(actor=reviewer, access=access, outcome=ReviewOutcome.APPROPRIATE)
    assert raised.value.error_dict["access"][0].code == "already_reviewed"


def test_request_page_grants_and_redirects_to_the_case(client, world):
    outsider, _, case = world
    client.force_login(outsider)
    url = reverse("break-glass-request")
    assert client.get(url).status_code == 200

    refused = client.post(url, {"reference": case.reference, "reason": "short"})
    assert refused.status_code == 400
    assert not BreakGlassAccess.objects.exists()

    response = client.post(url, {"reference": case.reference, "reason": REASON})
    assert response.status_code == 302
    assert response.url == reverse("admin:cases_case_change", args=[case.pk])
    assert client.get(response.url).status_code == 200


def test_request_page_needs_a_staff_login(client):
    response = client.get(reverse("break-glass-request"))
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_review_list_in_the_admin(client, world):
    outsider, reviewer, case = world
    access = break_glass_open(actor=outsider, reference=case.reference, reason=REASON)
    client.force_login(reviewer)
    changelist = reverse("admin:oversight_breakglassaccess_changelist")
    listing = client.get(changelist + "?review=awaiting")
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [access]

    change = reverse("admin:oversight_breakglassaccess_change", args=[access.pk])
    response = client.post(
        change, {"review_outcome": ReviewOutcome.APPROPRIATE, "review_notes": "Checked with nurse."}
    )
    assert response.status_code == 302
    access.refresh_from_db()
    assert access.reviewed_by == reviewer and access.review_notes == "Checked with nurse."

    client.force_login(outsider)  # an agent is not a reviewer: not even the list
    assert client.get(changelist).status_code == 403
