"""The core records. ``core``: patients, queues, categories, cases and their timeline; ``routing``:
routing rules; ``sla``: business calendars and SLA policies."""

from cases.models.core import (
    MAX_TEXT_LENGTH,
    Case,
    CaseEvent,
    CaseNumberCounter,
    CaseQuerySet,
    Category,
    Patient,
    Queue,
    QueueKind,
    QueueLanguage,
    Sensitivity,
)
from cases.models.permissions import (
    SUPERVISE_QUEUE,
    WORK_QUEUE,
    CaseGrantKind,
    CaseUserObjectPermission,
    QueueGroupObjectPermission,
    QueueUserObjectPermission,
)
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
    "RoutingRule",
    "Sensitivity",
    "SlaPolicy",
]
