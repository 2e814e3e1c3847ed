"""WSGI entry point, for deployments that serve the REST API and pages from WSGI workers."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patientcare.settings")

application = get_wsgi_application()
