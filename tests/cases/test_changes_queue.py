"""``cases.changes.case_move``: into a queue the actor works or supervises, 404 for who may not
work the case, the assignee kept only if they work the new queue, the timeline, the audit entry,
and the announcement to both queues."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from cases import services
from cases.changes import case_move
from cases.choices import EventKind, Status
from cases.events import CaseEventName, queue_group
from cases.models import Case, CaseEvent
from compliance.models import AuditEntry
from tests.cases.changes_world import ChangesWorld
from tests.factories import QueueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return ChangesWorld()


def _code(raised) -> tuple[str, str]:
    ((field, errors),) = raised.value.error_dict.items()
    return field, errors[0].code


def test_an_agent_of_both_queues_moves_a_case(world):
    case = world.case()
    moved = case_move(actor=world.agent_ab, case=case, queue=world.queue_b, reason="Billing")
    assert moved.queue_id == world.queue_b.pk
    assert Case.objects.get(pk=case.pk).queue_id == world.queue_b.pk
    event = CaseEvent.objects.get(case=case, kind=EventKind.QUEUE_CHANGED)
    assert (event.old_value, event.new_value, event.body) == ("Change A", "Change B", "Billing")
    assert event.actor == world.agent_ab
    assert not Case.objects.restrict(world.agent, "view").filter(pk=case.pk).exists()


def test_into_a_queue_the_actor_does_not_work_is_refused(world):
    case = world.case()
    with pytest.raises(ValidationError) as raised:
        case_move(actor=world.agent, case=case, queue=world.queue_b)
    assert _code(raised) == ("queue", "not_queue_member")
    assert Case.objects.get(pk=case.pk).queue_id == world.queue_a.pk


def test_a_supervisor_of_the_target_may_move_into_it(world):
    case = world.case(queue=world.queue_b)
    from guardian.shortcuts import assign_perm

    assign_perm("cases.work_queue", world.supervisor, world.queue_b)
    moved = case_move(actor=world.fresh(world.supervisor), case=case, queue=world.queue_a)
    assert moved.queue_id == world.queue_a.pk


@pytest.mark.parametrize("who", ["outsider", "agent_b", "compliance"])
def test_who_may_not_work_the_case_gets_404(world, who):
    case = world.case()
    with pytest.raises(Http404):
        case_move(actor=getattr(world, who), case=case, queue=world.queue_b)


def test_an_inactive_queue_and_a_closed_case_are_refused(world):
    inactive = QueueFactory(name="Old", slug="old", active=False)
    case = world.case()
    with pytest.raises(ValidationError) as raised:
        case_move(actor=world.agent_ab, case=case, queue=inactive)
    assert _code(raised) == ("queue", "queue_inactive")
    for status in (Status.RESOLVED, Status.CLOSED):
        case = services.case_transition(actor=world.agent_ab, case=case, to_status=status)
    with pytest.raises(ValidationError) as raised:
        case_move(actor=world.agent_ab, case=case, queue=world.queue_b)
    assert _code(raised) == ("case", "case_closed")


def test_an_assignee_who_does_not_work_the_new_queue_is_unassigned(world):
    case = world.case()
    services.case_claim(actor=world.agent, case=case)
    case_move(actor=world.agent_ab, case=case, queue=world.queue_b)
    case.refresh_from_db()
    assert case.assigned_to_id is None
    assert CaseEvent.objects.filter(case=case, kind=EventKind.UNASSIGNED).count() == 1


def test_an_assignee_who_works_the_new_queue_keeps_it(world):
    case = world.case()
    services.case_claim(actor=world.agent_ab, case=case)
    case_move(actor=world.agent_ab, case=case, queue=world.queue_b)
    case.refresh_from_db()
    assert case.assigned_to_id == world.agent_ab.pk
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.UNASSIGNED).exists()


def test_the_same_queue_writes_nothing(world, listener, django_capture_on_commit_callbacks):
    case = world.case()
    listener.join(queue_group(world.queue_a.pk))
    with django_capture_on_commit_callbacks(execute=True):
        case_move(actor=world.agent_ab, case=case, queue=world.queue_a)
    assert listener.receive_all() == []
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.QUEUE_CHANGED).exists()


def test_the_move_is_announced_to_both_queues(world, listener, django_capture_on_commit_callbacks):
    case = world.case()
    listener.join(queue_group(world.queue_a.pk))
    listener.join(queue_group(world.queue_b.pk))
    with django_capture_on_commit_callbacks(execute=True):
        case_move(actor=world.agent_ab, case=case, queue=world.queue_b)
    messages = listener.receive_all()
    assert [m["event"] for m in messages] == [CaseEventName.MOVED] * 2
    assert {m["seq_queue_id"] for m in messages} == {world.queue_a.pk, world.queue_b.pk}
    assert all(m["queue_id"] == world.queue_b.pk for m in messages)


def test_the_move_is_audited_with_its_actor(world):
    case = world.case()
    head = AuditEntry.objects.order_by("-id").values_list("id", flat=True)[0]
    case_move(actor=world.agent_ab, case=case, queue=world.queue_b)
    entry = AuditEntry.objects.get(
        id__gt=head, content_type__model="case", action=AuditEntry.Action.UPDATE
    )
    assert entry.actor_id == world.agent_ab.pk
    assert "queue" in entry.changes_dict
