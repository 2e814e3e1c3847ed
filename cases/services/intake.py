"""Intake: ``case_open``, which matches or registers the patient, routes the case, stamps its SLA
due times, numbers it and writes its first timeline event."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases.choices import Channel, EventKind, Language, Priority, Status
from cases.details import save_details, validate_details
from cases.errors import Conflict, Invalid
from cases.events import CaseEventName, publish_case_event
from cases.models import Case, CaseEvent, Category, Patient, Queue
from cases.references import format_reference, next_case_number
from cases.routing import route
from cases.services.base import _log_redactions, require_actor
from cases.services.matching import patient_match_or_create
from cases.sla import due_times
from compliance.audit import audited
from compliance.pci import redact_card_data

if TYPE_CHECKING:  # partners sit above cases; an intake only carries the organisation along
    from partners.models import PartnerOrganisation

# Foreign keys the services resolve themselves: full_clean need not look them up again.
_CASE_FK_FIELDS = [
    "patient",
    "category",
    "queue",
    "assigned_to",
    "created_by",
    "source_organisation",
    "sla_policy",
]


@audited
@transaction.atomic
def case_open(
    *,
    actor: User,
    patient: Patient | Mapping[str, Any],
    category: Category,
    subject: str,
    description: str,
    channel: str,
    priority: int | None = None,
    language: str | None = None,
    queue: Queue | None = None,
    source_organisation: PartnerOrganisation | None = None,
    external_reference: str = "",
    details: Mapping[str, Any] | None = None,
) -> Case:
    """Open a case: match or create the patient, route it, number it, write its first event.

    ``patient`` is a saved Patient or the intake's patient fields (matched by
    ``patient_match_or_create``). ``details`` are the category kind's detail fields, validated by
    the kind's detail model (``cases.details``); refusals name ``details.<field>``. Routing: the
    explicit ``queue`` if given, else the routing rules and language routing (``cases.routing``);
    priority and language default to the category's and the patient's; SLA due times come from
    the matching policy (``cases.sla``).

    Inside a caller's transaction its ``atomic`` is a savepoint: a refusal raised after the
    patient was written leaves nothing behind for a caller that goes on, and the API's intake
    catches the IntegrityError of a race on an external reference in it (api/views/cases.py).
    The savepoints inside it are only those a caught error needs (``cases.services.matching``).
    """
    require_actor(actor)
    if not category.active:
        raise Invalid(
            "This category is not accepting new cases.", code="category_inactive", field="category"
        )
    detail = validate_details(category, details)
    if not isinstance(patient, Patient):
        person = patient_match_or_create(actor=actor, data=patient)
    elif patient.pk is None:
        raise TypeError("case_open needs a saved Patient or a mapping of patient fields.")
    else:
        person = patient

    if channel not in Channel.values:
        raise Invalid(f"Unknown channel {channel!r}.", code="invalid_choice", field="channel")
    language = language or person.preferred_language
    if language not in Language.values:
        raise Invalid(f"Unknown language {language!r}.", code="invalid_choice", field="language")
    priority = category.default_priority if priority is None else priority
    if priority not in Priority.values:
        raise Invalid(f"Unknown priority {priority!r}.", code="invalid_choice", field="priority")

    if queue is None:
        decision = route(
            category=category,
            language=language,
            channel=channel,
            priority=priority,
            interpreter=person.interpreter_needed,
        )
        queue, priority, routing_note = decision.queue, decision.priority, decision.explanation
    else:
        routing_note = f"routed to {queue.name} (queue chosen at intake)"
    if not queue.active:
        raise Invalid(
            "The queue for this case is not active.", code="queue_inactive", field="queue"
        )

    now = timezone.now()
    sla = due_times(category=category, priority=priority, opened_at=now)
    subject, subject_redactions = redact_card_data(subject or "")
    description, description_redactions = redact_card_data(description or "")
    case = Case(
        reference=format_reference(next_case_number(), now),
        patient=person,
        category=category,
        queue=queue,
        channel=channel,
        status=Status.NEW,
        priority=priority,
        subject=(subject or "").strip(),
        description=(description or "").strip(),
        language=language,
        created_by=actor,
        source_organisation=source_organisation,
        external_reference=(external_reference or "").strip(),
        sla_policy=sla.policy,
        first_response_due_at=sla.first_response_due_at,
        resolution_due_at=sla.resolution_due_at,
    )
    case.full_clean(exclude=_CASE_FK_FIELDS, validate_unique=False, validate_constraints=False)
    if case.external_reference and source_organisation is not None:
        duplicate = Case.objects.filter(
            source_organisation=source_organisation, external_reference=case.external_reference
        ).exists()
        if duplicate:
            raise Conflict(
                "This organisation already submitted a case with this external reference.",
                code="duplicate_external_reference",
                field="external_reference",
            )
    case._history_user = actor
    case.save(force_insert=True)
    _log_redactions(case, subject=subject_redactions, description=description_redactions)
    save_details(case, detail, actor=actor)
    timeline = CaseEvent.objects.create(
        case=case,
        kind=EventKind.OPENED,
        actor=actor,
        new_value=Status.NEW,
        body=f"Opened via {case.get_channel_display()}; {routing_note}"
        + (f"; SLA policy “{sla.policy.name}”." if sla.policy else "; no SLA policy applies."),
    )
    publish_case_event(case, CaseEventName.OPENED, event=timeline)
    return case
