"""Live-queue events: sent to the queue's group after commit, never on rollback, without PHI.

Runs against the configured channel layer: channels-redis when REDIS_URL is set (CI), the
in-memory layer otherwise."""

import json
import time

import pytest
from django.db import transaction

from cases import services
from cases.changes import patient_set_sensitivity
from cases.choices import Status, Visibility
from cases.events import (
    CaseEventName,
    current_sequences,
    next_sequence,
    publish_case_event,
    queue_group,
)
from cases.models import Sensitivity
from tests.factories import CategoryFactory, QueueFactory, make_case, make_patient

PHI_FIELDS = ("given_name", "family_name", "mrn", "email")


def _events(messages):
    return [message["event"] for message in messages]


@pytest.mark.django_db
def test_each_service_announces_after_commit(
    actor, other_agent, category, listener, django_capture_on_commit_callbacks
):
    listener.join(queue_group(category.default_queue_id))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        case = make_case(actor=actor, category=category)
        assert listener.receive_all(timeout=0.1) == []  # nothing before the commit
    assert len(callbacks) == 1  # one announcement
    opened = listener.receive_all()
    assert _events(opened) == [CaseEventName.OPENED]

    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_assign(actor=actor, case=case, assignee=other_agent)
        case = services.case_transition(actor=actor, case=case, to_status=Status.IN_PROGRESS)
        services.case_add_note(actor=actor, case=case, body="Hello", visibility=Visibility.PATIENT)
    messages = listener.receive_all()
    assert _events(messages) == [
        CaseEventName.ASSIGNED,
        CaseEventName.STATUS_CHANGED,
        CaseEventName.MESSAGE_ADDED,
    ]
    last = messages[-1]
    assert last["type"] == "case.event"
    assert last["case_id"] == case.pk
    assert last["queue_id"] == category.default_queue_id
    assert last["status"] == Status.IN_PROGRESS
    assert last["assigned_to_id"] == other_agent.pk


@pytest.mark.django_db
def test_events_carry_no_patient_data(
    actor, category, listener, django_capture_on_commit_callbacks
):
    listener.join(queue_group(category.default_queue_id))
    patient = make_patient(actor, given_name="Zebulon", family_name="Quixotic")
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(
            actor=actor,
            category=category,
            patient=patient,
            subject="Chest bill for Zebulon",
            description="Quixotic description",
        )
        services.case_add_note(
            actor=actor, case=case, body="Private reply text", visibility=Visibility.PATIENT
        )
    messages = listener.receive_all()
    assert len(messages) == 2
    text = json.dumps(messages)
    for value in [
        *(getattr(patient, name) for name in PHI_FIELDS),
        str(patient.phone),
        str(patient.date_of_birth),
        "Zebulon",
        "Quixotic",
        "Private reply text",
    ]:
        assert value not in text


@pytest.mark.django_db
def test_only_the_cases_queue_hears_it(
    actor, category, listener, django_capture_on_commit_callbacks
):
    elsewhere = QueueFactory()
    listener.join(queue_group(elsewhere.pk))
    with django_capture_on_commit_callbacks(execute=True):
        make_case(actor=actor, category=category)
    assert listener.receive_all() == []


@pytest.mark.django_db
def test_rolled_back_changes_are_not_announced(
    actor, category, listener, django_capture_on_commit_callbacks
):
    listener.join(queue_group(category.default_queue_id))
    case = make_case(actor=actor, category=category)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.case_transition(actor=actor, case=case, to_status=Status.RESOLVED)
        raise RuntimeError("rolled back")
    assert callbacks == []
    assert listener.receive_all() == []
    case.refresh_from_db()
    assert case.status == Status.NEW


@pytest.mark.django_db(transaction=True)
def test_real_commit_and_real_rollback(actor, category, listener):
    """Without the test-case transaction: a real COMMIT sends, a real ROLLBACK does not."""
    listener.join(queue_group(category.default_queue_id))
    with pytest.raises(RuntimeError), transaction.atomic():
        make_case(actor=actor, category=category)
        raise RuntimeError("rolled back")
    assert listener.receive_all() == []

    with transaction.atomic():
        case = make_case(actor=actor, category=category)
        assert listener.receive_all(timeout=0.1) == []
    messages = listener.receive_all()
    assert _events(messages) == [CaseEventName.OPENED]
    assert messages[0]["reference"] == case.reference


