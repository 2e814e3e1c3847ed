"""Object permissions (django-guardian, direct foreign keys): queue membership and the rare
case-level grants. The rules that read them are in ``cases.access``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

# Queue object permissions (codenames; app label "cases").
WORK_QUEUE = "work_queue"
SUPERVISE_QUEUE = "supervise_queue"


class QueueUserObjectPermission(UserObjectPermissionBase):
    """A person's membership of a queue: ``work_queue`` or ``supervise_queue``."""

    content_object = models.ForeignKey("cases.Queue", on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "queue member"
        verbose_name_plural = "queue members"
        indexes = [models.Index(fields=["user", "content_object"], name="queue_uperm_user_idx")]


class QueueGroupObjectPermission(GroupObjectPermissionBase):
    """A group's membership of a queue (e.g. the whole billing team)."""

    content_object = models.ForeignKey("cases.Queue", on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = "queue team"
        verbose_name_plural = "queue teams"
        indexes = [models.Index(fields=["group", "content_object"], name="queue_gperm_group_idx")]


class CaseGrantKind(models.TextChoices):
    ESCALATION = "escalation", "Escalation recipient"
    BREAK_GLASS = "break_glass", "Break-the-glass"


class CaseUserObjectPermission(UserObjectPermissionBase):
    """A time-limited exception: one person may see (``view_case``) or work (``change_case``) one
    case they otherwise could not. Only services create these; ``restrict()`` ignores them once
    ``expires_at`` has passed."""

    content_object = models.ForeignKey("cases.Case", on_delete=models.CASCADE)
    kind = models.CharField(max_length=16, choices=CaseGrantKind.choices)
    reason = models.TextField(max_length=2000)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_grants_given"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "case access grant"
        verbose_name_plural = "case access grants"
        indexes = [
            models.Index(
                fields=["user", "content_object", "expires_at"], name="case_grant_user_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CaseGrantKind.values), name="case_grant_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("granted_at")), name="case_grant_expires_later"
            ),
        ]
