"""The write path of a complaint after intake: acknowledging it, recording the response, and
marking a missed deadline (the overdue sweep, ``complaints.timers``).

Like ``cases.services``: keyword-only arguments, an explicit actor, one transaction, rows re-read
under ``SELECT … FOR UPDATE`` (the case first, then its complaint — the same order as every case
service, so concurrent writers queue instead of deadlocking), validation before any write, a
timeline event per change (``complaint_acknowledged``, ``complaint_responded``,
``complaint_overdue``), and after commit a ``case.updated`` event to the case's queue and a
``complaint.*`` message to the complaint's alert queues (``complaints.events``).

Like ``case_transition`` and ``case_add_note``, these services trust their caller on access: the
edges reach the case through ``restrict(user, "work")`` first (the API's and the console's
complaint actions: a case the user may not see is a 404). Refusals are ``cases.errors`` kinds
with stable codes (the state of the complaint is a ``Conflict``, the rest ``Invalid``):

* ``case``: ``not_a_complaint``, ``already_acknowledged``, ``not_acknowledged``,
  ``already_responded``;
* ``outcome``: ``invalid_choice``, ``outcome_pending``;
* ``summary``: ``blank`` (required unless the outcome is ``withdrawn``), ``max_length``;
* ``actor``: ``inactive_actor`` (a missing actor is a ``TypeError``, a programming error).
"""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases.choices import EventKind
from cases.errors import Conflict, Invalid
from cases.events import CaseEventName, publish_case_event
from cases.models import Case, CaseEvent
from cases.services import lock_case, require_actor
from complaints.events import ComplaintEventName, publish_complaint_event
from complaints.models import Complaint, Outcome
from compliance.audit import audited
from compliance.pci import redact_card_data

logger = logging.getLogger(__name__)

ACKNOWLEDGEMENT, RESPONSE = "acknowledgement", "response"


def _complaint_of(case: Case) -> Complaint:
    complaint = Complaint.objects.select_for_update().filter(case_id=case.pk).first()
    if complaint is None:
        raise Conflict("This case has no complaint details.", code="not_a_complaint", field="case")
    return complaint


def _announce(
    case: Case, complaint: Complaint, event: CaseEvent | None, name: str, **extra
) -> None:
    publish_case_event(case, CaseEventName.UPDATED, event=event)
    publish_complaint_event(case, complaint, name, **extra)


@audited
@transaction.atomic
def complaint_acknowledge(*, actor: User, case: Case) -> Complaint:
    """Record that the complaint was acknowledged to the patient (now). Only once."""
    require_actor(actor)
    case = lock_case(case)
    complaint = _complaint_of(case)
    if complaint.acknowledged_at is not None:
        raise Conflict(
            "This complaint was already acknowledged.", code="already_acknowledged", field="case"
        )
    now = timezone.now()
    complaint.acknowledged_at = now
    complaint._history_user = actor  # row history's author, also outside a request
    complaint.save(update_fields=["acknowledged_at", "updated_at"])
    late = now > complaint.acknowledgement_due_at
    event = CaseEvent.objects.create(
        case=case,
        kind=EventKind.COMPLAINT_ACKNOWLEDGED,
        actor=actor,
        new_value="late" if late else "on time",
        body="Grievance acknowledged" + (" after its deadline." if late else "."),
    )
    _announce(case, complaint, event, ComplaintEventName.ACKNOWLEDGED)
    return complaint