@pytest.mark.django_db
def test_a_failing_channel_layer_does_not_undo_the_change(
    actor, category, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    class BrokenLayer:
        async def group_send(self, group, message):
            raise ConnectionError("redis is down")

    monkeypatch.setattr("cases.events.get_channel_layer", lambda: BrokenLayer())
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(actor=actor, category=category)
    case.refresh_from_db()
    assert case.status == Status.NEW
    assert "not delivered" in caplog.text
    assert case.patient.family_name not in caplog.text


@pytest.mark.django_db(transaction=True)
def test_case_hooks_run_inside_the_services_transaction(actor, other_agent, category):
    from django.db import connection

    from cases.events import case_hooks

    seen = []

    def hook(case, name, event):
        seen.append((name, event.kind if event else None, connection.in_atomic_block))

    case_hooks.subscribe(hook, order=900)
    try:
        case = make_case(actor=actor, category=category)
        case = services.case_assign(actor=actor, case=case, assignee=other_agent)
        case = services.case_transition(actor=actor, case=case, to_status=Status.IN_PROGRESS)
        services.case_add_note(actor=actor, case=case, body="Hi", visibility=Visibility.PATIENT)
    finally:
        case_hooks.unsubscribe(hook)
    assert seen == [
        (CaseEventName.OPENED, "opened", True),
        (CaseEventName.ASSIGNED, "assigned", True),
        (CaseEventName.STATUS_CHANGED, "status_changed", True),
        (CaseEventName.MESSAGE_ADDED, "reply", True),
    ]


# --- sequence numbers (docs/architecture/live-queue.md, "Events") ---------------------------------


@pytest.mark.django_db
def test_each_queue_numbers_its_events(
    actor, category, listener, django_capture_on_commit_callbacks
):
    other = CategoryFactory(default_queue=QueueFactory())
    queue_id, other_id = category.default_queue_id, other.default_queue_id
    listener.join(queue_group(queue_id))
    listener.join(queue_group(other_id))
    start = current_sequences([queue_id, other_id])
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(actor=actor, category=category)
        make_case(actor=actor, category=other)
        services.case_transition(actor=actor, case=case, to_status=Status.IN_PROGRESS)
    numbered = [(m["seq_queue_id"], m["seq"]) for m in listener.receive_all()]
    assert numbered == [
        (queue_id, start[queue_id] + 1),
        (other_id, start[other_id] + 1),
        (queue_id, start[queue_id] + 2),
    ]
    assert current_sequences([queue_id, other_id]) == {
        queue_id: start[queue_id] + 2,
        other_id: start[other_id] + 1,
    }


@pytest.mark.django_db
def test_a_case_moved_between_queues_is_announced_to_both_with_each_queues_number(
    actor, category, listener, django_capture_on_commit_callbacks
):
    old = QueueFactory()
    listener.join(queue_group(category.default_queue_id))
    listener.join(queue_group(old.pk))
    case = make_case(actor=actor, category=category)
    listener.receive_all()
    start = current_sequences([category.default_queue_id, old.pk])
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        publish_case_event(case, CaseEventName.UPDATED, also_queue_ids=(old.pk, old.pk))
    messages = listener.receive_all()
    assert sorted((m["seq_queue_id"], m["seq"]) for m in messages) == sorted(
        [
            (category.default_queue_id, start[category.default_queue_id] + 1),
            (old.pk, start[old.pk] + 1),
        ]
    )
    assert {m["queue_id"] for m in messages} == {category.default_queue_id}  # where it is now


@pytest.mark.django_db
def test_sensitive_cases_are_flagged_for_the_consumer(
    actor, admin_user, category, listener, django_capture_on_commit_callbacks
):
    listener.join(queue_group(category.default_queue_id))
    patient = patient_set_sensitivity(
        actor=admin_user, patient=make_patient(actor), sensitivity=Sensitivity.HIV, reason="HIV"
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_case(actor=actor, category=category)
        make_case(actor=actor, category=category, patient=patient)
    assert [m["sensitive"] for m in listener.receive_all()] == [False, True]


def test_a_lost_counter_starts_again_above_every_number_it_gave(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    first = next_sequence(10**9)
    assert next_sequence(10**9) == first + 1
    time.sleep(0.01)  # the counter gave 2 numbers in well under 10 ms (fewer than 1,000 a second)
    cache.clear()  # evicted, flushed, or Redis restarted empty
    assert next_sequence(10**9) > first + 1


def test_event_names():
    assert {
        CaseEventName.OPENED,
        CaseEventName.UPDATED,
        CaseEventName.ASSIGNED,
        CaseEventName.STATUS_CHANGED,
        CaseEventName.MESSAGE_ADDED,
        CaseEventName.ESCALATED,
        CaseEventName.SLA_WARNING,
        CaseEventName.SLA_BREACHED,
    } == {
        "case.opened",
        "case.updated",
        "case.assigned",
        "case.status_changed",
        "case.message_added",
        "case.escalated",
        "case.sla_warning",
        "case.sla_breached",
    }


@pytest.mark.django_db
def test_events_carry_each_sla_targets_state_decided_on_the_server(
    actor, category, listener, django_capture_on_commit_callbacks
):
    """A first response after its due time is announced as "met late" (cases.sla_state), the
    state the pages show: live.js draws it and decides nothing."""
    from datetime import timedelta

    from django.utils import timezone

    from cases.models import Case

    listener.join(queue_group(category.default_queue_id))
    case = make_case(actor=actor, category=category)
    due = timezone.now() - timedelta(minutes=40)
    Case.objects.filter(pk=case.pk).update(
        first_response_due_at=due, resolution_due_at=timezone.now() + timedelta(hours=3)
    )
    case.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_add_note(actor=actor, case=case, body="Hello", visibility=Visibility.PATIENT)
    (message,) = listener.receive_all()
    first, resolution = message["sla"]["first_response"], message["sla"]["resolution"]
    assert (first["state"], first["label"]) == ("met_late", "Met late")
    assert first["css"] == "sla-met-late"
    assert first["detail"] == "40 min after its due time"
    assert first["countdown"] is None and first["changes_at"] is None
    assert (resolution["state"], resolution["countdown"]) == ("running", "until")
    assert resolution["changes_at"] is not None
    assert set(message["sla"]) == {"first_response", "resolution"}
