"""The ASGI application the browser tests' live server runs: the project's own
(``patientcare.asgi``: HTTP, and WebSockets behind the origin check and session authentication)
with static files served from the apps' directories, as ``manage.py runserver`` (daphne's) does.

Production serves static files with WhiteNoise after ``collectstatic``; a test server has no
collected files, so Django's ASGI static handler finds them in ``<app>/static/`` instead.
"""

from __future__ import annotations

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from patientcare.asgi import application as project_application

application = ASGIStaticFilesHandler(project_application)
