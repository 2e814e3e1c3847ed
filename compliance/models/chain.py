"""The audit trail's hash chain (docs/architecture/audit.md): the genesis hash, the append lock's
key, the canonical JSON an entry's hash covers and the hash itself, and forgetting the cached
chain head."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import TYPE_CHECKING

from django.db import connections

from compliance.sealing import cache_head

if TYPE_CHECKING:
    from compliance.models.audit_entry import AuditEntry

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


def forget_cached_head(using: str = "default") -> None:
    """Make the next seal read the head from the table again (the purge does, before its
    checkpoint; tests that rewrite the chain behind the model's back must)."""
    cache_head(connections[using], None)
