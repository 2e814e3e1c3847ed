"""Celery tasks of the cases: ``cases.sweep_sla`` (every minute from beat:
``CELERY_BEAT_SCHEDULE["cases-sweep-sla"]``) marks and announces SLA warnings and breaches
(``cases.timers.sweep``). Inline in the embedded default, where ``manage.py run_timers`` runs it."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="cases.sweep_sla", ignore_result=True)
def sweep_sla() -> dict[str, int]:
    from cases.timers import sweep

    return sweep()
