"""WebSocket URL patterns (every socket passes the origin check and session authentication in
patientcare/asgi.py first)."""

from django.urls import path

from console.consumers import LiveQueueConsumer

websocket_urlpatterns = [
    path("ws/console/live/", LiveQueueConsumer.as_asgi()),
]
