"""The audit trail's entry (docs/architecture/audit.md): django-auditlog's log entry, inserted
plainly by auditlog's own receivers (no lock), with its actor, subject and card-data redaction
completed on the way in, and the id of the transaction that inserted it. Its place in the hash
chain is written later, insert-only, by the sealer (``compliance.sealer``, ``AuditSeal``)."""

from __future__ import annotations

from auditlog.models import AbstractLogEntry
from django.conf import settings
from django.db import models, router
from django.db.models import Q
from django.utils import timezone

from compliance.models.audit_manager import AuditEntryManager
from compliance.models.chain import CurrentTransactionId
from compliance.pci import redact_card_data, redact_json


class AuditEntry(AbstractLogEntry):
    """django-auditlog's log entry, append-only (database triggers: UPDATE, DELETE and TRUNCATE
    refused), sealed into the hash chain after its transaction commits (``AuditSeal``: its
    ``chain_index``, ``prev_hash`` and ``entry_hash``, None until then)."""

    # PROTECT instead of auditlog's SET NULL / CASCADE: the table refuses UPDATE and DELETE, and an
    # account or content type with audit history must not disappear from under it.
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="content type",
        db_index=False,  # audit_object_idx leads with it
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        blank=True,
        null=True,
        related_name="+",
        verbose_name="actor",
        db_index=False,  # audit_actor_time_idx leads with it
    )
    # auditlog indexes these one by one. Every index costs each append, and the searches use the
    # composite indexes in Meta, each of which leads with one of them (bench/audit_trail.py shows
    # the plans; bench/audit_overhead.py the cost of an append).
    object_pk = models.CharField(max_length=255, verbose_name="object pk")
    object_id = models.BigIntegerField(blank=True, null=True, verbose_name="object id")
    action = models.PositiveSmallIntegerField(
        choices=AbstractLogEntry.Action.choices, verbose_name="action"
    )
    cid = models.CharField(  # noqa: DJ001  (auditlog's column, NULL when there is none)
        max_length=255, blank=True, null=True, verbose_name="Correlation ID"
    )
    timestamp = models.DateTimeField(default=timezone.now, verbose_name="timestamp")
    # The id of the transaction that inserted the entry (PostgreSQL: pg_current_xact_id(); SQLite:
    # 0). The sealer chains entries in (xact_id, id) order, and only those whose transaction ended.
    xact_id = models.BigIntegerField(db_default=CurrentTransactionId(), editable=False)
    # The patient and case the entry is about (a change to a case's event: that case and its
    # patient; an access to a listed case: the same). Plain ids, not foreign keys: the trail
    # outlives nothing it points at, and the compliance searches need them indexed.
    patient_pk = models.BigIntegerField(null=True, blank=True, editable=False)
    case_pk = models.BigIntegerField(null=True, blank=True, editable=False)

    objects = AuditEntryManager()

    # Set (not stored) on an entry about someone not authenticated — a failed login, a lockout
    # (compliance.auth_log): it keeps no actor instead of the request's or the system's.
    unauthenticated = False

    class Meta(AbstractLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        permissions = [("export_auditentry", "Export audit trail searches")]
        # The compliance searches (compliance/trail.py): newest first, by one of these filters.
        indexes = [
            models.Index(
                fields=["patient_pk", "-timestamp", "-id"],
                condition=Q(patient_pk__isnull=False),
                name="audit_patient_time_idx",
            ),
            models.Index(
                fields=["case_pk", "-timestamp", "-id"],
                condition=Q(case_pk__isnull=False),
                name="audit_case_time_idx",
            ),
            models.Index(
                fields=["actor", "-timestamp", "-id"],
                name="audit_actor_time_idx",
                include=["action"],  # "user + action" stays index-only (PostgreSQL)
            ),
            models.Index(fields=["action", "-timestamp", "-id"], name="audit_action_time_idx"),
            models.Index(fields=["-timestamp", "-id"], name="audit_time_idx"),
            # One object's history (auditlog's admin and get_for_object).
            models.Index(fields=["content_type", "object_pk"], name="audit_object_idx"),
            # The sealer's order: the entries after the last sealed one (compliance/sealer.py).
            models.Index(fields=["xact_id", "id"], name="audit_seal_order_idx"),
        ]

    def save(self, *args, **kwargs) -> None:
        """Insert a new entry (auditlog's receivers call this through the manager's ``create``),
        completed first: the actor and the card data redacted. Entries are never changed."""
        if not self._state.adding:
            raise ValueError("Audit entries are append-only: they are never changed.")
        self.complete()
        super().save(*args, **kwargs)

    def complete(self) -> None:
        """Make the entry final before it is inserted: the actor (given by the caller: the purge,
        access logging; otherwise the innermost ``acting_as`` — a service's actor, else the
        request user set by the audit middleware; otherwise the system account), the time, and
        card numbers masked in every text it copies (PCI DSS 3.4: the hash will cover what is
        stored)."""
        self._resolve_actor()
        if self.timestamp is None:
            self.timestamp = timezone.now()
        self._redact_card_data()

    # Text an entry copies from the records (their names, old and new values, request details).
    _REDACTED_TEXT = ("object_repr", "changes_text")
    _REDACTED_JSON = ("changes", "additional_data", "serialized_data")

    def _redact_card_data(self) -> None:
        values = self.__dict__
        for name in self._REDACTED_TEXT:
            value = values.get(name)
            if isinstance(value, str):
                values[name] = redact_card_data(value)[0]
        for name in self._REDACTED_JSON:
            value = values.get(name)
            if value is not None:
                values[name] = redact_json(value)[0]

    def _resolve_actor(self) -> None:
        from compliance.actor import current_actor, system_actor

        if self.actor_id is None and not self.unauthenticated:
            actor = current_actor()
            self.actor = actor if actor is not None else system_actor()
        if not self.actor_email:
            self.actor_email = getattr(self.actor, "email", None) or None

    # --- the entry's seal (None until the sealer has chained it) ---------------------------------

    def _seal(self):
        try:
            return self.seal
        except models.ObjectDoesNotExist:
            return None

    @property
    def chain_index(self) -> int | None:
        seal = self._seal()
        return seal.chain_index if seal is not None else None

    @property
    def prev_hash(self) -> str | None:
        seal = self._seal()
        return seal.prev_hash if seal is not None else None

    @property
    def entry_hash(self) -> str | None:
        seal = self._seal()
        return seal.entry_hash if seal is not None else None

    @classmethod
    def append_many(cls, entries: list[AuditEntry], using: str | None = None) -> list[AuditEntry]:
        """Insert several new entries with one INSERT (access logging of a list page). Each
        entry's actor must be set (or resolvable); no signals are sent."""
        if not entries:
            return entries
        using = using or router.db_for_write(cls)
        for entry in entries:
            entry.complete()
        return cls.objects.using(using).bulk_create(entries)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are append-only; see manage.py audit_purge.")
