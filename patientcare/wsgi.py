"""WSGI entry point, for deployments that serve the REST API and pages from WSGI workers
(gunicorn, bin/serve-production). A chunked request body is read as a sized one
(patientcare/request_bodies.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patientcare.settings")

django_application = get_wsgi_application()

from escalations.redflags.learned import warm_up  # noqa: E402
from patientcare.request_bodies import ChunkedBodyWSGI  # noqa: E402  (after Django's setup)

application = ChunkedBodyWSGI(django_application)
warm_up()  # red flags' learned second opinion trains now, not on a patient's message
