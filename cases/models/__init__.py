"""The core records, by topic:

- ``patients``: ``Patient`` (with its version history), ``Sensitivity`` and ``Reconciliation``;
- ``queues``: ``Queue``, ``QueueLanguage``, ``QueueKind`` and ``Category``;
- ``case``: ``Case``, ``CaseQuerySet``, what claim-next hands out (``CLAIM_NEXT_STATUSES``) and
  ``CaseNumberCounter``;
- ``events``: the case's timeline, ``CaseEvent``;
- ``_common``: ``MAX_TEXT_LENGTH`` and the helpers the models above share;
- ``permissions``: per-queue and per-case object permissions;
- ``routing``: routing rules;
- ``sla``: business calendars and SLA policies.
"""

from cases.models._common import MAX_TEXT_LENGTH
from cases.models.case import Case, CaseNumberCounter, CaseQuerySet
from cases.models.events import CaseEvent
from cases.models.patients import Patient, Reconciliation, Sensitivity
from cases.models.permissions import (
    SUPERVISE_QUEUE,
    WORK_QUEUE,
    CaseGrantKind,
    CaseUserObjectPermission,
    QueueGroupObjectPermission,
    QueueUserObjectPermission,
)
from cases.models.queues import Category, Queue, QueueKind, QueueLanguage
from cases.models.routing import RoutingRule
from cases.models.sla import BusinessCalendar, BusinessHours, Holiday, SlaPolicy

__all__ = [
    "MAX_TEXT_LENGTH",
    "SUPERVISE_QUEUE",
    "WORK_QUEUE",
    "BusinessCalendar",
    "BusinessHours",
    "Case",
    "CaseEvent",
    "CaseGrantKind",
    "CaseNumberCounter",
    "CaseQuerySet",
    "CaseUserObjectPermission",
    "Category",
    "Holiday",
    "Patient",
    "Queue",
    "QueueGroupObjectPermission",
    "QueueKind",
    "QueueLanguage",
    "QueueUserObjectPermission",
    "Reconciliation",
    "RoutingRule",
    "Sensitivity",
    "SlaPolicy",
]
