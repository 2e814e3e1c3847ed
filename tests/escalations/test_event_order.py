"""The case hooks run in their declared order, and on-commit events keep their causal order: a
case opened with a red flag is announced ``case.opened`` first, then ``case.escalated``."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from cases.choices import Priority
from cases.events import CaseEventName, case_hooks, queue_group


def test_the_hooks_run_in_the_declared_order_not_installed_apps_order():
    from escalations.closing import on_case_closed
    from escalations.detection import on_case_event as detect
    from webhooks.outbox import on_case_event as record_in_outbox

    ours = [
        hook
        for hook in case_hooks.subscribers()
        if hook in (record_in_outbox, detect, on_case_closed)
    ]
    # webhooks comes after escalations in INSTALLED_APPS, yet records the change first.
    assert ours == [record_in_outbox, detect, on_case_closed]


def test_two_hooks_cannot_declare_the_same_order():
    def hook(case, name, event):
        return None

    with pytest.raises(ImproperlyConfigured, match="order 200 is taken"):
        case_hooks.subscribe(hook, order=200)
    assert hook not in case_hooks.subscribers()


def test_a_hook_runs_where_its_order_puts_it():
    ran = []

    def first(case, name, event):
        ran.append("first")

    def last(case, name, event):
        ran.append("last")

    case_hooks.subscribe(last, order=10_001)
    case_hooks.subscribe(first, order=-1)
    try:
        order = case_hooks.subscribers()
        assert order[0] is first and order[-1] is last
    finally:
        case_hooks.unsubscribe(first)
        case_hooks.unsubscribe(last)


def test_case_opened_is_announced_before_the_escalation_it_caused(
    esc_world, listener, django_capture_on_commit_callbacks
):
    w = esc_world
    listener.join(queue_group(w.intake.pk))
    with django_capture_on_commit_callbacks(execute=True):
        case = w.case(subject="Question", description="Since this morning I have chest pain.")
    messages = [m for m in listener.receive_all() if m["type"] == "case.event"]
    assert [m["event"] for m in messages] == [CaseEventName.OPENED, CaseEventName.ESCALATED]
    assert all(m["case_id"] == case.pk for m in messages)
    # Numbered in that order too, so a browser replays them as they happened.
    assert messages[0]["seq"] < messages[1]["seq"]
    # The opening's message still carries what the escalation changed inside the transaction.
    assert messages[0]["priority"] == messages[1]["priority"] == Priority.URGENT


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_announcement_still_goes_out_once(actor, category, listener):
    from cases.events import publish_case_event
    from tests.factories import make_case

    case = make_case(actor=actor, category=category)
    listener.join(queue_group(case.queue_id))
    listener.receive_all(timeout=0.1)
    publish_case_event(case, CaseEventName.UPDATED)  # autocommit: on_commit runs at once
    assert [m["event"] for m in listener.receive_all()] == [CaseEventName.UPDATED]


def test_the_automatic_escalation_is_audited_as_the_system_account(esc_world):
    """``escalate_automatically`` runs ``@audited`` as its explicit actor: the escalation an
    agent's relayed message caused is the system's in the trail, not the agent's."""
    from django.contrib.contenttypes.models import ContentType

    from accounts.services import system_user
    from cases import services as case_services
    from compliance.models import AuditEntry
    from escalations.models import Escalation

    w = esc_world
    case = w.case(subject="Question", description="About my appointment.")
    case_services.case_receive_message(actor=w.agent, case=case, body="Now I have chest pain.")
    escalation = Escalation.objects.get(case=case)
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Escalation), object_pk=str(escalation.pk)
    )
    assert entries.exists()
    assert {entry.actor_id for entry in entries} == {system_user().pk}
