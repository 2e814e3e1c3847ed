"""The audit trail's hash chain (docs/architecture/audit.md): the genesis hash, the sealer's lock
key, the canonical JSON an entry's hash covers and the hash itself, and the inserting
transaction's id each entry records."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.db import models
from django.db.models.functions import Cast

GENESIS_HASH = "0" * 64
# pg_advisory_xact_lock key the sealer (and the purge) hold ("PCAUDIT1" as an integer). Writers of
# entries never take it.
AUDIT_CHAIN_LOCK_KEY = 0x5043415544495431

# The entry columns the hash covers, in the order ``canonical_json`` takes them.
HASHED_FIELDS = (
    "content_type_id",
    "object_pk",
    "object_repr",
    "action",
    "changes",
    "actor_id",
    "remote_addr",
    "timestamp",
    "additional_data",
    "cid",
    "patient_pk",
    "case_pk",
)


class CurrentTransactionId(models.Func):
    """The column default of ``AuditEntry.xact_id``: on PostgreSQL the id of the inserting
    transaction (``pg_current_xact_id()``, a 64-bit id that never wraps); elsewhere 0 (SQLite has
    one writer at a time, so the order of insertion is the order of commit)."""

    output_field = models.BigIntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        return "0", []

    def as_postgresql(self, compiler, connection, **extra_context):
        return "(pg_current_xact_id()::text::bigint)", []


def _clean_address(remote_addr: str | None) -> str | None:
    if remote_addr and ":" in remote_addr:
        from django.utils.ipv6 import clean_ipv6_address

        return clean_ipv6_address(remote_addr)
    return remote_addr or None


# The JSON columns among them: read as text and decoded here (``stored_values``), which is several
# times faster than the JSON field's own conversion row by row.
_JSON_POSITIONS = (HASHED_FIELDS.index("changes"), HASHED_FIELDS.index("additional_data"))


def hashed_columns(prefix: str = "") -> list:
    """What ``values_list`` reads for ``canonical_json`` (``prefix``: a relation to the entry,
    such as ``"entry__"``); the row's values go through ``stored_values`` first."""
    columns: list = [f"{prefix}{name}" for name in HASHED_FIELDS]
    for position in _JSON_POSITIONS:
        columns[position] = Cast(columns[position], models.TextField())
    return columns


def stored_values(values) -> list:
    """A row read with ``hashed_columns``, its JSON columns decoded."""
    values = list(values)
    for position in _JSON_POSITIONS:
        text = values[position]
        values[position] = None if text is None else _decode(text)
    return values


_decode = json.JSONDecoder().decode
# One encoder for every entry (``json.dumps`` with options makes a new one per call).
_encode = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
).encode


def canonical_json(values: tuple | list, content_type_label: str) -> str:
    """The canonical JSON (sorted keys, no spaces, UTC time) of what an entry's hash covers, from
    the entry's stored values in ``HASHED_FIELDS`` order."""
    (
        _ct,
        object_pk,
        object_repr,
        action,
        changes,
        actor_id,
        remote_addr,
        timestamp,
        additional_data,
        cid,
        patient_pk,
        case_pk,
    ) = values
    content: dict[str, Any] = {
        "content_type": content_type_label,
        "object_pk": str(object_pk),
        "object_repr": object_repr,
        "action": int(action),
        "changes": changes,
        "actor_id": actor_id,
        "remote_addr": _clean_address(remote_addr),
        "timestamp": (
            timestamp if timestamp.tzinfo is UTC else timestamp.astimezone(UTC)
        ).isoformat()
        if isinstance(timestamp, datetime)
        else None,
        "additional_data": additional_data,
        "cid": cid or None,
    }
    # The subject columns joined the hash with access logging; entries without a subject hash as
    # before, so older trails still verify.
    if patient_pk is not None:
        content["patient_pk"] = patient_pk
    if case_pk is not None:
        content["case_pk"] = case_pk
    return _encode(content)


def chain_hash(prev_hash: str, content: str) -> str:
    """``entry_hash`` = sha256(previous entry's hash + canonical JSON)."""
    return hashlib.sha256((prev_hash + content).encode("utf-8")).hexdigest()


def canonical_content(entry, content_type_label: str) -> str:
    """``canonical_json`` of an entry instance."""
    return canonical_json([getattr(entry, name) for name in HASHED_FIELDS], content_type_label)


def compute_entry_hash(prev_hash: str, entry, content_type_label: str) -> str:
    return chain_hash(prev_hash, canonical_content(entry, content_type_label))


def content_type_label(content_type_id: int) -> str:
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_id(content_type_id)
    return f"{content_type.app_label}.{content_type.model}"
