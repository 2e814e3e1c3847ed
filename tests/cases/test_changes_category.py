"""``cases.changes.case_change_category``: details re-validated as the new kind's, a change of
kind needing the new kind's required details (a clear refusal naming them), the old kind's row
kept, the SLA policy chosen again, the timeline, the audit entry and the announcement."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from billing_inquiries.models import BillingInquiry
from cases.changes import case_change_category
from cases.choices import EventKind
from cases.events import CaseEventName, queue_group
from cases.models import Case, CaseEvent
from compliance.models import AuditEntry
from prescription_refills.models import RefillRequest
from tests.cases.changes_world import ChangesWorld
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return ChangesWorld()


@pytest.fixture
def billing(world):
    return CategoryFactory(name="Bill", slug="bill", kind="billing", default_queue=world.queue_a)


@pytest.fixture
def refills(world):
    return CategoryFactory(
        name="Refill", slug="refill", kind="refills", default_queue=world.queue_a
    )


def _codes(raised) -> dict[str, str]:
    return {field: errors[0].code for field, errors in raised.value.error_dict.items()}


def test_a_general_case_becomes_a_billing_case_with_its_details(world, billing):
    case = world.case()
    changed = case_change_category(
        actor=world.agent,
        case=case,
        category=billing,
        details={"inquiry_type": "charge_dispute"},
        reason="It is about a bill.",
    )
    assert changed.category_id == billing.pk
    assert BillingInquiry.objects.get(case_id=case.pk).inquiry_type == "charge_dispute"
    event = CaseEvent.objects.get(case=case, kind=EventKind.CATEGORY_CHANGED)
    assert event.old_value == world.categories[world.queue_a.pk].name
    assert event.new_value == "Bill"
    assert event.actor == world.agent
    assert event.body.startswith("It is about a bill.")


def test_a_change_of_kind_without_the_required_details_is_refused_naming_them(world, refills):
    case = world.case()
    with pytest.raises(ValidationError) as raised:
        case_change_category(actor=world.agent, case=case, category=refills)
    assert set(_codes(raised)) == {"details.request_type", "details.medication"}
    assert Case.objects.get(pk=case.pk).category_id != refills.pk
    assert not RefillRequest.objects.filter(case_id=case.pk).exists()


def test_invalid_and_unknown_details_are_refused(world, billing):
    case = world.case()
    with pytest.raises(ValidationError) as raised:
        case_change_category(
            actor=world.agent,
            case=case,
            category=billing,
            details={"inquiry_type": "nonsense", "colour": "blue"},
        )
    assert _codes(raised) == {"details.colour": "unknown_field"}
    with pytest.raises(ValidationError) as raised:
        case_change_category(
            actor=world.agent, case=case, category=billing, details={"inquiry_type": "nonsense"}
        )
    assert _codes(raised) == {"details.inquiry_type": "invalid_choice"}


def test_a_kind_without_details_refuses_details(world, billing):
    case = world.case(category=billing, details={"inquiry_type": "refund"})
    general = world.categories[world.queue_b.pk]
    with pytest.raises(ValidationError) as raised:
        case_change_category(actor=world.agent, case=case, category=general, details={"a": 1})
    assert _codes(raised) == {"details": "details_not_accepted"}


def test_the_old_kinds_row_is_kept_and_reused_when_moving_back(world, billing, refills):
    case = world.case(category=billing, details={"inquiry_type": "refund"})
    case_change_category(
        actor=world.agent,
        case=case,
        category=refills,
        details={"request_type": "refill", "medication": "Examplamine 10 mg"},
    )
    assert BillingInquiry.objects.get(case_id=case.pk).inquiry_type == "refund"
    event = CaseEvent.objects.get(case=case, kind=EventKind.CATEGORY_CHANGED)
    assert "details are kept but no longer shown" in event.body
    case_change_category(
        actor=world.agent, case=case, category=billing, details={"inquiry_type": "payment_plan"}
    )
    assert BillingInquiry.objects.get(case_id=case.pk).inquiry_type == "payment_plan"
    assert BillingInquiry.objects.filter(case_id=case.pk).count() == 1


def test_within_a_kind_details_are_changes_to_the_stored_row(world, billing):
    other = CategoryFactory(name="Plan", slug="plan", kind="billing", default_queue=world.queue_a)
    case = world.case(
        category=billing, details={"inquiry_type": "refund", "account_number": "ACCT-1"}
    )
    case_change_category(
        actor=world.agent, case=case, category=other, details={"inquiry_type": "payment_plan"}
    )
    row = BillingInquiry.objects.get(case_id=case.pk)
    assert (row.inquiry_type, row.account_number) == ("payment_plan", "ACCT-1")
    assert Case.objects.get(pk=case.pk).category_id == other.pk
    # the same category with changed details: the row changes, the timeline names the fields
    case_change_category(
        actor=world.agent, case=case, category=other, details={"inquiry_type": "refund"}
    )
    assert BillingInquiry.objects.get(case_id=case.pk).inquiry_type == "refund"
    events = CaseEvent.objects.filter(case=case, kind=EventKind.CATEGORY_CHANGED).order_by("pk")
    assert events.count() == 2
    assert events.last().body == "Billing and financial details changed: inquiry_type."
    # the same details again: nothing written
    case_change_category(
        actor=world.agent, case=case, category=other, details={"inquiry_type": "refund"}
    )
    assert CaseEvent.objects.filter(case=case, kind=EventKind.CATEGORY_CHANGED).count() == 2


def test_inactive_category_closed_case_and_access(world, billing):
    billing.active = False
    billing.save()
    case = world.case()
    with pytest.raises(ValidationError) as raised:
        case_change_category(
            actor=world.agent, case=case, category=billing, details={"inquiry_type": "refund"}
        )
    assert _codes(raised) == {"category": "category_inactive"}
    for user in (world.outsider, world.agent_b, world.compliance):
        with pytest.raises(Http404):
            case_change_category(actor=user, case=case, category=world.categories[world.queue_b.pk])


def test_the_change_is_announced_and_audited(
    world, billing, listener, django_capture_on_commit_callbacks
):
    case = world.case()
    listener.join(queue_group(world.queue_a.pk))
    head = AuditEntry.objects.order_by("-id").values_list("id", flat=True)[0]
    with django_capture_on_commit_callbacks(execute=True):
        case_change_category(
            actor=world.agent, case=case, category=billing, details={"inquiry_type": "refund"}
        )
    (message,) = listener.receive_all()
    assert message["event"] == CaseEventName.UPDATED
    assert message["category_id"] == billing.pk
    entries = AuditEntry.objects.filter(id__gt=head).exclude(action=AuditEntry.Action.ACCESS)
    models = {entry.content_type.model: entry.actor_id for entry in entries}
    assert models["case"] == world.agent.pk
    assert models["billinginquiry"] == world.agent.pk
