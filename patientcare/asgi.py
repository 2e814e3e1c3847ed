"""ASGI entry point: HTTP and WebSocket in one process (daphne or uvicorn workers).

WebSocket routes are collected in :mod:`patientcare.routing`; every socket passes the allowed-hosts
origin check and Django's session authentication before it reaches a consumer. A chunked HTTP
request body is read as a sized one (patientcare/request_bodies.py).
"""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patientcare.settings")

# Django must be set up before anything imports models (consumers do).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from escalations.redflags.learned import warm_up  # noqa: E402
from patientcare.request_bodies import ChunkedBodyASGI  # noqa: E402
from patientcare.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": ChunkedBodyASGI(django_asgi_app),  # a chunked body read as a sized one
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

# Everything is loaded now: move what start-up made (hundreds of thousands of long-lived objects)
# out of the garbage collector's view. Otherwise each full collection walks them all, a pause of
# about 100 ms every few seconds while a process fans events out to hundreds of sockets
# (bench/live_fanout.py: p95 about 140 ms without, about 45 ms with).
gc.freeze()
warm_up()  # red flags' learned second opinion trains now, not on a patient's message
