"""What the live-queue socket's modules share: running database work off the event loop, and the
presence message type."""

from __future__ import annotations

from channels.db import database_sync_to_async
from django.db import connection

PRESENCE_UPDATE = "presence.update"


def _db(func):
    """Run ``func`` (database work) off the event loop. On PostgreSQL in the executor's pool of
    threads, each with its own connection, so that hundreds of sockets' periodic checks do not
    queue behind one another in Channels' single database thread — where a socket whose access
    must be re-read before a delivery would otherwise wait for everybody else's. On SQLite (the
    embedded default: one writer at a time anyway) in that single thread, as Channels does."""
    return database_sync_to_async(func, thread_sensitive=connection.vendor == "sqlite")
