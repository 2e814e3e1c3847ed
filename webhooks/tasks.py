"""Celery tasks of the webhooks: ``webhooks.deliver`` (one attempt at one message) and
``webhooks.sweep`` (every minute from beat: hand due messages to the broker). Their arguments are
ids only, never payloads. Eager in the embedded default."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="webhooks.deliver", ignore_result=True)
def deliver(message_id: int) -> str:
    from webhooks.delivery import deliver_message

    return deliver_message(message_id)


@shared_task(name="webhooks.sweep", ignore_result=True)
def sweep() -> int:
    from webhooks.delivery import sweep_due

    return sweep_due()
