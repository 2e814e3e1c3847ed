"""The three claim paths bench/claim_next.py times, one function each (``CLAIMERS``): the full
service (``case_claim_next``), the claim step (the service's candidate query and an UPDATE through
the ORM) and one SQL statement compiled once per process. Imported by that script."""

from __future__ import annotations

_SQL_STATEMENTS: dict[int, tuple[str, list]] = {}


def _claim_service(actor, queue, batch):
    from cases.services import case_claim_next

    case = case_claim_next(actor=actor, queue=queue)
    return [] if case is None else [case.pk]


def _claim_step(actor, queue, batch):
    """The claim step: the service's candidate query (``claim_next_candidate``) and an UPDATE of
    the assignee, one transaction. With ``batch`` > 1 (the aging claims only), the candidates
    queryset with ``LIMIT batch`` instead."""
    from django.db import transaction
    from django.utils import timezone

    from cases.models import Case
    from cases.services import claim_next_candidate, claim_next_candidates

    with transaction.atomic():
        if batch == 1:  # the service's own candidate fetch
            case = claim_next_candidate(actor=actor, queue=queue)
            pks = [] if case is None else [case.pk]
        else:
            pks = [case.pk for case in claim_next_candidates(actor=actor, queue=queue)[:batch]]
        if pks:
            # By primary key alone, as the service's save(): a double claim would show as two
            # processes holding one id. A queryset UPDATE sends no signals: no row version, no
            # audit entry, no timeline event (the service path writes those).
            Case.objects.filter(pk__in=pks).update(assigned_to=actor, updated_at=timezone.now())
        return pks


def _claim_sql(actor, queue, batch):
    """The claim step as one statement in autocommit: ``UPDATE … WHERE id = (<the service's
    candidate query>) RETURNING id`` — one round trip, one commit, no ORM per claim. Not a path of
    the app: it measures what the database itself does with four claimers (the SQL is compiled
    once per process from ``claim_next_candidates``, so its conditions and order are the app's)."""
    from django.db import connection, transaction

    from cases.services import claim_next_candidates

    statement = _SQL_STATEMENTS.get(actor.pk)
    if statement is None:
        with transaction.atomic():  # select_for_update compiles only inside one
            query = claim_next_candidates(actor=actor, queue=queue).values("pk")[:1].query
            sql, params = query.sql_with_params()
        statement = _SQL_STATEMENTS[actor.pk] = (
            "UPDATE cases_case SET assigned_to_id = %s, updated_at = now() "  # noqa: S608
            f"WHERE id = ({sql}) RETURNING id",
            [actor.pk, *params],
        )
    with connection.cursor() as cursor:
        cursor.execute(*statement)
        row = cursor.fetchone()
    return [] if row is None else [row[0]]


CLAIMERS = {"service": _claim_service, "step": _claim_step, "sql": _claim_sql}
