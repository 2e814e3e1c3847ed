"""Compliance tasks: the audit chain verification (daily by beat, or on request from the
compliance pages). Eager in the embedded default."""

from __future__ import annotations

from celery import shared_task

from compliance.models import VerificationSource


@shared_task(name="compliance.verify_audit_chain")
def verify_audit_chain(source: str = VerificationSource.SCHEDULE, requested_by: int | None = None):
    from accounts.models import User
    from compliance.audit import acting_as, run_recorded_verification, system_actor

    actor = User.objects.filter(pk=requested_by).first() if requested_by else None
    actor = actor or system_actor()
    with acting_as(actor):
        record, _report = run_recorded_verification(source=source, actor=actor)
    return record.pk
