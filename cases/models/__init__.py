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
)
from cases.models.routing import RoutingRule
from cases.models.sla import BusinessCalendar, BusinessHours, Holiday, SlaPolicy

__all__ = [
    "MAX_TEXT_LENGTH",
    "BusinessCalendar",
    "BusinessHours",
    "Case",
    "CaseEvent",
    "CaseNumberCounter",
    "CaseQuerySet",
    "Category",
    "Holiday",
    "Patient",
    "Queue",
    "QueueKind",
    "QueueLanguage",
    "RoutingRule",
    "SlaPolicy",
]
