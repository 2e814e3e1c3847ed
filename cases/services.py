"""The one write path for patients and cases.

Every function here takes keyword-only arguments and an explicit ``actor``, runs in one
transaction, validates before it writes, writes a timeline event for every change of a case and
announces it to the live queue after commit (``cases.events``). Views, admin actions, commands and
tasks call these; nothing else assigns ``status``, ``queue`` or ``assigned_to``.

Refusals are ``django.core.exceptions.ValidationError`` with a field map and a stable ``code`` per
failure, which the API turns into a 4xx. Messages never contain patient data.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from cases.access import SUPERVISE, VIEW_SENSITIVE, WORK, access_case, queues_for
from cases.choices import Channel, EventKind, Language, Priority, Status, Visibility
from cases.details import save_details, validate_details
from cases.events import CaseEventName, publish_case_event
from cases.models import (
    Case,
    CaseEvent,
    Category,
    Patient,
    Queue,
)
from cases.models.case import CLAIM_NEXT_STATUSES
from cases.references import format_reference, next_case_number
from cases.routing import route
from cases.sla import (
    BREACHED,
    FIRST_RESPONSE,
    LEVELS,
    RUNNING_STATUSES,
    SWEEP_BATCH,
    TARGETS,
    Target,
    clock_changes,
    due_times,
    first_response_while_paused,
    level_due,
    warning_window,
)
from cases.workflow import allowed_transitions, can_transition
from compliance.audit import audited
from compliance.boundary import redact_fields
from compliance.pci import redact_card_data
from compliance.sealing import remember_loaded
from partners.models import PartnerOrganisation

logger = logging.getLogger(__name__)

# Fields a caller may set on a patient; anything else is refused by name.
PATIENT_FIELDS = frozenset(Patient.INPUT_FIELDS)
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


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _log_redactions(case: Case, **redactions: int) -> None:
    """PCI DSS: say which fields had card data masked (compliance.pci); ids only, never text."""
    for field, count in redactions.items():
        if count:
            logger.warning("card data redacted from case %s field %s", case.pk, field)


def require_actor(actor: AbstractBaseUser | None) -> None:
    if actor is None or getattr(actor, "pk", None) is None:
        raise TypeError(
            "Services need an explicit, saved actor (use accounts.services.system_user)."
        )
    if not actor.is_active:
        raise _error("actor", "This account is deactivated and cannot act.", "inactive_actor")


def _is_sensitive(case: Case) -> bool:
    return bool(case.sensitivity or case.patient.sensitivity)


def lock_case(case: Case) -> Case:
    """Re-read the case under a row lock so concurrent changes serialise instead of clobbering.
    The patient comes along (not locked) for the rules that need it."""
    locked = Case.objects.select_for_update(of=("self",)).select_related("patient").get(pk=case.pk)
    remember_loaded(locked)  # the audit diff's "old" values: no second read of the locked row
    return locked


def _check_unknown_fields(data: Mapping[str, Any], allowed: frozenset[str], prefix: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError(
            {
                f"{prefix}{name}": ValidationError("Unknown field.", code="unknown_field")
                for name in unknown
            }
        )


def _prefixed(error: ValidationError, prefix: str) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {f"{prefix}{field}": errors for field, errors in error.error_dict.items()}
    )


# --- patients ------------------------------------------------------------------------------------


@audited
@transaction.atomic
def patient_create(*, actor, **fields: Any) -> Patient:
    """Register a patient. ``mrn`` may be omitted for a contact not yet matched to the EHR."""
    require_actor(actor)
    _check_unknown_fields(fields, PATIENT_FIELDS, "")
    patient = Patient(**fields)
    patient.full_clean()
    patient._history_user = actor  # row history's author, also outside a request
    patient.save(force_insert=True)
    return patient


@audited
@transaction.atomic
def patient_update(*, actor, patient: Patient, **changes: Any) -> Patient:
    """Change a patient's demographics or contact preferences."""
    require_actor(actor)
    _check_unknown_fields(changes, PATIENT_FIELDS, "")
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    changed = [name for name, value in changes.items() if getattr(patient, name) != value]
    if not changed:
        return patient
    for name in changed:
        setattr(patient, name, changes[name])
    patient.full_clean()
    patient._history_user = actor
    patient.save(update_fields=[*changed, "updated_at"])
    return patient


