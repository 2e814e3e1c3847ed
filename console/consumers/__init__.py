"""The live queue's WebSocket (``ws/console/live/``, routed in patientcare/routing.py), by topic:

- ``live``: ``LiveQueueConsumer``, the socket itself — connecting and refusing, client messages,
  relaying case, escalation and complaint events, access refresh, heartbeat and clean-up (its
  docstring describes the protocol; docs/architecture/live-queue.md);
- ``presence_relay``: ``PresenceRelay``, the consumer's presence half (who is online in a queue,
  who views a case; watching a case);
- its database reads are selectors: ``console.selectors`` (``load_access``, ``build_snapshot``,
  the session and case-visibility checks) and ``escalations.selectors``
  (``recipient_escalations``, shared with the queue page), re-exported here;
- ``_common``: ``_db`` (database work off the event loop) and the presence message type.
"""

from console.consumers.live import LiveQueueConsumer
from console.selectors import build_snapshot, load_access
from escalations.selectors import recipient_escalations

__all__ = ["LiveQueueConsumer", "build_snapshot", "load_access", "recipient_escalations"]
