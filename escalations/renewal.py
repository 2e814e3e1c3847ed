"""An unresolved escalation keeps its recipients' access to the case (docs/architecture/
escalations.md, "Access while unresolved").

Opening an escalation gives its recipients a ``change_case`` grant on the case for the pathway's
``access_hours``; resolving or cancelling it revokes them. An escalation still unresolved when
that period ends would lock its own recipients out of the case they must act on — the nurse
who acknowledged on Friday could not resolve on Monday. So the timer sweep
(``escalations.timers``) renews them: every unresolved escalation whose ``access_renew_at`` has
come (half the access period after the grants were last given) has the escalation grants that
its pathway's recipients hold on the case — lapsed ones included — and the acknowledger's
extended to a full period from now. Someone who has left the recipient queue (or was
deactivated) is not renewed: their grant lapses. Nobody new is granted (a member who joined the
queue later is granted when acknowledging, as before). Each grant row is saved on its own, so
the audit trail records every renewal (``compliance``); the case timeline is not flooded with
it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from cases.models import CaseGrantKind, CaseUserObjectPermission
from cases.services import require_actor
from compliance.audit import audited
from escalations.choices import UNRESOLVED_STATUSES
from escalations.models import Escalation
from escalations.services.grants import _grant, recipients


def renewal_due(now: datetime) -> QuerySet[Escalation]:
    """Unresolved escalations whose grants are due for renewal, the earliest first."""
    return (
        Escalation.objects.unresolved()
        .filter(Q(access_renew_at__lte=now) | Q(access_renew_at__isnull=True))
        .order_by("access_renew_at", "pk")
    )


@audited
@transaction.atomic
def escalation_renew_access(
    *, actor: User, escalation: Escalation, now: datetime | None = None
) -> int:
    """Extend the case grants of ``escalation``'s recipients to a full access period from now.
    Returns how many grants were extended; 0 when the escalation is no longer unresolved or
    not due (idempotent)."""
    require_actor(actor)
    now = now or timezone.now()
    escalation = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("pathway", "case")
        .get(pk=escalation.pk)
    )
    if escalation.status not in UNRESOLVED_STATUSES:
        return 0
    if escalation.access_renew_at is not None and escalation.access_renew_at > now:
        return 0
    period = timedelta(hours=escalation.pathway.access_hours)
    holders = CaseUserObjectPermission.objects.filter(
        content_object_id=escalation.case_id,
        kind=CaseGrantKind.ESCALATION,
        permission__codename="change_case",
    ).values("user_id")
    # Still recipients (members of the pathway's queue with a support role), or the one who took
    # it: someone who left the queue keeps their grant only until it lapses.
    still = Q(pk__in=recipients(escalation.pathway).filter(pk__in=holders).values("pk"))
    if escalation.acknowledged_by_id:
        still |= Q(pk=escalation.acknowledged_by_id)
    users = User.objects.filter(still, is_active=True).order_by("pk")
    renewed = _grant(escalation.case, users, escalation=escalation, actor=actor, until=now + period)
    escalation.access_renew_at = now + period / 2
    escalation.save(update_fields=["access_renew_at"])
    return renewed