def _same_person(patient: Patient, candidate: Patient) -> bool:
    return (
        patient.family_name.casefold() == candidate.family_name.casefold()
        and patient.given_name.casefold() == candidate.given_name.casefold()
        and patient.date_of_birth == candidate.date_of_birth
    )


@audited
@transaction.atomic
def patient_match_or_create(*, actor, data: Mapping[str, Any]) -> Patient:
    """Find the patient an intake is about, or register them.

    * With an MRN: the patient with that MRN; if their name or date of birth differ, the intake is
      refused (``patient_mismatch``) rather than attach a case to the wrong person.
    * Without an MRN: the one patient with the same name (case-insensitive), date of birth and
      phone or e-mail; several or none → a new, unverified patient (no MRN), never a guess.
    """
    require_actor(actor)
    _check_unknown_fields(data, PATIENT_FIELDS, "patient.")
    candidate = Patient(**data)
    try:
        candidate.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise _prefixed(exc, "patient.") from exc
    redact_fields(candidate)  # names compared as stored: card numbers masked (docs: pci.md)
    candidate._history_user = actor

    if candidate.mrn:
        existing = Patient.objects.filter(mrn=candidate.mrn).first()
        if existing is None:
            try:
                with transaction.atomic():
                    candidate.save(force_insert=True)
                return candidate
            except IntegrityError:  # a concurrent intake registered the same MRN first
                existing = Patient.objects.get(mrn=candidate.mrn)
        if not _same_person(existing, candidate):
            raise _error(
                "patient.mrn",
                "This MRN belongs to a patient with a different name or date of birth.",
                "patient_mismatch",
            )
        return existing

    contact = {}
    if candidate.phone:
        contact["phone"] = candidate.phone
    if candidate.email:
        contact["email__iexact"] = candidate.email
    if contact:
        contact_match = Q()
        for key, value in contact.items():
            contact_match |= Q(**{key: value})
        matches = list(
            Patient.objects.filter(
                contact_match,
                family_name__iexact=candidate.family_name,
                given_name__iexact=candidate.given_name,
                date_of_birth=candidate.date_of_birth,
            )[:2]
        )
        if len(matches) == 1:
            return matches[0]
    candidate.save(force_insert=True)
    return candidate


# --- cases ---------------------------------------------------------------------------------------


