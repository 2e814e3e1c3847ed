"""Who receives an escalation and their access to its case: ``recipients`` and
``is_recipient`` (reads: ``escalations.selectors``, re-exported here), the time-limited
``change_case`` grants written on opening (``_grant``, also used by ``escalations.renewal``) and
ended on resolving (``_revoke``, also used by ``escalations.closing``).
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import Permission

from accounts.models import User
from cases.models import (
    Case,
    CaseGrantKind,
    CaseUserObjectPermission,
)
from escalations.models import Escalation
from escalations.selectors import is_recipient as is_recipient
from escalations.selectors import recipients as recipients


def _change_case_permission() -> Permission:
    return Permission.objects.get(content_type__app_label="cases", codename="change_case")


def _grant(case: Case, users, *, escalation: Escalation, actor: User, until: datetime) -> int:
    """Give each of ``users`` ``change_case`` on ``case`` until ``until`` (kept if they already
    hold a later one). One row per user and case (guardian's unique key): a grant of another kind
    (break-the-glass) becomes an escalation grant, which reads and works. Each row is saved on
    its own so that the audit trail records it. Returns how many were written."""
    permission = _change_case_permission()
    users = list(users)
    existing = {
        grant.user_id: grant
        for grant in CaseUserObjectPermission.objects.filter(
            content_object=case, permission=permission, user__in=users
        )
    }
    reason = f"Recipient of escalation {escalation.pk} ({escalation.pathway.name})"
    written = 0
    for user in users:
        grant = existing.get(user.pk)
        if grant is None:
            CaseUserObjectPermission.objects.create(
                user=user,
                content_object=case,
                permission=permission,
                kind=CaseGrantKind.ESCALATION,
                reason=reason,
                granted_by=actor,
                expires_at=until,
            )
        elif grant.expires_at < until or grant.kind != CaseGrantKind.ESCALATION:
            grant.kind = CaseGrantKind.ESCALATION
            grant.reason = reason
            grant.granted_by = actor
            grant.expires_at = max(grant.expires_at, until)
            grant.save(update_fields=["kind", "reason", "granted_by", "expires_at"])
        else:
            continue
        written += 1
    return written


def _revoke(escalation: Escalation) -> int:
    """End the escalation grants on its case that no other unresolved escalation of the case
    needs (a recipient of another pathway, or someone who acknowledged another one, keeps
    theirs). Deleted one by one, so that the audit trail records each."""
    others = list(
        Escalation.objects.filter(case_id=escalation.case_id)
        .unresolved()
        .exclude(pk=escalation.pk)
        .select_related("pathway")
    )
    keep: set[int] = set()
    for other in others:
        keep.update(recipients(other.pathway).values_list("pk", flat=True))
        if other.acknowledged_by_id:
            keep.add(other.acknowledged_by_id)
    grants = CaseUserObjectPermission.objects.filter(
        content_object_id=escalation.case_id,
        kind=CaseGrantKind.ESCALATION,
        permission__codename="change_case",
    ).exclude(user_id__in=keep)
    revoked = 0
    for grant in grants:
        grant.delete()
        revoked += 1
    return revoked
