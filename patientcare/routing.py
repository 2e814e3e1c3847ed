"""WebSocket URL patterns. The live-queue consumer (cases/consumers.py) registers here."""

websocket_urlpatterns: list = []
