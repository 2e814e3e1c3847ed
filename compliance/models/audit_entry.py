"""The audit trail's entry (docs/architecture/audit.md): django-auditlog's log entry plus a hash
chain, append-only, with card data redacted before hashing, and how new entries are linked to
the chain head and inserted (one INSERT, or PostgreSQL's conditional append)."""

from __future__ import annotations

import functools
import hashlib
import json

from auditlog.models import AbstractLogEntry
from django.conf import settings
from django.db import DatabaseError, connections, models, router, transaction
from django.db.models import Q
from django.db.models.signals import pre_save
from django.utils import timezone

from compliance import append_function
from compliance.models.audit_manager import AuditEntryManager
from compliance.models.chain import (
    AUDIT_CHAIN_LOCK_KEY,
    GENESIS_HASH,
    canonical_content,
    content_type_label,
)
from compliance.pci import redact_card_data, redact_json
from compliance.sealing import cache_head, cached_head, committed_head, defer, seal


def _json_kind(field) -> str:
    """How a column's value goes into the JSON rows of the conditional append."""
    if isinstance(field, models.JSONField):
        return "json"  # as it is: the column reads the JSON value
    if isinstance(field, models.DateTimeField):
        return "time"
    if isinstance(field, models.IntegerField | models.ForeignKey):
        return "int"
    return "text"  # text, and addresses (GenericIPAddressField)


