"""The old home of the core records, kept so that ``cases.models.core.<name>`` imports still
work. The records now live by topic: ``patients``, ``queues``, ``case``, ``events`` (see
``cases.models``)."""

from cases.models._common import MAX_TEXT_LENGTH, history_id_field
from cases.models.case import CLAIM_NEXT_STATUSES, Case, CaseNumberCounter, CaseQuerySet
from cases.models.events import CaseEvent, CaseEventQuerySet
from cases.models.patients import Patient, PatientQuerySet, Sensitivity
from cases.models.queues import Category, Queue, QueueKind, QueueLanguage

__all__ = [
    "CLAIM_NEXT_STATUSES",
    "MAX_TEXT_LENGTH",
    "Case",
    "CaseEvent",
    "CaseEventQuerySet",
    "CaseNumberCounter",
    "CaseQuerySet",
    "Category",
    "Patient",
    "PatientQuerySet",
    "Queue",
    "QueueKind",
    "QueueLanguage",
    "Sensitivity",
    "history_id_field",
]
