"""WSGI entry point, for deployments that serve the REST API and pages from WSGI workers
(gunicorn, bin/serve-production). A chunked request body is read as a sized one
(patientcare/request_bodies.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patientcare.settings")

django_application = get_wsgi_application()

from patientcare.request_bodies import ChunkedBodyWSGI  # noqa: E402  (after Django's setup)

application = ChunkedBodyWSGI(django_application)
