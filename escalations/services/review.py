"""A supervisor's review of a resolved escalation (``may_review``, ``escalation_review``):
the escalation-accuracy measure of ``escalations.metrics``.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases.access import SUPERVISE
from cases.errors import Conflict, Invalid
from cases.models import Case
from cases.services import require_actor
from compliance.audit import audited
from escalations.choices import EscalationStatus
from escalations.models import SBAR_MAX_LENGTH, Escalation
from escalations.services._common import (
    _clean_text,
    _lock,
)


def may_review(actor: User, escalation: Escalation) -> bool:
    """Reviewers: holders of ``escalations.review_escalation``, and supervisors of the case's
    queue."""
    if actor.has_perm("escalations.review_escalation"):
        return True
    return Case.objects.restrict(actor, SUPERVISE).filter(pk=escalation.case_id).exists()


@audited
@transaction.atomic
def escalation_review(
    *, actor: User, escalation: Escalation, warranted: bool, notes: str = ""
) -> Escalation:
    """A supervisor judges a resolved escalation warranted or not — the escalation-accuracy
    measure (``escalations.metrics``). Once; never one's own request; notes are required when
    it was not warranted (they are the feedback)."""
    require_actor(actor)
    if not isinstance(warranted, bool):
        raise Invalid(
            "Say whether the escalation was warranted.", code="required", field="warranted"
        )
    text = _clean_text("notes", notes, required=False, limit=SBAR_MAX_LENGTH)
    if not warranted and not text:
        raise Invalid(
            "Say why it was not warranted: the notes are the feedback.",
            code="required",
            field="notes",
        )
    escalation = _lock(escalation)
    if not may_review(actor, escalation):
        raise Conflict(
            "Only supervisors of the case's queue review its escalations.",
            code="not_reviewer",
            field="escalation",
        )
    if escalation.status != EscalationStatus.RESOLVED:
        raise Conflict(
            "Review an escalation once it is resolved.", code="not_resolved", field="escalation"
        )
    if escalation.reviewed_at is not None:
        raise Conflict(
            "This escalation was already reviewed.", code="already_reviewed", field="escalation"
        )
    if escalation.requested_by_id == actor.pk:
        raise Conflict(
            "Nobody reviews their own escalation.", code="own_escalation", field="escalation"
        )
    escalation.reviewed_by = actor
    escalation.reviewed_at = timezone.now()
    escalation.warranted = warranted
    escalation.review_notes = text
    escalation.save(update_fields=["reviewed_by", "reviewed_at", "warranted", "review_notes"])
    return escalation
