"""Background tasks of the REST edge: the purge of expired idempotency records (hourly, by beat:
``CELERY_BEAT_SCHEDULE["purge-idempotency-keys"]``)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from api.models import IdempotencyRecord

PURGE_BATCH_SIZE = 1000


@shared_task(name="api.purge_idempotency_keys")
def purge_idempotency_keys(batch_size: int = PURGE_BATCH_SIZE) -> int:
    """Delete expired idempotency records, ``batch_size`` rows per statement (each its own short
    transaction, so the table is never locked for long). Returns how many were deleted.

    A request that meets an expired record treats it as absent anyway; the purge only keeps the
    table (and the stored responses, which may hold patient data) from growing."""
    now = timezone.now()
    deleted = 0
    while True:
        batch = list(
            IdempotencyRecord.objects.filter(expires_at__lte=now)
            .order_by("expires_at")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            return deleted
        count, _ = IdempotencyRecord.objects.filter(pk__in=batch, expires_at__lte=now).delete()
        deleted += count
        if len(batch) < batch_size:
            return deleted
