"""Compliance records. Break-the-glass: emergency access to a case one may not normally see,
justified, time-boxed and reviewed afterwards by a compliance officer. (The audit trail, access
logging and retention join this app with the audit issue.)"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC

from auditlog.models import AbstractLogEntry, LogEntryManager
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
    # The subject columns joined the hash with access logging; entries without a subject hash as
    # before, so older trails still verify.
    if entry.patient_pk is not None:
        content["patient_pk"] = entry.patient_pk
    if entry.case_pk is not None:
        content["case_pk"] = entry.case_pk
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


class _HeadMarker:
    """A no-op on_commit callback whose presence in ``connection.run_on_commit`` says that the
    transaction (or savepoint) that appended the cached head is still open."""

    def __call__(self) -> None:
        return None


def _locked_head(using: str) -> tuple[int, str] | None:
    """The chain head, with the append lock held until the end of the transaction.

    The first append of a transaction takes the lock (PostgreSQL) and reads the head; later ones
    reuse the head this transaction wrote, for as long as its marker is pending: a commit or
    rollback empties ``run_on_commit``, and a savepoint rollback removes the markers registered
    inside it, so a rolled-back append is never chained onto."""
    connection = connections[using]
    cached = getattr(connection, "_audit_chain_head", None)
    if cached is not None and connection.in_atomic_block and _pending(connection, cached[0]):
        return cached[1]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK_KEY])
    return (
        AuditEntry.objects.using(using)
        .order_by("-chain_index")
        .values_list("chain_index", "entry_hash")
        .first()
    )


def _pending(connection, marker: _HeadMarker) -> bool:
    return any(func is marker for _sids, func, _robust in connection.run_on_commit)


def _remember_head(using: str, head: tuple[int, str]) -> None:
    """Cache the head this transaction just wrote. A marker is registered once per savepoint
    level (the savepoint ids at registration are what a rollback checks), so a service's
    transaction carries one."""
    connection = connections[using]
    savepoints = tuple(connection.savepoint_ids)
    cached = getattr(connection, "_audit_chain_head", None)
    if cached is not None and cached[2] == savepoints and _pending(connection, cached[0]):
        connection._audit_chain_head = (cached[0], head, savepoints)
        return
    marker = _HeadMarker()
    transaction.on_commit(marker, using=using)
    connection._audit_chain_head = (marker, head, savepoints)


def forget_cached_head(using: str = "default") -> None:
    """Make the next append read the head from the table again (the purge does, before its
    checkpoint; tests that rewrite the chain behind the model's back must)."""
    connections[using]._audit_chain_head = None


class AuditEntryManager(LogEntryManager):
    """auditlog's manager, plus the subject (patient and case) of every entry it writes."""

    def log_create(self, instance, force_log: bool = False, **kwargs):
        from compliance.audit import subject_of

        patient_pk, case_pk = subject_of(instance)
        kwargs.setdefault("patient_pk", patient_pk)
        kwargs.setdefault("case_pk", case_pk)
        return super().log_create(instance, force_log=force_log, **kwargs)

    def log_m2m_changes(self, changed_queryset, instance, operation, field_name, **kwargs):
        from compliance.audit import subject_of

        patient_pk, case_pk = subject_of(instance)
        kwargs.setdefault("patient_pk", patient_pk)
        kwargs.setdefault("case_pk", case_pk)
        return super().log_m2m_changes(changed_queryset, instance, operation, field_name, **kwargs)


class AuditEntry(AbstractLogEntry):
    """django-auditlog's log entry plus a hash chain: ``entry_hash`` = sha256(``prev_hash`` +
    canonical JSON of the entry), ``chain_index`` gap-free. Appends are serialised (PostgreSQL:
    a transaction-level advisory lock; SQLite: writers are serialised by BEGIN IMMEDIATE) and the
    table is append-only (database triggers, migration 0003)."""

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
    # The patient and case the entry is about (a change to a case's event: that case and its
    # patient; an access to a listed case: the same). Plain ids, not foreign keys: the trail
    # outlives nothing it points at, and the compliance searches need them indexed.
    patient_pk = models.BigIntegerField(null=True, blank=True, editable=False)
    case_pk = models.BigIntegerField(null=True, blank=True, editable=False)

    objects = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):
        ordering = ["-chain_index"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        permissions = [("export_auditentry", "Export audit trail searches")]
        # The compliance searches (compliance/trail.py): newest first, by one of these filters.
        indexes = [
            models.Index(
                fields=["patient_pk", "-timestamp", "-chain_index"],
                condition=Q(patient_pk__isnull=False),
                name="audit_patient_time_idx",
            ),
            models.Index(
                fields=["case_pk", "-timestamp", "-chain_index"],
                condition=Q(case_pk__isnull=False),
                name="audit_case_time_idx",
            ),
            models.Index(
                fields=["actor", "-timestamp", "-chain_index"],
                name="audit_actor_time_idx",
                include=["action"],  # "user + action" stays index-only (PostgreSQL)
            ),
            models.Index(
                fields=["action", "-timestamp", "-chain_index"], name="audit_action_time_idx"
            ),
            models.Index(fields=["-timestamp", "-chain_index"], name="audit_time_idx"),
        ]

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
        self._link(_locked_head(using))
        _remember_head(using, (self.chain_index, self.entry_hash))

    def _link(self, head: tuple[int, str] | None) -> None:
        self.chain_index, self.prev_hash = (head[0] + 1, head[1]) if head else (0, GENESIS_HASH)
        if self.timestamp is None:
            self.timestamp = timezone.now()
        self.entry_hash = compute_entry_hash(
            self.prev_hash, self, content_type_label(self.content_type_id)
        )

    @classmethod
    def append_many(cls, entries: list[AuditEntry], using: str | None = None) -> list[AuditEntry]:
        """Chain and insert several new entries at once (one lock, one head read, one INSERT):
        access logging of a list page. Each entry's actor must be set (or resolvable)."""
        if not entries:
            return entries
        using = using or router.db_for_write(cls)
        with transaction.atomic(using=using, savepoint=False):
            head = _locked_head(using)
            for entry in entries:
                entry._explicit_actor = entry.actor_id is not None
                entry._resolve_actor()
                entry._link(head)
                head = (entry.chain_index, entry.entry_hash)
            cls.objects.using(using).bulk_create(entries)
            _remember_head(using, head)
        return entries

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are append-only; see compliance.audit.purge_before.")


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
