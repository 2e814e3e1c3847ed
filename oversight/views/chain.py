"""The audit chain's pages: the verification status (also on the home page), the head and the
latest verifications, and "Verify now"."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery.result import EagerResult
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from compliance.models import ChainVerification, VerificationSource
from compliance.tasks import verify_audit_chain
from compliance.verify import current_head
from oversight.views.base import (
    VERIFY_CHAIN,
    VIEW_TRAIL,
    _render,
    compliance_required,
    require_read,
)

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(hours=36)  # the daily verification is late after this


def latest_verification_status() -> dict:
    """The latest finished chain verification, whether it found the chain broken, and whether
    it is too old (none finished within ``STALE_AFTER``)."""
    latest = (
        ChainVerification.objects.filter(finished_at__isnull=False)
        .select_related("requested_by")
        .order_by("-finished_at", "-id")
        .first()
    )
    return {
        "latest": latest,
        "broken": latest is not None and latest.intact is False,
        "stale": latest is None or latest.finished_at < timezone.now() - STALE_AFTER,
        "stale_hours": int(STALE_AFTER.total_seconds() // 3600),
    }


# --- the chain ------------------------------------------------------------------------------------


@compliance_required(VIEW_TRAIL)
@require_read
def chain_status(request):
    head = current_head()
    if head is not None:
        head = {**head, "time": datetime.fromisoformat(head["timestamp"])}
    verifications = list(
        ChainVerification.objects.select_related("requested_by").order_by("-started_at", "-id")[:20]
    )
    return _render(
        request,
        "oversight/chain.html",
        {
            "title": "Audit chain verification",
            "head": head,
            "verifications": verifications,
            "status": latest_verification_status(),
        },
    )


@compliance_required(VIEW_TRAIL, VERIFY_CHAIN)
@require_POST
def chain_verify(request):
    """Verify now: inline where Celery is eager (development, tests), else queued for a worker."""
    try:
        result = verify_audit_chain.delay(
            source=VerificationSource.PAGE, requested_by=request.user.pk
        )
    except Exception:
        logger.exception("audit chain verification requested by user %s failed", request.user.pk)
        messages.error(
            request, "The verification could not be run. It is recorded below if it started."
        )
        return redirect("oversight:chain")
    if isinstance(result, EagerResult):
        record = ChainVerification.objects.filter(pk=result.result).first()
        if record is not None and record.intact:
            messages.success(
                request,
                f"The audit chain is intact ({record.checked} entries checked; "
                f"{record.anchor}; {record.unsealed} entries not sealed yet).",
            )
        elif record is not None:
            where = f" at entry {record.broken_at}" if record.broken_at is not None else ""
            messages.error(
                request,
                f"The audit chain is BROKEN{where}: {record.reason} ({record.anchor}).",
            )
    else:
        messages.info(
            request,
            "Verification requested: it runs in the background. Reload this page for its result.",
        )
    return redirect("oversight:chain")
