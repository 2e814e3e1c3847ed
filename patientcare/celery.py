"""The Celery application. Tasks live in each app's ``tasks.py`` and are discovered here.

In the embedded default (no ``REDIS_URL``) tasks run eagerly, inline; in production Celery workers
and beat share Redis as the broker (see docs/operations/configuration.md).
"""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patientcare.settings")

app = Celery("patientcare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _warm_up_red_flag_model(**_kwargs) -> None:
    """Each worker process trains red flags' learned second opinion when it starts, not on the
    first message the rules are silent on (escalations/redflags/learned.py)."""
    from escalations.redflags.learned import warm_up

    warm_up()
