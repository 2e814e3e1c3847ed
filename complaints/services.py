"""The write path of a complaint after intake: acknowledging it and recording the response.

Like ``cases.services``: keyword-only arguments, an explicit actor, one transaction, rows re-read
under ``SELECT … FOR UPDATE`` (the case first, then its complaint — the same order as every case
service, so concurrent writers queue instead of deadlocking), validation before any write, and a
timeline note per change. Refusals are ``ValidationError`` field maps with stable codes:

* ``case``: ``not_a_complaint``, ``already_acknowledged``, ``not_acknowledged``,
  ``already_responded``;
* ``outcome``: ``invalid_choice``, ``outcome_pending``;
* ``summary``: ``max_length``;
* ``actor``: ``inactive_actor`` (a missing actor is a ``TypeError``, a programming error).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.choices import Visibility
from cases.models import Case
from cases.services import case_add_note, lock_case, require_actor
from complaints.models import Complaint, Outcome
from compliance.audit import audited
from compliance.pci import redact_card_data


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _lock_complaint(case: Case) -> tuple[Case, Complaint]:
    case = lock_case(case)
    complaint = Complaint.objects.select_for_update().filter(case_id=case.pk).first()
    if complaint is None:
        raise _error("case", "This case has no complaint details.", "not_a_complaint")
    return case, complaint


@audited
@transaction.atomic
def complaint_acknowledge(*, actor, case: Case) -> Complaint:
    """Record that the complaint was acknowledged to the patient (now). Only once."""
    require_actor(actor)
    case, complaint = _lock_complaint(case)
    if complaint.acknowledged_at is not None:
        raise _error("case", "This complaint was already acknowledged.", "already_acknowledged")
    complaint.acknowledged_at = timezone.now()
    complaint._history_user = actor  # row history's author, also outside a request
    complaint.save(update_fields=["acknowledged_at", "updated_at"])
    case_add_note(
        actor=actor, case=case, body="Grievance acknowledged.", visibility=Visibility.INTERNAL
    )
    return complaint


@audited
@transaction.atomic
def complaint_respond(*, actor, case: Case, outcome: str, summary: str) -> Complaint:
    """Record the response (now): its outcome and a summary. Only once, and only after the
    complaint was acknowledged; the outcome must be a decision, not ``pending``."""
    require_actor(actor)
    if outcome not in Outcome.values:
        raise _error("outcome", f"Unknown outcome {outcome!r}.", "invalid_choice")
    if outcome == Outcome.PENDING:
        raise _error(
            "outcome", "A response needs an outcome other than pending.", "outcome_pending"
        )
    text, _ = redact_card_data((summary or "").strip())  # PCI DSS: never store a PAN
    try:
        Complaint._meta.get_field("outcome_summary").run_validators(text)
    except ValidationError as exc:
        raise ValidationError({"summary": exc.error_list}) from exc

    case, complaint = _lock_complaint(case)
    if complaint.responded_at is not None:
        raise _error("case", "A response was already recorded.", "already_responded")
    if complaint.acknowledged_at is None:
        raise _error(
            "case", "Acknowledge the complaint before recording a response.", "not_acknowledged"
        )
    complaint.outcome = outcome
    complaint.outcome_summary = text
    complaint.responded_at = timezone.now()
    complaint._history_user = actor
    complaint.save(update_fields=["outcome", "outcome_summary", "responded_at", "updated_at"])
    case_add_note(
        actor=actor,
        case=case,
        body=f"Grievance response recorded: {Outcome(outcome).label}.",
        visibility=Visibility.INTERNAL,
    )
    return complaint


__all__ = ["complaint_acknowledge", "complaint_respond"]
