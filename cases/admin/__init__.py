"""Admin of the core: ``configuration`` (queues, categories, routing, calendars, SLA policies) and
``records`` (patients, cases and their timeline, written only through the services)."""

from cases.admin.configuration import (
    BusinessCalendarAdmin,
    CategoryAdmin,
    QueueAdmin,
    RoutingRuleAdmin,
    SlaPolicyAdmin,
)
from cases.admin.records import (
    CaseAdmin,
    CaseEventAdmin,
    CaseEventInline,
    CaseIntakeForm,
    CaseNumberCounterAdmin,
    PatientAdmin,
)

__all__ = [
    "BusinessCalendarAdmin",
    "CaseAdmin",
    "CaseEventAdmin",
    "CaseEventInline",
    "CaseIntakeForm",
    "CaseNumberCounterAdmin",
    "CategoryAdmin",
    "PatientAdmin",
    "QueueAdmin",
    "RoutingRuleAdmin",
    "SlaPolicyAdmin",
]
