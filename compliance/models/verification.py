"""Runs of the audit chain verification and what each found (``ChainVerification``), and what
started them (``VerificationSource``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class VerificationSource(models.TextChoices):
    SCHEDULE = "schedule", "Scheduled"
    PAGE = "page", "Requested on the compliance pages"
    COMMAND = "command", "manage.py audit_verify"


class ChainVerification(models.Model):
    """One run of the chain verification and what it found: the compliance pages show the latest
    (``compliance.tasks.verify_audit_chain``, daily by beat, on request, and audit_verify)."""

    source = models.CharField(max_length=16, choices=VerificationSource.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    checked = models.PositiveBigIntegerField(default=0)
    intact = models.BooleanField(null=True, blank=True)  # None while running
    broken_at = models.PositiveBigIntegerField(null=True, blank=True)
    broken_entry_id = models.PositiveBigIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    head_index = models.PositiveBigIntegerField(null=True, blank=True)
    head_hash = models.CharField(max_length=64, blank=True)
    # Entries not sealed into the chain yet when the run started (the seal lag), and what the
    # chain was compared with: the latest signed anchor kept outside the database, or why none.
    unsealed = models.PositiveBigIntegerField(default=0)
    anchor = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        get_latest_by = ["started_at", "id"]
        verbose_name = "audit chain verification"
        constraints = [
            models.CheckConstraint(
                condition=Q(intact__isnull=True) | Q(finished_at__isnull=False),
                name="chainverification_finished_when_decided",
            ),
            models.CheckConstraint(
                condition=~Q(intact=False) | Q(broken_at__isnull=False) | ~Q(reason=""),
                name="chainverification_broken_says_where",
            ),
        ]

    def __str__(self) -> str:
        state = {None: "running", True: "intact", False: "BROKEN"}[self.intact]
        return f"Audit chain verification {self.started_at:%Y-%m-%d %H:%M}: {state}"
