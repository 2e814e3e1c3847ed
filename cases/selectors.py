"""The read side of the core (convention 10: reads that are more than one line live here,
next to ``services``; views, consumers and services call them). Every read on a user's behalf
goes through the one read path (``Case.objects.restrict(user, action)``, ``cases.access``);
the two exceptions say why in their docstrings:

* ``claim_next_candidates`` / ``claim_next_candidate`` — the cases claim-next would hand an
  actor next, locked, ``SKIP LOCKED`` (the rows of ``restrict(actor, "work")`` that can be
  claimed, written without restrict()'s branches that cannot match an unassigned case);
* ``sla_sweep_candidates`` — the cases the SLA timer must mark (a system read: no user).

The console's page reads are in ``console.selectors``, the escalations' in
``escalations.selectors``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connections
from django.db.models import F, Q, QuerySet

from accounts.models import User
from accounts.permissions import holds
from cases.access import VIEW_SENSITIVE, queues_for_allowed
from cases.access_scope import access_scope
from cases.models import Case, Queue
from cases.models.case import CLAIM_NEXT_STATUSES
from cases.sla import FIRST_RESPONSE, RUNNING_STATUSES, SWEEP_BATCH, Target, warning_window

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


# How many of each queue's first claimable cases the "any of my queues" claim looks at before it
# locks one: more than the claimers that race for the same queue's head (bench/claim_next.py runs
# 4), so the best unlocked case is almost always among them; when every one is taken, the claim
# falls back to the whole backlog (correct, slower).
CLAIM_NEXT_LOOKAHEAD = 8


def worked_queue_ids(actor: User) -> list[int]:
    """The ids of the queues ``actor`` works (``queues_for(actor, "work")``), from the actor's
    access scope: no query once the scope is read this request."""
    if not queues_for_allowed(actor):
        return []
    return access_scope(actor).queue_ids(supervise=False)


def _claimable(actor: User, queue_ids: list[int]) -> QuerySet[Case]:
    candidates = Case.objects.filter(
        status__in=sorted(CLAIM_NEXT_STATUSES),
        queue_id__in=queue_ids,
        assigned_to__isnull=True,
    )
    if not holds(actor, VIEW_SENSITIVE):
        candidates = candidates.filter(sensitivity="", patient__sensitivity="")
    return candidates


def claim_next_candidates(*, actor: User, queue: Queue | None = None) -> QuerySet[Case]:
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
    queue_ids = worked_queue_ids(actor)
    if queue is not None:
        queue_ids = [queue_id for queue_id in queue_ids if queue_id == queue.pk]
    # The whole row and its patient, as lock_case reads them: the claim assigns this very row.
    candidates = _claimable(actor, queue_ids).order_by(*CLAIM_NEXT_ORDER).select_related("patient")
    if connections[candidates.db].features.has_select_for_update_skip_locked:
        candidates = candidates.select_for_update(skip_locked=True, of=("self",))
    return candidates


def claim_next_candidate(
    *, actor: User, queue: Queue | None = None, passed: Iterable[int] = ()
) -> Case | None:
    """The first of ``claim_next_candidates(actor=actor, queue=queue)`` not in ``passed``,
    locked, with its patient (inside a transaction): ``… FOR UPDATE SKIP LOCKED LIMIT 1`` on
    PostgreSQL.

    Over several queues PostgreSQL cannot walk ``queue_id IN (…)`` in the claim index's order:
    it would read and sort every claimable case of those queues, a cost that grows with the
    backlog (issue 18). So, where the database can (PostgreSQL), the heads of each queue's
    backlog — its first ``CLAIM_NEXT_LOOKAHEAD`` claimable cases, one index walk per queue in a
    single ``UNION ALL`` — are read first, unlocked, and the lock is taken on the best of those
    (the same conditions re-checked as the row is locked). Only when every head is held by
    another claimer is the whole backlog read, as for one queue."""
    candidates = claim_next_candidates(actor=actor, queue=queue)
    passed = list(passed)
    if passed:
        candidates = candidates.exclude(pk__in=passed)
    queue_ids = worked_queue_ids(actor) if queue is None else []
    features = connections[candidates.db].features
    if len(queue_ids) > 1 and features.supports_slicing_ordering_in_compound:
        heads = _backlog_heads(actor, queue_ids, passed)
        if not heads:
            return None  # no queue has a claimable case
        first = candidates.filter(pk__in=heads).first()
        if first is not None:
            return first
    return candidates.first()


def _backlog_heads(actor: User, queue_ids: list[int], passed: list[int]) -> list[int]:
    """The ids of each queue's first ``CLAIM_NEXT_LOOKAHEAD`` claimable cases (not ``passed``),
    in one query: a ``UNION ALL`` of per-queue ordered, limited reads, each an index walk of
    ``case_claim_next_idx`` that stops early."""
    parts = [
        _claimable(actor, [queue_id])
        .exclude(pk__in=passed)
        .order_by(*CLAIM_NEXT_ORDER)
        .values_list("pk", flat=True)[:CLAIM_NEXT_LOOKAHEAD]
        for queue_id in queue_ids
    ]
    return list(parts[0].union(*parts[1:], all=True))


def sla_sweep_candidates(
    target: Target, now: datetime.datetime, *, limit: int = SWEEP_BATCH
) -> QuerySet[Case]:
    """The cases whose SLA ``target`` is due for a mark at ``now`` (``cases.timers.sweep``), most
    overdue first, at most ``limit``: clock running, due within the warning window, not
    breached, and not warned unless already past due. A system read of the timer (no user: no
    ``restrict()``), a selector beside ``claim_next_candidates``; each row is
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