@audited
@transaction.atomic
def case_open(
    *,
    actor,
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
    """
    require_actor(actor)
    if not category.active:
        raise _error("category", "This category is not accepting new cases.", "category_inactive")
    detail = validate_details(category, details)
    if not isinstance(patient, Patient):
        patient = patient_match_or_create(actor=actor, data=patient)
    elif patient.pk is None:
        raise TypeError("case_open needs a saved Patient or a mapping of patient fields.")

    if channel not in Channel.values:
        raise _error("channel", f"Unknown channel {channel!r}.", "invalid_choice")
    language = language or patient.preferred_language
    if language not in Language.values:
        raise _error("language", f"Unknown language {language!r}.", "invalid_choice")
    priority = category.default_priority if priority is None else priority
    if priority not in Priority.values:
        raise _error("priority", f"Unknown priority {priority!r}.", "invalid_choice")

    if queue is None:
        decision = route(
            category=category,
            language=language,
            channel=channel,
            priority=priority,
            interpreter=patient.interpreter_needed,
        )
        queue, priority, routing_note = decision.queue, decision.priority, decision.explanation
    else:
        routing_note = f"routed to {queue.name} (queue chosen at intake)"
    if not queue.active:
        raise _error("queue", "The queue for this case is not active.", "queue_inactive")

    now = timezone.now()
    sla = due_times(category=category, priority=priority, opened_at=now)
    subject, subject_redactions = redact_card_data(subject or "")
    description, description_redactions = redact_card_data(description or "")
    case = Case(
        reference=format_reference(next_case_number(), now),
        patient=patient,
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
            raise _error(
                "external_reference",
                "This organisation already submitted a case with this external reference.",
                "duplicate_external_reference",
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


@audited
@transaction.atomic
def case_assign(*, actor, case: Case, assignee=None) -> Case:
    """Assign the case to ``assignee``, or unassign it with ``assignee=None``.

    Assigning to the current assignee changes nothing and writes nothing (safe to retry).
    """
    require_actor(actor)
    return _assign_locked(actor, lock_case(case), assignee)


def _assign_locked(actor, case: Case, assignee) -> Case:
    """``case_assign``'s work on ``case``, read under its row lock in this transaction and
    remembered for the audit diff (``lock_case``, ``lock_accessible_case``, or claim-next's
    candidate query): the claims assign the row they locked without locking it again."""
    if case.status == Status.CLOSED:
        raise _error("case", "A closed case cannot be reassigned.", "case_closed")
    if assignee is not None:
        if assignee.pk is None or not assignee.is_active:
            raise _error("assignee", "Cases can only be assigned to active accounts.", "inactive")
        if getattr(assignee, "kind", "person") != "person":
            raise _error(
                "assignee", "Cases can only be assigned to people, not service accounts.", "invalid"
            )
        if _is_sensitive(case) and not assignee.has_perm("cases.view_sensitive"):
            raise _error(
                "assignee",
                "This case is sensitive; the assignee lacks the sensitive-records permission.",
                "sensitive",
            )
    new_id = assignee.pk if assignee is not None else None
    if case.assigned_to_id == new_id:
        return case
    previous = case.assigned_to
    case.assigned_to = assignee
    case._history_user = actor
    case.save(update_fields=["assigned_to", "updated_at"])
    timeline = CaseEvent.objects.create(
        case=case,
        kind=EventKind.ASSIGNED if assignee is not None else EventKind.UNASSIGNED,
        actor=actor,
        old_value=previous.get_username() if previous is not None else "",
        new_value=assignee.get_username() if assignee is not None else "",
    )
    publish_case_event(case, CaseEventName.ASSIGNED, event=timeline)
    return case


@audited
@transaction.atomic
def case_transition(*, actor, case: Case, to_status: str, reason: str = "") -> Case:
    """Move the case along the transition table (``cases.workflow``); anything else is refused."""
    require_actor(actor)
    if to_status not in Status.values:
        raise _error("status", f"Unknown status {to_status!r}.", "invalid_choice")
    case = lock_case(case)
    from_status = case.status
    if not can_transition(from_status, to_status):
        allowed = ", ".join(Status(s).label for s in sorted(allowed_transitions(from_status)))
        raise _error(
            "status",
            f"A case cannot move from {Status(from_status).label} to {Status(to_status).label}"
            f" (allowed: {allowed or 'none, the case is final'}).",
            "invalid_transition",
        )
    reason, reason_redactions = redact_card_data(reason or "")
    now = timezone.now()
    case.status = to_status
    if to_status == Status.RESOLVED:
        case.resolved_at = now
    elif to_status == Status.CLOSED:
        case.closed_at = now
    elif from_status == Status.RESOLVED:  # reopened
        case.resolved_at = None
    sla_fields = clock_changes(case, from_status=from_status, to_status=to_status, now=now)
    case._history_user = actor
    case.save(update_fields=["status", "resolved_at", "closed_at", "updated_at", *sla_fields])
    timeline = CaseEvent.objects.create(
        case=case,
        kind=EventKind.STATUS_CHANGED,
        actor=actor,
        old_value=from_status,
        new_value=to_status,
        body=(reason or "").strip(),
    )
    _log_redactions(case, reason=reason_redactions)
    publish_case_event(case, CaseEventName.STATUS_CHANGED, event=timeline)
    return case


@audited
@transaction.atomic
def case_add_note(*, actor, case: Case, body: str, visibility: str) -> CaseEvent:
    """Add a public reply (``Visibility.PATIENT``) or an internal note (``Visibility.INTERNAL``).

    The first public reply stamps ``first_response_at``. A closed case takes internal notes (an
    addendum) but no replies: a new contact opens a new case.
    """
    require_actor(actor)
    if visibility not in Visibility.values:
        raise _error("visibility", f"Unknown visibility {visibility!r}.", "invalid_choice")
    text, body_redactions = redact_card_data((body or "").strip())
    if not text:
        raise _error("body", "A reply or note needs text.", "blank")
    case = lock_case(case)
    is_reply = visibility == Visibility.PATIENT
    if is_reply and case.status == Status.CLOSED:
        raise _error("case", "A closed case cannot be replied to.", "case_closed")
    event = CaseEvent(
        case=case,
        kind=EventKind.REPLY if is_reply else EventKind.NOTE,
        visibility=visibility,
        body=text,
        actor=actor,
    )
    event.full_clean(exclude=["case", "actor"], validate_constraints=False)
    event.save(force_insert=True)
    _log_redactions(case, body=body_redactions)
    update_fields = ["updated_at"]
    if is_reply and case.first_response_at is None:
        update_fields += first_response_while_paused(case, event.created_at)
        case.first_response_at = event.created_at
        update_fields.append("first_response_at")
    case._history_user = actor
    case.save(update_fields=update_fields)
    publish_case_event(case, CaseEventName.MESSAGE_ADDED, event=event)
    return event


@audited
@transaction.atomic
def case_receive_message(*, actor, case: Case, body: str) -> CaseEvent:
    """Record a message *from* the patient (relayed by a partner's SMS, portal or IVR, or typed
    in by staff from a call): patient-visible, part of the conversation, never an internal note.

    A case waiting on the patient goes back to in progress (the patient answered: the SLA clock
    resumes). A closed case takes no messages: a new contact opens a new case. The first
    response is not stamped: this is not a response to the patient."""
    require_actor(actor)
    text, body_redactions = redact_card_data((body or "").strip())
    if not text:
        raise _error("body", "A message needs text.", "blank")
    case = lock_case(case)
    if case.status == Status.CLOSED:
        raise _error("case", "A closed case takes no messages: open a new case.", "case_closed")
    event = CaseEvent(
        case=case, kind=EventKind.INBOUND, visibility=Visibility.PATIENT, body=text, actor=actor
    )
    event.full_clean(exclude=["case", "actor"], validate_constraints=False)
    event.save(force_insert=True)
    _log_redactions(case, body=body_redactions)
    if case.status == Status.WAITING_ON_PATIENT:
        case = case_transition(
            actor=actor, case=case, to_status=Status.IN_PROGRESS, reason="The patient replied."
        )
    else:
        case._history_user = actor
        case.save(update_fields=["updated_at"])
    publish_case_event(case, CaseEventName.MESSAGE_ADDED, event=event)
    return event


# --- claiming (docs/architecture/live-queue.md, "Claiming") --------------------------------------

# The order claim-next hands cases out in: most urgent first (a higher priority is more urgent),
# then the earliest resolution due time (cases without one after those with one), then the oldest.
# The partial index case_claim_next_idx holds these columns in this order (after the queue), so
# PostgreSQL walks one queue's backlog in it and stops at the first row it can lock.
CLAIM_NEXT_ORDER = (
    F("priority").desc(),
    F("resolution_due_at").asc(nulls_last=True),
    F("created_at").asc(),
    F("id").asc(),
)
# Candidates claim-next tries before giving up: only a row that changed between the candidate
# query and its lock fails the re-check, and PostgreSQL re-evaluates the query's conditions on
# such a row already, so a second round is rare and a third one needs a bug.
_CLAIM_NEXT_ATTEMPTS = 3
_REFUSED_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})


def _locking_queryset():
    """Cases read under their row lock (the patient along, unlocked), for ``access_case``."""
    return Case.objects.select_for_update(of=("self",)).select_related("patient")


def lock_accessible_case(actor, case: Case, action: str) -> Case:
    """``case`` if ``actor`` may ``action`` it (else Http404, as the read path answers), read
    under its row lock with its patient — one query — and remembered for the audit diff, as
    ``lock_case`` does."""
    locked = access_case(actor, case.pk, action, queryset=_locking_queryset())
    remember_loaded(locked)
    return locked


def _check_claimable(actor, case: Case) -> None:
    """The refusals of a claim of a case the actor may work (``case`` read under its lock)."""
    if case.status in _REFUSED_STATUSES:
        state = "closed" if case.status == Status.CLOSED else "resolved"
        raise _error("case", f"A {state} case cannot be claimed.", "case_closed")
    if case.assigned_to_id not in (None, actor.pk):
        # Staff names are not PHI: the agent who lost the race learns who has the case.
        holder = case.assigned_to
        raise _error("case", f"Already claimed by {holder.display_name}.", "already_assigned")
    if _is_sensitive(case) and not actor.has_perm(VIEW_SENSITIVE):
        raise _error(
            "case",
            "This case is sensitive; claiming it needs the sensitive-records permission.",
            "sensitive",
        )


@audited
@transaction.atomic
def case_claim(*, actor, case: Case) -> Case:
    """Claim ``case``: assign it to ``actor``, under the case's row lock, so that of two agents
    claiming at once one gets it and the other is refused with ``already_assigned``.

    The actor must be allowed to work the case (``restrict(actor, "work")``); a case they may not
    is a Http404, as the read path answers, so its existence does not leak. Claiming one's own
    case changes nothing and writes nothing; a case someone else holds is refused (a supervisor
    reassigns it with ``case_assign``), and so are resolved and closed cases. The assignment
    itself is ``case_assign``'s (``_assign_locked``, on the row locked here, without a second
    lock): the same timeline event, row version, audit entries and
    ``case.assigned`` announcement as any assignment."""
    require_actor(actor)
    locked = lock_accessible_case(actor, case, WORK)
    _check_claimable(actor, locked)
    if locked.assigned_to_id == actor.pk:
        return locked
    return _assign_locked(actor, locked, actor)


def claim_next_candidates(*, actor, queue: Queue | None = None):
    """The cases ``case_claim_next`` would hand ``actor`` next, in order, as a queryset that
    locks what it returns and passes over rows other transactions hold (PostgreSQL: ``FOR UPDATE
    SKIP LOCKED``; evaluate it inside a transaction): unassigned cases in ``CLAIM_NEXT_STATUSES``
    of ``queue`` if the actor works it (else none), or of every queue they work; sensitive ones
    only with the sensitive-records permission.

    The rows are exactly those of ``Case.objects.restrict(actor, "work")`` that meet those
    conditions (tests/cases/test_services_claim.py checks it): in a queue the actor works,
    restrict()'s queue grant holds, and what is left of it, the sensitivity rule, is applied here
    — without the exception of an explicit case grant, since a claim would make the actor the
    assignee. It is not written as restrict() + filters because restrict()'s other branches
    (assignment, case grants) cannot match an unassigned case of a worked queue but would still
    be planned and evaluated on every claim, the hottest query of the live queue
    (bench/claim_next.py). Public for that benchmark, which times it on its own."""
    candidates = Case.objects.filter(
        status__in=sorted(CLAIM_NEXT_STATUSES),
        queue__in=queues_for(actor, WORK),
        assigned_to__isnull=True,
    )
    if queue is not None:
        candidates = candidates.filter(queue_id=queue.pk)
    if not actor.has_perm(VIEW_SENSITIVE):
        candidates = candidates.filter(sensitivity="", patient__sensitivity="")
    # The whole row and its patient, as lock_case reads them: the claim assigns this very row.
    candidates = candidates.order_by(*CLAIM_NEXT_ORDER).select_related("patient")
    if connections[candidates.db].features.has_select_for_update_skip_locked:
        candidates = candidates.select_for_update(skip_locked=True, of=("self",))
    return candidates


def claim_next_candidate(*, actor, queue: Queue | None = None) -> Case | None:
    """The first of ``claim_next_candidates(actor=actor, queue=queue)``, locked, with its patient
    (inside a transaction): one query, ``… FOR UPDATE SKIP LOCKED LIMIT 1`` on PostgreSQL."""
    return claim_next_candidates(actor=actor, queue=queue).first()


@audited
@transaction.atomic
def case_claim_next(*, actor, queue: Queue | None = None) -> Case | None:
    """Claim the most urgent unassigned case the actor can act on now (``CLAIM_NEXT_STATUSES``)
    in ``queue``, which the actor must work (else ``not_queue_member``), or in any queue they
    work; None when there is none.

    On PostgreSQL the candidate is taken with ``SELECT … FOR UPDATE SKIP LOCKED … LIMIT 1``
    (``claim_next_candidates``): concurrent claimers never wait for each other and never get the
    same case (a row another transaction holds is passed over, and a row claimed since this
    statement's snapshot fails the conditions PostgreSQL re-evaluates when it locks it). SQLite
    serialises writers, so the plain query is enough there. The locked candidate is checked again
    before it is assigned; the assignment is ``case_assign``'s (``_assign_locked``, on the row
    the candidate query locked: the same records as any)."""
    require_actor(actor)
    passed: list[int] = []
    for _ in range(_CLAIM_NEXT_ATTEMPTS):
        candidate = (
            claim_next_candidates(actor=actor, queue=queue).exclude(pk__in=passed).first()
            if passed
            else claim_next_candidate(actor=actor, queue=queue)
        )
        if candidate is None:
            break
        if candidate.assigned_to_id is None and candidate.status in CLAIM_NEXT_STATUSES:
            remember_loaded(candidate)
            return _assign_locked(actor, candidate, actor)
        passed.append(candidate.pk)
    # Nothing to claim; for a queue the actor does not work that is a refusal, not an answer
    # (checked only now, off the path of a successful claim).
    if queue is not None and not queues_for(actor, WORK).filter(pk=queue.pk).exists():
        raise _error("queue", "You do not work this queue.", "not_queue_member")
    return None


@audited
@transaction.atomic
def case_release(*, actor, case: Case) -> Case:
    """Hand ``case`` back to its queue (unassign it): its assignee does, or a supervisor of its
    queue. The actor must be allowed to work the case (else Http404, as in ``case_claim``).
    Releasing an unassigned case changes nothing; a closed case is refused (``case_assign``)."""
    require_actor(actor)
    locked = lock_accessible_case(actor, case, WORK)
    if locked.assigned_to_id is None:
        return locked
    if (
        locked.assigned_to_id != actor.pk
        and not Case.objects.restrict(actor, SUPERVISE).filter(pk=locked.pk).exists()
    ):
        raise _error(
            "case",
            "Only the case's assignee or a supervisor of its queue can release it.",
            "not_assignee",
        )
    return _assign_locked(actor, locked, None)


# --- the SLA timer (cases.sla.sweep) --------------------------------------------------------------


def sla_sweep_candidates(target: Target, now: datetime.datetime, *, limit: int = SWEEP_BATCH):
    """The cases whose SLA ``target`` is due for a mark at ``now`` (``cases.sla.sweep``), most
    overdue first, at most ``limit``: clock running, due within the warning window, not
    breached, and not warned unless already past due. A system read of the timer (no user: no
    ``restrict()``), here on the write path beside ``claim_next_candidates``; each row is
    re-checked under its lock by ``case_mark_sla``. One query, which PostgreSQL answers from the
    (status, due time) indexes (``case_frt_due_idx``, ``case_resolution_due_idx``)."""
    due = target.due_field
    candidates = Case.objects.filter(
        status__in=sorted(RUNNING_STATUSES),
        sla_paused_at__isnull=True,
        **{f"{due}__lte": now + warning_window(), f"{target.breached_field}__isnull": True},
    ).filter(Q(**{f"{target.warned_field}__isnull": True}) | Q(**{f"{due}__lte": now}))
    if target is FIRST_RESPONSE:
        candidates = candidates.filter(first_response_at__isnull=True)
    return candidates.order_by(due, "pk").only("pk", due)[:limit]


@audited
@transaction.atomic
def case_mark_sla(*, actor, case: Case, target: str, level: str, now=None) -> CaseEvent | None:
    """Mark that ``target`` (``first_response`` or ``resolution``) of ``case`` is about to pass
    (``level="warning"``) or has passed (``"breached"``) at ``now``: the mark's field, a timeline
    event and a ``case.sla_warning`` / ``case.sla_breached`` announcement. The timer sweep's step.

    Re-checked under the case's row lock (``cases.sla.level_due``): nothing is written — None is
    returned — when the mark is not due at ``now`` (already set, the clock stopped, the first
    response given, the due time moved on), so a second sweep, or two at once, mark once."""
    require_actor(actor)
    if target not in TARGETS:
        raise _error("target", f"Unknown SLA target {target!r}.", "invalid_choice")
    if level not in LEVELS:
        raise _error("level", f"Unknown SLA level {level!r}.", "invalid_choice")
    now = now or timezone.now()
    case = lock_case(case)
    sla_target = TARGETS[target]
    if level_due(case, sla_target, now) != level:
        return None
    mark = sla_target.mark_field(level)
    setattr(case, mark, now)
    case._history_user = actor
    case.save(update_fields=[mark, "updated_at"])
    due = getattr(case, sla_target.due_field).astimezone(datetime.UTC)
    tense = "passed" if level == BREACHED else "passes"
    timeline = CaseEvent.objects.create(
        case=case,
        kind=EventKind.SLA_BREACHED if level == BREACHED else EventKind.SLA_WARNING,
        actor=actor,
        new_value=target,
        body=f"{sla_target.label} target {tense} at {due:%H:%M} UTC on {due:%Y-%m-%d}.",
    )
    publish_case_event(
        case,
        CaseEventName.SLA_BREACHED if level == BREACHED else CaseEventName.SLA_WARNING,
        event=timeline,
    )
    return timeline


__all__ = [
    "case_add_note",
    "case_assign",
    "case_claim",
    "case_claim_next",
    "case_mark_sla",
    "case_open",
    "case_receive_message",
    "case_release",
    "case_transition",
    "claim_next_candidates",
    "lock_accessible_case",
    "lock_case",
    "patient_create",
    "patient_match_or_create",
    "patient_update",
    "require_actor",
    "sla_sweep_candidates",
]
