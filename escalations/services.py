"""The one write path of clinical escalation (docs/architecture/escalations.md).

Every function takes keyword-only arguments and an explicit ``actor``, runs in one transaction,
validates before it writes, writes a timeline event on the case, and announces the change to the
live queue after commit: ``case.escalated`` to the case's queue (``cases.events``) and an
``escalation.*`` message to the recipients' queue (``escalations.events``).

Opening grants every recipient — each active person with a support role who is a member of the
pathway's recipient queue, directly or through a group — a time-limited ``change_case`` grant of
kind ``escalation`` on the case (``cases.CaseUserObjectPermission``: ``restrict()`` honours it,
sensitive cases included, until it expires); resolving revokes the grants nothing else needs.

Refusals are ``ValidationError`` with a field map and a stable ``code``; messages never contain
patient data, and neither do log lines (ids only).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.services import system_user
from cases.access import SUPERVISE, WORK, queue_members, queues_for
from cases.business_time import NoBusinessHours, Schedule
from cases.changes import apply_priority
from cases.choices import EventKind, Priority, Status
from cases.events import CaseEventName, publish_case_event
from cases.models import (
    Case,
    CaseEvent,
    CaseGrantKind,
    CaseUserObjectPermission,
)
from cases.services import lock_accessible_case, lock_case, require_actor
from compliance.audit import audited
from compliance.pci import redact_card_data
from escalations.choices import EscalationStatus, Outcome, Source, Urgency
from escalations.events import EscalationEventName, publish_escalation_event
from escalations.models import SBAR_MAX_LENGTH, Escalation, EscalationPathway

logger = logging.getLogger(__name__)

# The priority an escalation raises its case to, at least.
URGENCY_PRIORITY = {
    Urgency.EMERGENT: Priority.URGENT,
    Urgency.URGENT: Priority.HIGH,
    Urgency.ROUTINE: None,
}
SBAR_FIELDS = ("situation", "background", "assessment", "recommendation")
# What a person writing an escalation must fill in (the automatic ones write their own).
REQUIRED_SBAR = ("situation", "assessment", "recommendation")
MAX_REASON_LENGTH = 300
# Fallback chains longer than this are a configuration loop: stop and say so.
MAX_FALLBACK_DEPTH = 5


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _clean_text(field: str, value: str, *, required: bool, limit: int) -> str:
    text, redactions = redact_card_data((value or "").strip())  # PCI DSS: never store a PAN
    if redactions:
        logger.warning("card data redacted from an escalation field %s", field)
    if required and not text:
        raise _error(field, "This part of the handoff is required.", "blank")
    if len(text) > limit:
        raise _error(field, f"Keep this under {limit:,} characters.", "max_length")
    return text


# --- recipients and their access ----------------------------------------------------------------


def recipients(pathway: EscalationPathway) -> QuerySet[User]:
    """The people an escalation to ``pathway`` reaches: active persons with a support role (the
    model permission ``cases.change_case``, directly, by group or as superuser) who are members
    of its recipient queue (``work_queue`` or ``supervise_queue``, directly or by group). One
    query."""
    member = queue_members([pathway.recipient_queue_id])
    change_case = Q(content_type__app_label="cases", codename="change_case")
    has_role = (
        Q(is_superuser=True)
        | Exists(Permission.objects.filter(change_case, user=OuterRef("pk")))
        | Exists(Permission.objects.filter(change_case, group__user=OuterRef("pk")))
    )
    return (
        User.objects.filter(is_active=True, kind=User.Kind.PERSON)
        .filter(member)
        .filter(has_role)
        .order_by("pk")
    )


def is_recipient(user, pathway: EscalationPathway) -> bool:
    if user.is_superuser:
        return True
    return queues_for(user, WORK).filter(pk=pathway.recipient_queue_id).exists()


def _change_case_permission() -> Permission:
    return Permission.objects.get(content_type__app_label="cases", codename="change_case")


def _grant(case: Case, users, *, escalation: Escalation, actor, until: datetime) -> int:
    """Give each of ``users`` ``change_case`` on ``case`` until ``until`` (kept if they already
    hold a later one). One row per user and case (guardian's unique key): a grant of another kind
    (break-the-glass) becomes an escalation grant, which reads and works. Each row is saved on
    its own so that the audit trail records it. Returns how many were written."""
    permission = _change_case_permission()
    users = list(users)
    existing = {
        grant.user_id: grant
        for grant in CaseUserObjectPermission.objects.filter(
            content_object=case, permission=permission, user__in=users
        )
    }
    reason = f"Recipient of escalation {escalation.pk} ({escalation.pathway.name})"
    written = 0
    for user in users:
        grant = existing.get(user.pk)
        if grant is None:
            CaseUserObjectPermission.objects.create(
                user=user,
                content_object=case,
                permission=permission,
                kind=CaseGrantKind.ESCALATION,
                reason=reason,
                granted_by=actor,
                expires_at=until,
            )
        elif grant.expires_at < until or grant.kind != CaseGrantKind.ESCALATION:
            grant.kind = CaseGrantKind.ESCALATION
            grant.reason = reason
            grant.granted_by = actor
            grant.expires_at = max(grant.expires_at, until)
            grant.save(update_fields=["kind", "reason", "granted_by", "expires_at"])
        else:
            continue
        written += 1
    return written


def _revoke(escalation: Escalation) -> int:
    """End the escalation grants on its case that no other unresolved escalation of the case
    needs (a recipient of another pathway, or someone who acknowledged another one, keeps
    theirs). Deleted one by one, so that the audit trail records each."""
    others = list(
        Escalation.objects.filter(case_id=escalation.case_id)
        .unresolved()
        .exclude(pk=escalation.pk)
        .select_related("pathway")
    )
    keep: set[int] = set()
    for other in others:
        keep.update(recipients(other.pathway).values_list("pk", flat=True))
        if other.acknowledged_by_id:
            keep.add(other.acknowledged_by_id)
    grants = CaseUserObjectPermission.objects.filter(
        content_object_id=escalation.case_id,
        kind=CaseGrantKind.ESCALATION,
        permission__codename="change_case",
    ).exclude(user_id__in=keep)
    revoked = 0
    for grant in grants:
        grant.delete()
        revoked += 1
    return revoked


# --- on call ------------------------------------------------------------------------------------


def on_call(pathway: EscalationPathway, now: datetime) -> bool:
    """Whether ``pathway`` takes escalations at ``now`` (no calendar: always)."""
    if pathway.calendar_id is None:
        return True
    calendar = pathway.calendar
    try:
        return Schedule.from_calendar(calendar).is_open(now)
    except NoBusinessHours:
        logger.error("escalation pathway %s: calendar has no business hours", pathway.pk)
        return False


def _route(pathway: EscalationPathway, now: datetime) -> tuple[EscalationPathway, list[str]]:
    """The pathway that takes an escalation now: ``pathway`` if it is on call, else its
    fallback chain's first one that is (or the chain's last, when none is: an escalation is
    never refused for the hour). Returns it and a note of each pathway passed over."""
    notes: list[str] = []
    seen = {pathway.pk}
    current = pathway
    while not on_call(current, now) and current.fallback_id is not None:
        fallback = EscalationPathway.objects.select_related("calendar").get(pk=current.fallback_id)
        if fallback.pk in seen or not fallback.active or len(seen) > MAX_FALLBACK_DEPTH:
            break
        notes.append(f"{current.name} is outside its on-call hours")
        seen.add(fallback.pk)
        current = fallback
    return current, notes


# --- opening ------------------------------------------------------------------------------------


def raise_priority(case: Case, urgency: str, actor, *, because: str = "") -> list[str]:
    """Raise the locked ``case`` to the priority ``urgency`` asks for at least (never lower it),
    with a ``priority_changed`` timeline event and the SLA due times of the new priority
    (``cases.changes.apply_priority``, the manual change's rule); the changed fields, for the
    caller's save."""
    target = URGENCY_PRIORITY.get(urgency)
    if target is None or case.priority >= target:
        return []
    return apply_priority(
        case,
        target,
        actor=actor,
        because=because or f"Raised for an {Urgency(urgency).label.lower()} escalation.",
    )


def _open(
    *,
    actor,
    case: Case,
    pathway: EscalationPathway,
    urgency: str,
    reason: str,
    sbar: dict[str, str],
    source: str,
    red_flags: list[dict] | None = None,
    escalated_from: Escalation | None = None,
    now: datetime | None = None,
) -> Escalation:
    """Write an escalation of the locked ``case`` (checks done by the callers)."""
    now = now or timezone.now()
    taken_by, notes = _route(pathway, now)
    escalation = Escalation(
        case=case,
        pathway=taken_by,
        source=source,
        urgency=urgency,
        status=EscalationStatus.OPEN,
        reason=reason,
        red_flags=red_flags or [],
        escalated_from=escalated_from,
        requested_by=actor,
        requested_at=now,
        acknowledgement_due_at=now + taken_by.acknowledgement_target(urgency),
        access_renew_at=now + timedelta(hours=taken_by.access_hours) / 2,
        **sbar,
    )
    escalation.full_clean(exclude=["case", "pathway", "requested_by", "escalated_from"])
    escalation.save(force_insert=True)

    changed = raise_priority(case, urgency, actor)
    case._history_user = actor
    case.save(update_fields=[*changed, "updated_at"])
    until = now + timedelta(hours=taken_by.access_hours)
    granted = _grant(case, recipients(taken_by), escalation=escalation, actor=actor, until=until)
    if granted == 0:
        logger.error(
            "escalation %s of case %s: pathway %s has no one to receive it",
            escalation.pk,
            case.pk,
            taken_by.pk,
        )
    routed = f" ({'; '.join(notes)})" if notes else ""
    timeline = CaseEvent.objects.create(
        case=case,
        kind=EventKind.ESCALATED,
        actor=actor,
        new_value=taken_by.name[:200],
        body=f"{Urgency(urgency).label} escalation to {taken_by.name}{routed}: {reason}",
    )
    publish_case_event(case, CaseEventName.ESCALATED, event=timeline)
    publish_escalation_event(escalation, EscalationEventName.OPENED)
    return escalation


def _sbar(values: dict[str, Any], *, required: tuple[str, ...]) -> dict[str, str]:
    return {
        name: _clean_text(
            name, values.get(name, ""), required=name in required, limit=SBAR_MAX_LENGTH
        )
        for name in SBAR_FIELDS
    }


def _check_pathway_and_urgency(pathway: EscalationPathway | None, urgency: str) -> None:
    if pathway is None or not pathway.active:
        raise _error("pathway", "Choose an active escalation pathway.", "pathway_inactive")
    if urgency not in Urgency.values:
        raise _error("urgency", f"Unknown urgency {urgency!r}.", "invalid_choice")


@audited
@transaction.atomic
def escalation_open(
    *,
    actor,
    case: Case,
    pathway: EscalationPathway,
    urgency: str,
    reason: str,
    situation: str,
    background: str = "",
    assessment: str = "",
    recommendation: str,
) -> Escalation:
    """A person hands ``case`` to ``pathway`` with an SBAR. The actor must be allowed to work
    the case (else Http404, as the read path answers). Refused for a closed case, an inactive
    pathway, and a second unresolved escalation of the case to the same pathway
    (``already_escalated``: add to the first one instead). Emergent raises the case to Urgent
    priority, urgent to at least High."""
    require_actor(actor)
    case = lock_accessible_case(actor, case, WORK)
    _check_pathway_and_urgency(pathway, urgency)
    reason_text = _clean_text("reason", reason, required=True, limit=MAX_REASON_LENGTH)
    sbar = _sbar(
        {
            "situation": situation,
            "background": background,
            "assessment": assessment,
            "recommendation": recommendation,
        },
        required=REQUIRED_SBAR,
    )
    if case.status == Status.CLOSED:
        raise _error("case", "A closed case cannot be escalated.", "case_closed")
    duplicate = (
        Escalation.objects.filter(case=case, pathway=pathway).unresolved().exists()
        or Escalation.objects.filter(case=case, escalated_from__pathway=pathway)
        .unresolved()
        .exists()
    )
    if duplicate:
        raise _error(
            "pathway",
            "This case already has an unresolved escalation to this pathway.",
            "already_escalated",
        )
    return _open(
        actor=actor,
        case=case,
        pathway=pathway,
        urgency=urgency,
        reason=reason_text,
        sbar=sbar,
        source=Source.MANUAL,
    )


def escalate_automatically(
    *,
    case: Case,
    pathway: EscalationPathway,
    urgency: str,
    source: str,
    reason: str,
    sbar: dict[str, str],
    red_flags: list[dict] | None = None,
) -> Escalation | None:
    """An escalation the system opens (a red flag, a clinical refill question, a privacy
    complaint), as the system account, inside the caller's transaction: the service that
    recorded the patient's words. Nothing is opened when the case already has an unresolved
    escalation to the pathway of at least this urgency (a second message about the same chest
    pain does not page the nurse twice); a more urgent one is opened alongside."""
    actor = system_user()
    case = lock_case(case)
    if case.status == Status.CLOSED:
        return None
    rank = {Urgency.ROUTINE: 0, Urgency.URGENT: 1, Urgency.EMERGENT: 2}
    at_least = [u for u in Urgency.values if rank[u] >= rank[urgency]]
    covered = (
        Escalation.objects.filter(case=case, urgency__in=at_least)
        .filter(Q(pathway=pathway) | Q(escalated_from__pathway=pathway))
        .unresolved()
        .exists()
    )
    if covered:
        return None
    return _open(
        actor=actor,
        case=case,
        pathway=pathway,
        urgency=urgency,
        reason=reason[:MAX_REASON_LENGTH],
        sbar={name: (value or "")[:SBAR_MAX_LENGTH] for name, value in sbar.items()},
        source=source,
        red_flags=red_flags,
    )


# --- acknowledging, resolving, reviewing ---------------------------------------------------------


def _lock(escalation: Escalation) -> Escalation:
    return (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("pathway", "case")
        .get(pk=escalation.pk)
    )


def _check_recipient(actor, escalation: Escalation) -> None:
    if not is_recipient(actor, escalation.pathway):
        raise _error(
            "escalation",
            f"Only members of {escalation.pathway.recipient_queue} take this escalation.",
            "not_recipient",
        )


def _check_not_ended(escalation: Escalation) -> None:
    if escalation.status == EscalationStatus.RESOLVED:
        raise _error("escalation", "This escalation is already resolved.", "already_resolved")
    if escalation.status == EscalationStatus.CANCELLED:
        raise _error(
            "escalation",
            f"This escalation was cancelled: {escalation.cancel_reason}",
            "already_cancelled",
        )


@audited
@transaction.atomic
def escalation_acknowledge(*, actor, escalation: Escalation) -> Escalation:
    """A recipient takes the escalation: the acknowledgement timer stops. Acknowledging one's
    own acknowledged escalation changes nothing; someone else's is refused."""
    require_actor(actor)
    escalation = _lock(escalation)
    _check_recipient(actor, escalation)
    _check_not_ended(escalation)
    if escalation.status == EscalationStatus.ACKNOWLEDGED:
        if escalation.acknowledged_by_id == actor.pk:
            return escalation
        raise _error(
            "escalation",
            f"Already acknowledged by {escalation.acknowledged_by.display_name}.",
            "already_acknowledged",
        )
    now = timezone.now()
    _acknowledge(escalation, actor, now)
    escalation.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
    return escalation


def _acknowledge(escalation: Escalation, actor, now: datetime) -> None:
    case = lock_case(escalation.case)
    escalation.status = EscalationStatus.ACKNOWLEDGED
    escalation.acknowledged_by = actor
    escalation.acknowledged_at = now
    # A recipient who joined the queue after the escalation opened has no grant yet.
    until = now + timedelta(hours=escalation.pathway.access_hours)
    _grant(case, [actor], escalation=escalation, actor=actor, until=until)
    late = escalation.acknowledgement_due_at < now
    timeline = CaseEvent.objects.create(
        case=case,
        kind=EventKind.ESCALATION_ACKNOWLEDGED,
        actor=actor,
        new_value=escalation.pathway.name[:200],
        body=f"Escalation to {escalation.pathway.name} acknowledged"
        + (" after its target." if late else "."),
    )
    publish_case_event(case, CaseEventName.ESCALATED, event=timeline)
    publish_escalation_event(escalation, EscalationEventName.ACKNOWLEDGED)


@audited
@transaction.atomic
def escalation_resolve(
    *, actor, escalation: Escalation, outcome: str, notes: str = ""
) -> Escalation:
    """A recipient closes the escalation with its outcome (acknowledging it in the same step if
    nobody had). The recipients' case grants end, unless another unresolved escalation of the
    case needs them. Notes are required for "no clinical action" and "unreachable"."""
    require_actor(actor)
    if outcome not in Outcome.values:
        raise _error("outcome", f"Unknown outcome {outcome!r}.", "invalid_choice")
    text = _clean_text("notes", notes, required=False, limit=SBAR_MAX_LENGTH)
    if outcome in (Outcome.NO_ACTION, Outcome.UNREACHABLE) and not text:
        raise _error("notes", "Say what was done and why no more is needed.", "required")
    escalation = _lock(escalation)
    if escalation.acknowledged_by_id != actor.pk:
        _check_recipient(actor, escalation)
    _check_not_ended(escalation)
    now = timezone.now()
    if escalation.status == EscalationStatus.OPEN:
        _acknowledge(escalation, actor, now)
    case = lock_case(escalation.case)
    escalation.status = EscalationStatus.RESOLVED
    escalation.resolved_by = actor
    escalation.resolved_at = now
    escalation.outcome = outcome
    escalation.outcome_notes = text
    escalation.save(
        update_fields=[
            "status",
            "acknowledged_by",
            "acknowledged_at",
            "resolved_by",
            "resolved_at",
            "outcome",
            "outcome_notes",
        ]
    )
    revoked = _revoke(escalation)
    timeline = CaseEvent.objects.create(
        case=case,
        kind=EventKind.ESCALATION_RESOLVED,
        actor=actor,
        new_value=Outcome(outcome).label[:200],
        body=f"Escalation to {escalation.pathway.name} resolved: {Outcome(outcome).label}."
        + (f" {text}" if text else "")
        + (f" Case access of {revoked} recipient(s) ended." if revoked else ""),
    )
    publish_case_event(case, CaseEventName.ESCALATED, event=timeline)
    publish_escalation_event(escalation, EscalationEventName.RESOLVED)
    return escalation


def may_review(actor, escalation: Escalation) -> bool:
    """Reviewers: holders of ``escalations.review_escalation``, and supervisors of the case's
    queue."""
    if actor.has_perm("escalations.review_escalation"):
        return True
    return Case.objects.restrict(actor, SUPERVISE).filter(pk=escalation.case_id).exists()


@audited
@transaction.atomic
def escalation_review(
    *, actor, escalation: Escalation, warranted: bool, notes: str = ""
) -> Escalation:
    """A supervisor judges a resolved escalation warranted or not — the escalation-accuracy
    measure (``escalations.metrics``). Once; never one's own request; notes are required when
    it was not warranted (they are the feedback)."""
    require_actor(actor)
    if not isinstance(warranted, bool):
        raise _error("warranted", "Say whether the escalation was warranted.", "required")
    text = _clean_text("notes", notes, required=False, limit=SBAR_MAX_LENGTH)
    if not warranted and not text:
        raise _error(
            "notes", "Say why it was not warranted: the notes are the feedback.", "required"
        )
    escalation = _lock(escalation)
    if not may_review(actor, escalation):
        raise _error(
            "escalation",
            "Only supervisors of the case's queue review its escalations.",
            "not_reviewer",
        )
    if escalation.status != EscalationStatus.RESOLVED:
        raise _error("escalation", "Review an escalation once it is resolved.", "not_resolved")
    if escalation.reviewed_at is not None:
        raise _error("escalation", "This escalation was already reviewed.", "already_reviewed")
    if escalation.requested_by_id == actor.pk:
        raise _error("escalation", "Nobody reviews their own escalation.", "own_escalation")
    escalation.reviewed_by = actor
    escalation.reviewed_at = timezone.now()
    escalation.warranted = warranted
    escalation.review_notes = text
    escalation.save(update_fields=["reviewed_by", "reviewed_at", "warranted", "review_notes"])
    return escalation


# --- the timer: re-escalation -------------------------------------------------------------------


@audited
@transaction.atomic
def escalation_fallback(*, actor, escalation: Escalation, now: datetime | None = None):
    """The acknowledgement target of ``escalation`` passed (the timer sweep): mark it overdue
    and, if its pathway has an active fallback, open a new escalation there with the same SBAR
    and urgency (``escalated_from``). The first one stays open — its recipients may still take
    it; the handoff only widens. Returns the new escalation, or None (no fallback; already
    acknowledged or marked). Idempotent: a second sweep changes nothing."""
    require_actor(actor)
    now = now or timezone.now()
    escalation = _lock(escalation)
    if (
        escalation.status != EscalationStatus.OPEN
        or escalation.overdue_at is not None
        or escalation.acknowledgement_due_at > now
    ):
        return None
    case = lock_case(escalation.case)
    escalation.overdue_at = now
    escalation.save(update_fields=["overdue_at"])
    fallback = escalation.pathway.fallback
    chain = _chain_pathways(escalation)
    if fallback is not None and (not fallback.active or fallback.pk in chain):
        fallback = None
    publish_escalation_event(escalation, EscalationEventName.OVERDUE)
    if fallback is None:
        CaseEvent.objects.create(
            case=case,
            kind=EventKind.ESCALATED,
            actor=actor,
            new_value=escalation.pathway.name[:200],
            body=f"Escalation to {escalation.pathway.name} not acknowledged in time; "
            "no fallback pathway to re-escalate to.",
        )
        logger.error("escalation %s of case %s overdue with no fallback", escalation.pk, case.pk)
        publish_case_event(case, CaseEventName.ESCALATED)
        return None
    return _open(
        actor=actor,
        case=case,
        pathway=fallback,
        urgency=escalation.urgency,
        reason=f"Not acknowledged by {escalation.pathway.name} in time: {escalation.reason}"[
            :MAX_REASON_LENGTH
        ],
        sbar={name: getattr(escalation, name) for name in SBAR_FIELDS},
        source=Source.FALLBACK,
        red_flags=escalation.red_flags,
        escalated_from=escalation,
        now=now,
    )


def _chain_pathways(escalation: Escalation) -> set[int]:
    """The pathways of ``escalation`` and of those it re-escalates (a fallback loop stops)."""
    seen: set[int] = set()
    current: Escalation | None = escalation
    while current is not None and len(seen) <= MAX_FALLBACK_DEPTH:
        seen.add(current.pathway_id)
        current = current.escalated_from
    return seen


def overdue_escalations(now: datetime) -> QuerySet[Escalation]:
    """Unacknowledged escalations past their target that the sweep has not handled."""
    return Escalation.objects.filter(
        status=EscalationStatus.OPEN, overdue_at__isnull=True, acknowledgement_due_at__lte=now
    ).order_by("acknowledgement_due_at", "pk")


__all__ = [
    "escalate_automatically",
    "escalation_acknowledge",
    "escalation_fallback",
    "escalation_open",
    "escalation_resolve",
    "escalation_review",
    "is_recipient",
    "may_review",
    "on_call",
    "overdue_escalations",
    "raise_priority",
    "recipients",
]
