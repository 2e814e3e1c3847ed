"""Escalation accuracy: of the escalations a supervisor reviewed, the share judged warranted —
per pathway (docs/architecture/escalations.md, "Review and accuracy").

A pathway that is often escalated to without need (low accuracy) tells a supervisor where agents
need guidance; a pathway whose escalations are always warranted may be escalated to too late.
The figures come from one aggregate query over the escalations given (the caller narrows them
through the read path, e.g. ``Escalation.objects.restrict(user, "supervise")``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet

from escalations.choices import EscalationStatus
from escalations.models import Escalation

_TENTH = Decimal("0.1")


def percentage(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` as a percentage with one decimal, halves rounded up (2 of 3 →
    66.7, 1 of 16 → 6.3); None when ``whole`` is 0 (nothing to measure, not 0 %)."""
    if not whole:
        return None
    return float((Decimal(100 * part) / Decimal(whole)).quantize(_TENTH, rounding=ROUND_HALF_UP))


def _minutes(value: timedelta | float | int | None) -> float | None:
    if value is None:
        return None
    if not isinstance(value, timedelta):  # a backend that hands the average back in microseconds
        value = timedelta(microseconds=float(value))
    minutes = Decimal(value.total_seconds()) / 60
    return float(minutes.quantize(_TENTH, rounding=ROUND_HALF_UP))


def accuracy_by_pathway(
    queryset: QuerySet[Escalation] | None = None, since: datetime | None = None
) -> list[dict[str, Any]]:
    """Per pathway that has escalations in ``queryset`` (default: all; requested at or after
    ``since`` when given), by pathway name, one dict:

    * ``pathway_id``, ``pathway`` (name), ``kind``;
    * ``escalations`` — how many; ``resolved``; ``reviewed``; ``warranted``; ``not_warranted``;
    * ``accuracy`` — warranted / reviewed as a percentage with one decimal, None when none of
      them was reviewed;
    * ``mean_minutes_to_acknowledge`` — over the acknowledged ones, one decimal (None: none).
      A mean, not a median: the median has no portable SQL aggregate (SQLite has none) and this
      stays one query; the per-escalation overdue marks show the outliers.

    One query, whatever the number of pathways and escalations."""
    escalations = queryset if queryset is not None else Escalation.objects.all()
    if since is not None:
        escalations = escalations.filter(requested_at__gte=since)
    to_acknowledge = ExpressionWrapper(
        F("acknowledged_at") - F("requested_at"), output_field=DurationField()
    )
    rows = (
        escalations.values("pathway_id", "pathway__name", "pathway__kind")
        .annotate(
            escalations=Count("pk"),
            resolved=Count("pk", filter=Q(status=EscalationStatus.RESOLVED)),
            reviewed=Count("pk", filter=Q(warranted__isnull=False)),
            warranted_count=Count("pk", filter=Q(warranted=True)),
            not_warranted=Count("pk", filter=Q(warranted=False)),
            mean_to_acknowledge=Avg(
                to_acknowledge,
                filter=Q(acknowledged_at__isnull=False),
                output_field=DurationField(),
            ),
        )
        .order_by("pathway__name", "pathway_id")
    )
    return [
        {
            "pathway_id": row["pathway_id"],
            "pathway": row["pathway__name"],
            "kind": row["pathway__kind"],
            "escalations": row["escalations"],
            "resolved": row["resolved"],
            "reviewed": row["reviewed"],
            "warranted": row["warranted_count"],
            "not_warranted": row["not_warranted"],
            "accuracy": percentage(row["warranted_count"], row["reviewed"]),
            "mean_minutes_to_acknowledge": _minutes(row["mean_to_acknowledge"]),
        }
        for row in rows
    ]


__all__ = ["accuracy_by_pathway", "percentage"]
