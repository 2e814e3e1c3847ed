"""Celery tasks of the webhooks: ``webhooks.deliver`` (one attempt at one message) and
``webhooks.sweep`` (every minute from beat: hand due messages to the broker). Their arguments are
ids only, never payloads. Eager in the embedded default.

Each task is defined beside the code it runs (``webhooks.delivery.deliver``,
``webhooks.outbox.sweep``); this module imports them so that the worker's autodiscovery (and
``manage.py run_timers``) registers them. The modules' imports run one way: tasks → outbox →
delivery."""

from __future__ import annotations

from webhooks.delivery import deliver
from webhooks.outbox import sweep

__all__ = ["deliver", "sweep"]