def _locked_head(using: str) -> tuple[int, str] | None:
    """The chain head, with the append lock held until the end of the transaction.

    The first seal of a transaction takes the lock and reads the head in one round trip
    (PostgreSQL: two statements in one simple query, so the head is read with a snapshot taken
    after the lock was granted); later seals in the same transaction reuse the head it wrote,
    which a rolled-back savepoint forgets (``compliance.sealing``). SQLite serialises writers at
    BEGIN IMMEDIATE and needs no lock."""
    connection = connections[using]
    head = cached_head(connection)
    if head is not None:
        return head
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT pg_advisory_xact_lock({AUDIT_CHAIN_LOCK_KEY:d}); "  # noqa: S608
                f"SELECT chain_index, entry_hash FROM {table} "
                "ORDER BY chain_index DESC LIMIT 1"
            )
            cursor.nextset()
            row = cursor.fetchone()
    else:
        row = (
            AuditEntry._base_manager.using(using)
            .order_by("-chain_index")
            .values_list("chain_index", "entry_hash")
            .first()
        )
    return (row[0], row[1]) if row else None


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
            # One object's history (auditlog's admin and get_for_object).
            models.Index(fields=["content_type", "object_pk"], name="audit_object_idx"),
        ]

    def save(self, *args, **kwargs) -> None:
        """Chain and insert a new entry now (with anything pending before it)."""
        if not self._state.adding:
            raise ValueError("Audit entries are append-only: they are never changed.")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            self.prepare(using)
            defer(self, using)
            seal(using)

    def prepare(self, using: str, *, signals: bool = True) -> None:
        """Make the entry final: actor, address and correlation id (auditlog's context fills
        them in through the ``pre_save`` signal, as a model save would), time, and the canonical
        JSON its hash covers. Actor given by the caller (the purge, access logging) wins;
        otherwise the service's actor, then the request user, then the system account."""
        self._explicit_actor = self.actor_id is not None
        if signals:
            pre_save.send(
                sender=type(self), instance=self, raw=False, using=using, update_fields=None
            )
        self._resolve_actor()
        if self.timestamp is None:
            self.timestamp = timezone.now()
        self._redact_card_data()
        self._content = canonical_content(self, content_type_label(self.content_type_id))

    # Text an entry copies from the records (their names, old and new values, request details):
    # card numbers masked before the hash is computed, so the hash covers what is stored.
    _REDACTED_TEXT = ("object_repr", "changes_text")
    _REDACTED_JSON = ("changes", "additional_data", "serialized_data")

    def _redact_card_data(self) -> None:
        """PCI DSS 3.4: the audit trail is written by ``_insert``/the PostgreSQL append function,
        not ``save()``, so the storage boundary (``compliance.boundary``) does not see it; its
        text is redacted here, on every path, as access logging always did."""
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
        from compliance.audit import current_actor, system_actor

        actor = None if getattr(self, "_explicit_actor", False) else current_actor()
        if actor is not None:
            self.actor = actor
        elif self.actor_id is None:
            self.actor = system_actor()
        if not self.actor_email:
            self.actor_email = getattr(self.actor, "email", None) or None

    @classmethod
    def write_chained(cls, entries: list[AuditEntry], using: str) -> None:
        """Link prepared entries to the head, in order, and insert them with one statement.

        PostgreSQL, first seal of a transaction: the connection remembers the head its last
        committed transaction left. The entries are linked to that head and sent in ONE round
        trip with the chain lock — inserted only if that head is still the head (its row is
        there, none after it); otherwise nothing is written and the entries are linked to the
        head read under the lock, as always."""
        connection = connections[using]
        head = cached_head(connection)
        if head is None and connection.vendor == "postgresql":
            guess = committed_head(connection)
            if guess is not None:
                cls._link_all(entries, guess)
                if cls._insert_if_head(connection, entries, guess):
                    cache_head(connection, (entries[-1].chain_index, entries[-1].entry_hash))
                    return
        cls._link_all(entries, _locked_head(using))
        cls._insert(connection, entries)
        cache_head(connection, (entries[-1].chain_index, entries[-1].entry_hash))

    @staticmethod
    def _link_all(entries: list[AuditEntry], head: tuple[int, str] | None) -> None:
        for entry in entries:
            entry.chain_index, entry.prev_hash = (
                (head[0] + 1, head[1]) if head else (0, GENESIS_HASH)
            )
            payload = entry.prev_hash + entry._content
            entry.entry_hash = hashlib.sha256(payload.encode("utf-8")).hexdigest()
            head = (entry.chain_index, entry.entry_hash)

    @classmethod
    def _params(cls, entries: list[AuditEntry], plan: list) -> list:
        params = []
        for entry in entries:
            values = entry.__dict__
            for attname, prepare, _db_type in plan:
                value = values[attname]
                if value is not None:
                    value = (
                        prepare(value) if prepare is not str or type(value) is not str else value
                    )
                params.append(value)
        return params

    @staticmethod
    def _saved(entries: list[AuditEntry], pks: list[int], using: str) -> None:
        for entry, pk in zip(entries, pks, strict=True):
            entry.pk = pk
            entry._state.adding = False
            entry._state.db = using

    @classmethod
    def _insert(cls, connection, entries: list[AuditEntry]) -> None:
        # A plain multi-row INSERT: the ORM's bulk_create costs more Python than the rest of
        # the audited write together (PostgreSQL: it sends each column as an array to UNNEST).
        plan = cls._insert_plan(connection)
        with connection.cursor() as cursor:
            cursor.execute(
                plan["insert"] + ", ".join([plan["row"]] * len(entries)) + plan["returning"],
                cls._params(entries, plan["columns"]),
            )
            pks = [found[0] for found in cursor.fetchall()]
        cls._saved(entries, pks, connection.alias)

    @classmethod
    def _insert_if_head(cls, connection, entries: list[AuditEntry], head: tuple[int, str]) -> bool:
        """PostgreSQL: take the chain lock, then insert ``entries`` (linked to ``head``) only if
        ``head`` is the chain's head — one call of the server-side function
        ``compliance_audit_append_if_head`` (compliance/append_function.py), one round trip.
        False, with nothing written, when it is not."""
        plan = cls._insert_plan(connection)
        rows = json.dumps(
            [cls._json_row(entry, plan["json_columns"]) for entry in entries],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        with connection.cursor() as cursor:
            cursor.execute(plan["append_if_head"], [head[0], head[1], rows])
            found = {chain_index: pk for pk, chain_index in cursor.fetchall()}
        if not found:
            return False
        try:  # all or nothing: one condition for the whole call
            pks = [found.pop(entry.chain_index) for entry in entries]
        except KeyError:
            pks = None
        if pks is None or found:
            raise DatabaseError("The audit chain's conditional append wrote other rows.")
        cls._saved(entries, pks, connection.alias)
        return True

    @staticmethod
    def _json_row(entry: AuditEntry, json_columns: list) -> dict:
        """One entry as ``jsonb_populate_recordset`` reads it: column → value, each value as the
        column's type parses it back exactly (JSON columns as JSON, times in ISO 8601 with their
        microseconds and offset, addresses as text)."""
        values = entry.__dict__
        row = {}
        for attname, column, kind in json_columns:
            value = values[attname]
            if value is not None:
                if kind == "time":
                    value = value.isoformat()
                elif kind == "text":
                    value = str(value)
                elif kind == "int":
                    value = int(value)
            row[column] = value
        return row

    _plans: dict = {}

    @classmethod
    def _insert_plan(cls, connection) -> dict:
        """The INSERT statements' parts, and per column how its value is made ready: ``str`` for
        text, ``int`` for integers and keys (an IntegerChoices member becomes a plain int), the
        field's own database preparation for the rest (JSON, time, address). Made once per
        database vendor."""
        plan = cls._plans.get(connection.vendor)
        if plan is None:
            fields = [f for f in cls._meta.concrete_fields if not f.primary_key]
            quote = connection.ops.quote_name
            table = quote(cls._meta.db_table)
            column_list = ", ".join(quote(f.column) for f in fields)

            def preparation(field):
                if isinstance(field, models.GenericIPAddressField):
                    return functools.partial(field.get_db_prep_save, connection=connection)
                if isinstance(field, models.CharField | models.TextField):
                    return str
                if isinstance(field, models.IntegerField | models.ForeignKey):
                    return int
                return functools.partial(field.get_db_prep_save, connection=connection)

            columns = [(f.attname, preparation(f), f.db_type(connection)) for f in fields]
            plan = cls._plans[connection.vendor] = {
                "columns": columns,
                "insert": f"INSERT INTO {table} ({column_list}) VALUES ",  # noqa: S608
                "row": "(" + ", ".join(["%s"] * len(fields)) + ")",
                "returning": f" RETURNING {quote(cls._meta.pk.column)}",
                # PostgreSQL's conditional append (compliance/append_function.py): each column
                # with how its value goes into the JSON rows.
                "append_if_head": (
                    f"SELECT out_id, out_index FROM {append_function.NAME}(%s, %s, %s::jsonb)"  # noqa: S608
                ),
                "json_columns": [(f.attname, f.column, _json_kind(f)) for f in fields],
            }
        return plan

    @classmethod
    def append_many(cls, entries: list[AuditEntry], using: str | None = None) -> list[AuditEntry]:
        """Chain and insert several new entries now, with one INSERT (access logging of a list
        page). Each entry's actor must be set (or resolvable); no signals are sent."""
        if not entries:
            return entries
        using = using or router.db_for_write(cls)
        with transaction.atomic(using=using, savepoint=False):
            for entry in entries:
                entry.prepare(using, signals=False)
                defer(entry, using)
            seal(using)
        return entries

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are append-only; see compliance.audit.purge_before.")
