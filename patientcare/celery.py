"""The Celery application. Tasks live in each app's ``tasks.py`` and are discovered here.

In the embedded default (no ``REDIS_URL``) tasks run eagerly, inline; in production Celery workers
and beat share Redis as the broker (see docs/operations/configuration.md).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patientcare.settings")

app = Celery("patientcare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
