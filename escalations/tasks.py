"""Celery tasks of the escalations: ``escalations.sweep_timers`` (every minute from beat:
``CELERY_BEAT_SCHEDULE["escalations-sweep-timers"]``) re-escalates unacknowledged escalations
(``escalations.timers.sweep``) and renews the case grants of unresolved ones before they lapse
(``escalations.timers.renew``). Inline in the embedded default, where ``manage.py run_timers``
runs it.

The SLA marks are a task of their own (``cases.sweep_sla``), beside this one rather than inside
it: each app sweeps what it owns (``cases`` never imports ``escalations``), and a failure or a
slow run of one never holds up the other — a missed re-escalation is a patient safety issue."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="escalations.sweep_timers", ignore_result=True)
def sweep_timers() -> dict[str, int]:
    """Re-escalate what is overdue, then renew the case grants of unresolved escalations."""
    from escalations.timers import renew, sweep

    counts = sweep()
    renewed = renew()
    return {**counts, "renewed": renewed["grants"], "failed": counts["failed"] + renewed["failed"]}
