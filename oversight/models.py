"""Break-the-glass: emergency access to a case one may not normally see, justified, time-boxed
and reviewed afterwards by a compliance officer (``BreakGlassAccess`` and its review outcomes)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ReviewOutcome(models.TextChoices):
    APPROPRIATE = "appropriate", "Appropriate"
    INAPPROPRIATE = "inappropriate", "Inappropriate: follow up"


class BreakGlassAccessQuerySet(models.QuerySet):
    def awaiting_review(self) -> BreakGlassAccessQuerySet:
        return self.filter(reviewed_at__isnull=True)


class BreakGlassAccess(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_accesses"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="break_glass_accesses"
    )
    reason = models.TextField(max_length=2000)
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="break_glass_reviews",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_outcome = models.CharField(max_length=16, choices=ReviewOutcome.choices, blank=True)
    review_notes = models.TextField(max_length=4000, blank=True)

    objects = BreakGlassAccessQuerySet.as_manager()

    class Meta:
        # The table kept its name when the model moved here from the audit kernel (compliance):
        # the move changed no row (oversight/migrations/0001_initial.py).
        db_table = "compliance_breakglassaccess"
        ordering = ["-granted_at", "-id"]
        verbose_name = "break-the-glass access"
        verbose_name_plural = "break-the-glass accesses"
        permissions = [("review_breakglassaccess", "Review break-the-glass accesses")]
        indexes = [
            models.Index(fields=["reviewed_at", "-granted_at"], name="btg_review_queue_idx"),
            models.Index(fields=["user", "-granted_at"], name="btg_user_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("granted_at")), name="btg_expires_later"
            ),
            models.CheckConstraint(
                condition=(
                    Q(reviewed_at__isnull=True, reviewed_by__isnull=True, review_outcome="")
                    | (
                        Q(reviewed_at__isnull=False, reviewed_by__isnull=False)
                        & Q(review_outcome__in=ReviewOutcome.values)
                    )
                ),
                name="btg_review_complete_or_absent",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="btg_reason_required"),
        ]

    def __str__(self) -> str:
        return f"Emergency access to case {self.case_id} by user {self.user_id}"
