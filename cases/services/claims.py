"""Claiming (docs/architecture/live-queue.md, "Claiming"): claim a case (``case_claim``), claim
the most urgent one the actor may work (``case_claim_next``, with its candidate query
``claim_next_candidates``) and hand a case back to its queue (``case_release``)."""

from __future__ import annotations

from django.db import connections, transaction
from django.db.models import F

from cases.access import SUPERVISE, VIEW_SENSITIVE, WORK, queues_for
from cases.choices import Status
from cases.models import Case, Queue
from cases.models.case import CLAIM_NEXT_STATUSES
from cases.services.base import _error, _is_sensitive, lock_accessible_case, require_actor
from cases.services.work import _assign_locked
from compliance.audit import audited

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
