"""Celery tasks of the complaints: ``complaints.sweep_overdue`` (every minute from beat:
``CELERY_BEAT_SCHEDULE["complaints-sweep-overdue"]``; inline under ``manage.py run_timers`` in
the embedded default) marks missed grievance deadlines and alerts (``complaints.timers``)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="complaints.sweep_overdue", ignore_result=True)
def sweep_overdue() -> dict[str, int]:
    from complaints.timers import sweep

    return sweep()
