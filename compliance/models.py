"""Compliance records. Break-the-glass: emergency access to a case one may not normally see,
justified, time-boxed and reviewed afterwards by a compliance officer. (The audit trail, access
logging and retention join this app with the audit issue.)"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC

from auditlog.models import AbstractLogEntry
from django.conf import settings
from django.db import connections, models, router, transaction
from django.db.models import Q
from django.utils import timezone


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


# --- audit trail (docs/architecture/audit.md) ---------------------------------------------------

GENESIS_HASH = "0" * 64
# pg_advisory_xact_lock key that serialises appends to the chain ("PCAUDIT1" as an integer).
AUDIT_CHAIN_LOCK_KEY = 0x5043415544495431


def canonical_content(entry: AuditEntry, content_type_label: str) -> str:
    """The canonical JSON of what an entry's hash covers (sorted keys, no spaces, UTC time)."""
    remote_addr = entry.remote_addr
    if remote_addr and ":" in remote_addr:
        from django.utils.ipv6 import clean_ipv6_address

        remote_addr = clean_ipv6_address(remote_addr)
    timestamp = entry.timestamp.astimezone(UTC).isoformat() if entry.timestamp else None
    content = {
        "content_type": content_type_label,
        "object_pk": str(entry.object_pk),
        "object_repr": entry.object_repr,
        "action": int(entry.action),
        "changes": entry.changes,
        "actor_id": entry.actor_id,
        "remote_addr": remote_addr or None,
        "timestamp": timestamp,
        "additional_data": entry.additional_data,
        "cid": entry.cid or None,
    }
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def compute_entry_hash(prev_hash: str, entry: AuditEntry, content_type_label: str) -> str:
    payload = prev_hash + canonical_content(entry, content_type_label)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def content_type_label(content_type_id: int) -> str:
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_id(content_type_id)
    return f"{content_type.app_label}.{content_type.model}"


class AuditEntry(AbstractLogEntry):
    """django-auditlog's log entry plus a hash chain: ``entry_hash`` = sha256(``prev_hash`` +
    canonical JSON of the entry), ``chain_index`` gap-free. Appends are serialised (PostgreSQL:
    a transaction-level advisory lock; SQLite: writers are serialised by BEGIN IMMEDIATE) and the
    table is append-only (database triggers, migration 0002)."""

    # PROTECT instead of auditlog's SET NULL / CASCADE: the table refuses UPDATE and DELETE, and an
    # account or content type with audit history must not disappear from under it.
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="content type",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        blank=True,
        null=True,
        related_name="+",
        verbose_name="actor",
    )
    chain_index = models.PositiveBigIntegerField(unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    entry_hash = models.CharField(max_length=64, editable=False)

    class Meta(AbstractLogEntry.Meta):
        ordering = ["-chain_index"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("Audit entries are append-only: they are never changed.")
        # Actor given by the caller (e.g. the purge) wins; otherwise the service's actor, then the
        # request user (auditlog's middleware, filled in by its pre_save receiver), then system.
        self._explicit_actor = self.actor_id is not None
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            super().save(*args, **kwargs)

    def _save_table(self, raw=False, cls=None, force_insert=False, force_update=False,
                    using=None, update_fields=None):  # fmt: skip
        # Runs after the pre_save receivers (auditlog's middleware sets actor and address there),
        # so everything the hash covers is final here.
        if self._state.adding and not raw:
            self._resolve_actor()
            self._chain(using)
        return super()._save_table(raw, cls, force_insert, force_update, using, update_fields)

    def _resolve_actor(self) -> None:
        from compliance.audit import current_actor, system_actor

        actor = None if getattr(self, "_explicit_actor", False) else current_actor()
        if actor is not None:
            self.actor = actor
        elif self.actor_id is None:
            self.actor = system_actor()
        if not self.actor_email:
            self.actor_email = getattr(self.actor, "email", None) or None

    def _chain(self, using: str) -> None:
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK_KEY])
        head = (
            type(self)
            .objects.using(using)
            .order_by("-chain_index")
            .values_list("chain_index", "entry_hash")
            .first()
        )
        self.chain_index, self.prev_hash = (head[0] + 1, head[1]) if head else (0, GENESIS_HASH)
        if self.timestamp is None:
            self.timestamp = timezone.now()
        self.entry_hash = compute_entry_hash(
            self.prev_hash, self, content_type_label(self.content_type_id)
        )

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are append-only; see compliance.audit.purge_before.")
