"""The one write path of clinical escalation (docs/architecture/escalations.md).

Every function takes keyword-only arguments and an explicit ``actor``, runs in one transaction,
validates before it writes, writes a timeline event on the case, and announces the change to the
live queue after commit: ``case.escalated`` to the case's queue (``cases.events``) and an
``escalation.*`` message to the recipients' queue (``escalations.events``).

Opening grants every recipient — each active person with a support role who is a member of the
pathway's recipient queue, directly or through a group — a time-limited ``change_case`` grant of
kind ``escalation`` on the case (``cases.CaseUserObjectPermission``: ``restrict()`` honours it,
sensitive cases included, until it expires); resolving revokes the grants nothing else needs.

Refusals are the kinds of ``cases.errors`` (``Invalid``, ``Conflict``: a stable ``code`` and a
``field``); messages never contain
patient data, and neither do log lines (ids only).

Which module holds what:

* ``_common.py`` — the limits of an escalation's text, the priority each urgency raises a case to,
  card-data redaction of free text and the escalation's row lock.
* ``grants.py`` — the recipients of a pathway and their time-limited case grants (written on
  opening, ended on resolving).
* ``opening.py`` — on-call hours and the fallback route, ``raise_priority``, ``escalation_open``
  (a person's handoff) and ``escalate_automatically`` (the system's).
* ``handling.py`` — a recipient's steps: ``escalation_acknowledge``, ``escalation_resolve``.
* ``review.py`` — a supervisor's review: ``may_review``, ``escalation_review``.
* ``fallback.py`` — the acknowledgement timer's step ``escalation_fallback``.

The reads (the sweep's ``overdue_escalations``, the pages' and the socket's escalations) are in
``escalations.selectors``; ``overdue_escalations`` is re-exported here for its earlier callers.

Everything is re-exported here: callers import from ``escalations.services``, and a test that
replaces a service for a caller that looks it up at call time (``escalations.timers`` calls
``services.escalation_fallback``) patches this package's attribute.
"""

from escalations.selectors import overdue_escalations
from escalations.services._common import MAX_REASON_LENGTH
from escalations.services.fallback import escalation_fallback
from escalations.services.grants import is_recipient, recipients
from escalations.services.handling import escalation_acknowledge, escalation_resolve
from escalations.services.opening import (
    escalate_automatically,
    escalation_open,
    on_call,
    raise_priority,
)
from escalations.services.review import escalation_review, may_review

__all__ = [
    "MAX_REASON_LENGTH",  # console.forms
    "escalate_automatically",
    "escalation_acknowledge",
    "escalation_fallback",
    "escalation_open",
    "escalation_resolve",
    "escalation_review",
    "is_recipient",
    "may_review",
    "on_call",
    "overdue_escalations",
    "raise_priority",
    "recipients",
]
