"""The live queue's WebSocket (``ws/console/live/``, routed in patientcare/routing.py), by topic:

- ``live``: ``LiveQueueConsumer``, the socket itself — connecting and refusing, client messages,
  relaying case, escalation and complaint events, access refresh, heartbeat and clean-up (its
  docstring describes the protocol; docs/architecture/live-queue.md);
- ``presence_relay``: ``PresenceRelay``, the consumer's presence half (who is online in a queue,
  who views a case; watching a case);
- ``reads``: the database reads — ``load_access``, ``build_snapshot``, ``recipient_escalations``
  (shared with the queue page), the session and case-visibility checks;
- ``_common``: ``_db`` (database work off the event loop) and the presence message type.
"""

from console.consumers.live import LiveQueueConsumer
from console.consumers.reads import build_snapshot, load_access, recipient_escalations

__all__ = ["LiveQueueConsumer", "build_snapshot", "load_access", "recipient_escalations"]
