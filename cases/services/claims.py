"""Claiming (docs/architecture/live-queue.md, "Claiming"): claim a case (``case_claim``), claim
the most urgent one the actor may work (``case_claim_next``, with its candidate query
``cases.selectors.claim_next_candidates``) and hand a case back to its queue (``case_release``)."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from accounts.permissions import holds
from cases.access import SUPERVISE, VIEW_SENSITIVE, WORK, queues_for
from cases.choices import Status
from cases.errors import Conflict, Invalid
from cases.models import Case, Queue
from cases.models.case import CLAIM_NEXT_STATUSES
from cases.selectors import claim_next_candidate
from cases.services.base import _is_sensitive, lock_accessible_case, require_actor
from cases.services.work import _assign_locked
from compliance.audit import audited

# Candidates claim-next tries before giving up: only a row that changed between the candidate
# query and its lock fails the re-check, and PostgreSQL re-evaluates the query's conditions on
# such a row already, so a second round is rare and a third one needs a bug.
_CLAIM_NEXT_ATTEMPTS = 3
_REFUSED_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})


def _check_claimable(actor: User, case: Case) -> None:
    """The refusals of a claim of a case the actor may work (``case`` read under its lock)."""
    if case.status in _REFUSED_STATUSES:
        state = "closed" if case.status == Status.CLOSED else "resolved"
        raise Conflict(f"A {state} case cannot be claimed.", code="case_closed", field="case")
    if case.assigned_to_id not in (None, actor.pk):
        # Staff names are not PHI: the agent who lost the race learns who has the case.
        holder = case.assigned_to.display_name if case.assigned_to else "another agent"
        raise Conflict(f"Already claimed by {holder}.", code="already_assigned", field="case")
    if _is_sensitive(case) and not holds(actor, VIEW_SENSITIVE):
        raise Invalid(
            "This case is sensitive; claiming it needs the sensitive-records permission.",
            code="sensitive",
            field="case",
        )


@audited
@transaction.atomic
def case_claim(*, actor: User, case: Case) -> Case:
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


@audited
@transaction.atomic
def case_claim_next(*, actor: User, queue: Queue | None = None) -> Case | None:
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
        candidate = claim_next_candidate(actor=actor, queue=queue, passed=passed)
        if candidate is None:
            break
        if candidate.assigned_to_id is None and candidate.status in CLAIM_NEXT_STATUSES:
            return _assign_locked(actor, candidate, actor)
        passed.append(candidate.pk)
    # Nothing to claim; for a queue the actor does not work that is a refusal, not an answer
    # (checked only now, off the path of a successful claim).
    if queue is not None and not queues_for(actor, WORK).filter(pk=queue.pk).exists():
        raise Invalid("You do not work this queue.", code="not_queue_member", field="queue")
    return None


@audited
@transaction.atomic
def case_release(*, actor: User, case: Case) -> Case:
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
        raise Conflict(
            "Only the case's assignee or a supervisor of its queue can release it.",
            code="not_assignee",
            field="case",
        )
    return _assign_locked(actor, locked, None)
