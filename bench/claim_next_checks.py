"""The checks and the report of bench/claim_next.py: no case handed to two claimers (by the ids
each got, the assignee of each case, the ``assigned`` timeline events), the claim-next query's
plan, and the summary lines with PASS/FAIL. Imported by that script."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claim_next import Run
    from claim_next_data import World


def check_no_double_claims(run: Run) -> None:
    """No id handed to two claimers, and every claimed case is held by the one that got it."""
    from django.db import connection

    counts = Counter(pk for ids in run.ids_by_agent.values() for pk in ids)
    run.duplicates = sum(n - 1 for n in counts.values() if n > 1)
    with connection.cursor() as cursor:  # the bench's own check, outside the app's read path
        cursor.execute(
            "SELECT id, assigned_to_id FROM cases_case WHERE id = ANY(%s)", [list(counts)]
        )
        holder_of = dict(cursor.fetchall())
    run.wrong_holder = sum(
        1 for agent, got in run.ids_by_agent.items() for pk in got if holder_of.get(pk) != agent
    )


def timeline_double_claims() -> int:
    """Cases with more than one ``assigned`` timeline event (the service path writes one)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT case_id FROM cases_caseevent WHERE kind = 'assigned' "
            "GROUP BY case_id HAVING count(*) > 1) AS twice"
        )
        return cursor.fetchone()[0]


def explain(world: World) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the claim-next query, in a transaction rolled back after
    (ANALYZE runs it, and it locks the row it returns)."""
    from django.db import transaction

    from accounts.models import User
    from cases.models import Queue
    from cases.services import claim_next_candidates

    actor = User.objects.get(pk=world.agent_ids[0])
    queue = Queue.objects.get(pk=world.queue_id)
    with transaction.atomic():
        candidates = claim_next_candidates(actor=actor, queue=queue)[:1]
        plan = candidates.explain(analyze=True, buffers=True)
        transaction.set_rollback(True)
    return plan


def line(run: Run) -> str:
    return (
        f"{run.kind:8s} {run.claims:7,d} claims in {run.seconds:6.2f} s = {run.rate:7.0f}/s;"
        f" latency p50 {run.p50:6.2f} ms, p95 {run.quantile(0.95):6.2f} ms,"
        f" p99 {run.quantile(0.99):6.2f} ms; double claims {run.duplicates},"
        f" wrong holder {run.wrong_holder}; CPU per claim: claimers"
        f" {run.cpu_ms_per_claim(run.cpu_claimers):.2f} ms, their PostgreSQL backends"
        f" {run.cpu_ms_per_claim(run.cpu_backends):.2f} ms, whole host"
        f" {run.cpu_ms_per_claim(run.cpu_host):.2f} ms"
        f" (steal {run.cpu_ms_per_claim(run.steal):.2f} ms)"
    )


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


@dataclass
class Summary:
    checks: list[tuple[str, bool]] = field(default_factory=list)

    def add(self, label: str, ok: bool) -> None:
        self.checks.append((label, ok))
        print(f"  {verdict(ok)}  {label}", flush=True)
