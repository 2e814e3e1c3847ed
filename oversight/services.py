"""Break-the-glass services (docs/architecture/access.md)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import holds
from cases.access import restrict_cases
from cases.choices import EventKind
from cases.errors import Conflict, Forbidden, Invalid
from cases.models import Case, CaseEvent, CaseGrantKind, CaseUserObjectPermission
from cases.services import require_actor
from compliance.audit import audited
from compliance.pci import redact_card_data
from oversight.alerts import publish_break_glass_alert
from oversight.models import BreakGlassAccess, ReviewOutcome
from oversight.policy import daily_limit, may_break_glass, next_allowed_at, opened_in_window

logger = logging.getLogger(__name__)

MIN_REASON_LENGTH = 20
MAX_MINUTES = 8 * 60


def _refuse(actor: User, error: Exception) -> Exception:
    # High severity for monitoring; ids and the code only.
    logger.warning("break-the-glass refused for user %s: %s", actor.pk, getattr(error, "code", ""))
    return error


def _check_actor(actor: User, now) -> None:
    """The role and the daily limit. The actor's row is locked, so that two requests of one
    person at the same moment are counted one after the other."""
    if getattr(actor, "kind", "person") != "person" or not actor.is_staff:
        raise _refuse(
            actor,
            Forbidden(
                "Only staff members can request emergency access.", code="not_staff", field="actor"
            ),
        )
    if not may_break_glass(actor):
        raise _refuse(
            actor,
            Forbidden(
                "Your role does not allow emergency access: ask a clinician or the privacy "
                "office on duty.",
                code="role_not_permitted",
                field="actor",
            ),
        )
    User.objects.select_for_update().filter(pk=actor.pk).exists()
    limit = daily_limit()
    if opened_in_window(actor, now) >= limit:
        again = next_allowed_at(actor, now)
        when = f" The next is possible at {timezone.localtime(again):%H:%M}." if again else ""
        raise _refuse(
            actor,
            Conflict(
                f"You have used your {limit} emergency accesses of the last 24 hours.{when} "
                "If a patient needs you now, call the privacy office.",
                code="daily_limit_reached",
                field="actor",
            ),
        )


def is_restricted(case: Case) -> bool:
    """A sensitive record (the case or its patient: behavioural health, substance-use treatment
    under 42 CFR Part 2, HIV, reproductive health): emergency access needs a second confirmation."""
    return bool(case.sensitivity or case.patient.sensitivity)


@audited
@transaction.atomic
def break_glass_open(
    *,
    actor: User,
    reference: str,
    reason: str,
    minutes: int | None = None,
    confirm_sensitive: bool = False,
) -> BreakGlassAccess:
    """Grant ``actor`` emergency read access to the case ``reference`` for a limited time.

    Refused unless the actor is an active staff person in one of ``BREAK_GLASS_ROLES`` who
    opened fewer than ``BREAK_GLASS_DAILY_LIMIT`` emergency accesses in the last 24 hours and
    cannot already see the case, and the reason is a real sentence. A sensitive record (42 CFR
    Part 2 and the like) also needs ``confirm_sensitive`` (``confirmation_required``). Writes a
    high-severity timeline event and a review record, and alerts the privacy office's live queue
    once the transaction commits (``oversight.alerts``)."""

    require_actor(actor)
    now = timezone.now()
    _check_actor(actor, now)
    text, redactions = redact_card_data((reason or "").strip())
    if len(text) < MIN_REASON_LENGTH:
        raise Invalid(
            f"Say why emergency access is needed (at least {MIN_REASON_LENGTH} characters).",
            code="reason_too_short",
            field="reason",
        )
    if len(text) > 2000:
        raise Invalid("Keep the reason under 2,000 characters.", code="max_length", field="reason")
    minutes = settings.BREAK_GLASS_MINUTES if minutes is None else minutes
    if not 1 <= minutes <= MAX_MINUTES:
        raise Invalid(f"Between 1 and {MAX_MINUTES} minutes.", code="out_of_range", field="minutes")
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("patient")
        .filter(reference=(reference or "").strip())
        .first()
    )
    if case is None:
        raise Invalid("No case has this reference.", code="not_found", field="reference")
    if restrict_cases(Case.objects.filter(pk=case.pk), actor, "view").exists():
        raise Conflict("You can already see this case.", code="already_visible", field="reference")
    if is_restricted(case) and not confirm_sensitive:
        raise Conflict(
            "This record is restricted (it may be protected by 42 CFR Part 2). Confirm that "
            "you need it for this patient's care or a privacy duty.",
            code="confirmation_required",
            field="confirm_sensitive",
        )

    expires_at = now + timedelta(minutes=minutes)
    CaseUserObjectPermission.objects.update_or_create(
        user=actor,
        content_object=case,
        permission=Permission.objects.get(content_type__app_label="cases", codename="view_case"),
        defaults={
            "kind": CaseGrantKind.BREAK_GLASS,
            "reason": text,
            "granted_by": actor,
            "expires_at": expires_at,
        },
    )
    access = BreakGlassAccess.objects.create(
        user=actor, case=case, reason=text, granted_at=now, expires_at=expires_at
    )
    restricted = (
        " Restricted record: the 42 CFR Part 2 notice was confirmed." if is_restricted(case) else ""
    )
    CaseEvent.objects.create(
        case=case,
        kind=EventKind.BREAK_GLASS,
        actor=actor,
        new_value=f"{minutes} min",
        body=f"Emergency access (break-the-glass) for {minutes} minutes.{restricted} "
        f"Reason: {text}",
    )
    publish_break_glass_alert(access)
    # High severity for monitoring; ids only, never the reason (it may hold PHI).
    logger.warning("break-the-glass: user %s opened case %s for %s min", actor.pk, case.pk, minutes)
    if redactions:
        logger.warning("card data redacted from case %s field %s", case.pk, "reason")
    return access


@audited
@transaction.atomic
def break_glass_review(
    *, actor: User, access: BreakGlassAccess, outcome: str, notes: str = ""
) -> BreakGlassAccess:
    """A compliance officer signs off an emergency access as appropriate or not. Once."""
    require_actor(actor)
    if not holds(actor, "oversight.review_breakglassaccess"):
        raise Conflict(
            "Only compliance officers review emergency access.", code="not_reviewer", field="actor"
        )
    if outcome not in ReviewOutcome.values:
        raise Invalid(f"Unknown outcome {outcome!r}.", code="invalid_choice", field="outcome")
    text, _ = redact_card_data((notes or "").strip())  # PCI DSS: never store a PAN
    if outcome == ReviewOutcome.INAPPROPRIATE and not text:
        raise Invalid(
            "Say what follow-up an inappropriate access needs.", code="required", field="notes"
        )
    access = BreakGlassAccess.objects.select_for_update().get(pk=access.pk)
    if access.reviewed_at is not None:
        raise Conflict("This access was already reviewed.", code="already_reviewed", field="access")
    if access.user_id == actor.pk:
        raise Forbidden(
            "Nobody reviews their own emergency access.", code="own_access", field="access"
        )
    access.reviewed_by = actor
    access.reviewed_at = timezone.now()
    access.review_outcome = outcome
    access.review_notes = text
    access.save(update_fields=["reviewed_by", "reviewed_at", "review_outcome", "review_notes"])
    return access