@audited
@transaction.atomic
def complaint_respond(*, actor: User, case: Case, outcome: str, summary: str) -> Complaint:
    """Record the response (now): its outcome and a summary of what was answered. Only once,
    and only after the complaint was acknowledged; the outcome must be a decision, not
    ``pending``; the summary is required unless the complaint was withdrawn; card data in it is
    redacted before anything is stored."""
    require_actor(actor)
    if outcome not in Outcome.values:
        raise Invalid("Choose one of the listed outcomes.", code="invalid_choice", field="outcome")
    if outcome == Outcome.PENDING:
        raise Invalid(
            "A response needs an outcome other than pending.",
            code="outcome_pending",
            field="outcome",
        )
    if not isinstance(summary, str):
        raise Invalid("Write the summary as text.", code="invalid", field="summary")
    text, redactions = redact_card_data(summary.strip())  # PCI DSS: never store a PAN
    if redactions:
        logger.warning("card data redacted from a complaint response summary")
    if not text and outcome != Outcome.WITHDRAWN:
        raise Invalid("Summarise the response given to the patient.", code="blank", field="summary")
    try:
        Complaint._meta.get_field("outcome_summary").run_validators(text)
    except ValidationError as exc:
        raise Invalid.wrap(exc, prefix="summary.") from exc

    case = lock_case(case)
    complaint = _complaint_of(case)
    if complaint.responded_at is not None:
        raise Conflict("A response was already recorded.", code="already_responded", field="case")
    if complaint.acknowledged_at is None:
        raise Conflict(
            "Acknowledge the complaint before recording a response.",
            code="not_acknowledged",
            field="case",
        )
    now = timezone.now()
    complaint.outcome = outcome
    complaint.outcome_summary = text
    complaint.responded_at = now
    complaint._history_user = actor
    complaint.save(update_fields=["outcome", "outcome_summary", "responded_at", "updated_at"])
    late = now > complaint.response_due_at
    event = CaseEvent.objects.create(
        case=case,
        kind=EventKind.COMPLAINT_RESPONDED,
        actor=actor,
        new_value=str(Outcome(outcome).label)[:200],
        body=f"Grievance response recorded: {Outcome(outcome).label}"
        + (" (after its deadline)." if late else "."),
    )
    _announce(case, complaint, event, ComplaintEventName.RESPONDED)
    return complaint


@audited
@transaction.atomic
def complaint_mark_overdue(
    *, actor: User, case: Case, now: datetime.datetime | None = None
) -> list[str]:
    """The sweep's step for one complaint: mark each deadline that passed unmet and is not yet
    marked (``acknowledgement``, ``response``), with one ``complaint_overdue`` timeline event
    each, and alert the complaint's queues. Returns the deadlines marked (none: nothing was
    written — already met, already marked, or not due). Idempotent."""
    require_actor(actor)
    now = now or timezone.now()
    case = lock_case(case)
    complaint = Complaint.objects.select_for_update().filter(case_id=case.pk).first()
    if complaint is None:
        return []
    marked: list[str] = []
    if (
        complaint.acknowledged_at is None
        and complaint.acknowledgement_overdue_at is None
        and complaint.acknowledgement_due_at < now
    ):
        complaint.acknowledgement_overdue_at = now
        marked.append(ACKNOWLEDGEMENT)
    if (
        complaint.responded_at is None
        and complaint.response_overdue_at is None
        and complaint.response_due_at < now
    ):
        complaint.response_overdue_at = now
        marked.append(RESPONSE)
    if not marked:
        return []
    complaint._history_user = actor
    complaint.save(
        update_fields=["acknowledgement_overdue_at", "response_overdue_at", "updated_at"]
    )
    dues = {ACKNOWLEDGEMENT: complaint.acknowledgement_due_at, RESPONSE: complaint.response_due_at}
    event = None
    for deadline in marked:
        due = timezone.localtime(dues[deadline]).strftime("%Y-%m-%d %H:%M")
        event = CaseEvent.objects.create(
            case=case,
            kind=EventKind.COMPLAINT_OVERDUE,
            actor=actor,
            new_value=deadline,
            body=f"Grievance {deadline} overdue: it was due by {due} (42 CFR 482.13).",
        )
    _announce(case, complaint, event, ComplaintEventName.OVERDUE, deadlines=marked)
    return marked


def overdue_to_mark(now: datetime.datetime):
    """The complaints the sweep has to mark, longest overdue first (ids only)."""
    return (
        Complaint.objects.to_mark_overdue(now)
        .order_by("acknowledgement_due_at", "case_id")
        .values_list("case_id", flat=True)
    )


__all__ = [
    "complaint_acknowledge",
    "complaint_mark_overdue",
    "complaint_respond",
    "overdue_to_mark",
]
