"""Compliance tasks: the sealer (every second), the signed anchor of the chain's head (every
``AUDIT_ANCHOR_SECONDS``) and the audit chain verification (daily by beat, or on request from the
compliance pages). Eager in the embedded default, where ``manage.py run_timers`` runs the first
two."""

from __future__ import annotations

from celery import shared_task

from accounts.models import User
from compliance.anchor import write_anchor
from compliance.audit import acting_as, system_actor
from compliance.models import VerificationSource
from compliance.sealer import seal_pending
from compliance.verify import run_recorded_verification


@shared_task(name="compliance.seal_audit_entries")
def seal_audit_entries() -> int:

    return seal_pending(wait=False)


@shared_task(name="compliance.anchor_audit_chain")
def anchor_audit_chain() -> int | None:

    record = write_anchor()
    return record["chain_index"] if record else None


@shared_task(name="compliance.verify_audit_chain")
def verify_audit_chain(source: str = VerificationSource.SCHEDULE, requested_by: int | None = None):

    actor = User.objects.filter(pk=requested_by).first() if requested_by else None
    actor = actor or system_actor()
    with acting_as(actor):
        record, _report = run_recorded_verification(source=source, actor=actor)
    return record.pk
