"""Verifying the audit chain (docs/architecture/audit.md, "Verifying"): walk the seals in chain
order, recompute each entry's hash from what is stored, and compare the head with the latest
signed anchor kept outside the database."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connections, router
from django.db.models import Q
from django.utils import timezone

from compliance.anchor import AnchorError, latest_anchor
from compliance.models import AuditEntry, AuditSeal, ChainVerification
from compliance.models.chain import (
    GENESIS_HASH,
    canonical_json,
    chain_hash,
    content_type_label,
    hashed_columns,
    stored_values,
)

# Seal columns, then the entry's own, as one query reads them.
_COLUMNS = (
    "chain_index",
    "prev_hash",
    "entry_hash",
    "entry_id",
    "entry__xact_id",
)


@dataclass
class ChainReport:
    checked: int = 0
    broken_at: int | None = None  # chain_index of the first broken entry
    entry_id: int | None = None
    reason: str = ""
    head: tuple[int, str] | None = None
    unsealed: int = 0
    anchor: str = ""  # what the chain was compared with, in words

    @property
    def intact(self) -> bool:
        return self.broken_at is None and not self.reason


def _checkpoints(using: str) -> dict[int, str]:
    """purged_through -> entry_hash recorded by the purge checkpoints."""

    found = {}
    for data in (
        AuditEntry.objects.using(using)
        .filter(additional_data__has_key="checkpoint")
        .values_list("additional_data", flat=True)
    ):
        checkpoint = (data or {}).get("checkpoint") or {}
        try:
            found[int(checkpoint["purged_through"])] = str(checkpoint["entry_hash"])
        except (KeyError, TypeError, ValueError):
            continue
    return found


def _broken(report: ChainReport, index: int | None, entry_id: int | None, reason: str):
    report.broken_at, report.entry_id, report.reason = index, entry_id, reason
    return report


def verify_chain(
    *,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 10000,
    using: str | None = None,
    anchor: tuple[int, str] | None = None,
) -> ChainReport:
    """Walk the chain in chain_index order and return where it first breaks, if it does: altered
    content (hash mismatch), a deleted entry or seal (gap), a reordered or rewritten chain
    (prev_hash mismatch, or entries out of their sealing order), a missing prefix no purge
    checkpoint accounts for, an entry left out of the chain behind the head. With an ``anchor``
    (chain_index, entry_hash) signed earlier, that seal must still exist with that hash: this
    catches a chain truncated at its end or rewritten from some point on, which is internally
    consistent."""

    using = using or router.db_for_read(AuditSeal)
    report = ChainReport()
    report.unsealed = AuditEntry.objects.using(using).filter(seal__isnull=True).count()
    seals = AuditSeal.objects.using(using).order_by("chain_index")
    previous: tuple[int, str] | None = None
    order: tuple[int, int] | None = None  # the last entry's (xact_id, id)
    anchored: tuple[int, str] | None = None
    labels: dict[int, str] = {}
    for batch in _batches(seals, batch_size, connections[using]):
        for row in batch:
            index, prev_hash, entry_hash, entry_id, xact_id = row[:5]
            values = stored_values(row[5:])
            if previous is None:
                expected = GENESIS_HASH if index == 0 else _checkpoints(using).get(index - 1)
                if expected is None:
                    return _broken(
                        report,
                        index,
                        entry_id,
                        f"entries before {index} are missing and no purge checkpoint accounts "
                        "for them",
                    )
            else:
                if index != previous[0] + 1:
                    return _broken(
                        report,
                        index,
                        entry_id,
                        f"gap: entries {previous[0] + 1}..{index - 1} are missing",
                    )
                expected = previous[1]
            if prev_hash != expected:
                return _broken(
                    report, index, entry_id, "prev_hash does not match the previous entry"
                )
            if order is not None and (xact_id, entry_id) <= order:
                return _broken(report, index, entry_id, "out of sealing order (reordered)")
            label = labels.get(values[0])
            if label is None:
                label = labels[values[0]] = content_type_label(values[0])
            if chain_hash(prev_hash, canonical_json(values, label)) != entry_hash:
                return _broken(report, index, entry_id, "content does not match its hash (altered)")
            previous, order = (index, entry_hash), (xact_id, entry_id)
            if anchor is not None and index == anchor[0]:
                anchored = (index, entry_hash)
            report.checked += 1
            if progress is not None and report.checked % progress_every == 0:
                progress(report.checked)
    report.head = previous
    if order is not None:
        skipped = (
            AuditEntry.objects.using(using)
            .filter(seal__isnull=True, xact_id__lte=order[0])
            .filter(Q(xact_id__lt=order[0]) | Q(id__lt=order[1]))
            .order_by("xact_id", "id")
            .values_list("id", flat=True)
            .first()
        )
        if skipped is not None:
            return _broken(
                report,
                None,
                skipped,
                f"entry id {skipped} is missing from the chain, which goes on after it (its "
                "seal was removed)",
            )
    if anchor is not None:
        if anchored is None:
            return _broken(
                report,
                anchor[0],
                None,
                "the anchored head is missing (the newest entries were removed)",
            )
        if anchored[1] != anchor[1]:
            entry = seals.filter(chain_index=anchor[0]).values_list("entry_id", flat=True).first()
            return _broken(
                report,
                anchor[0],
                entry,
                "its hash differs from the anchored head (the chain was rewritten)",
            )
    return report


def _batches(seals, size: int, connection) -> Iterator[list]:
    """The seals with their entries' hashed values, in chain order, ``size`` at a time (keyset:
    no long transaction, no server-side cursor). On PostgreSQL without parallel workers for the
    session meanwhile: starting them for each batch cost more than they saved
    (bench/audit_seal.py)."""
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        with connection.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 0")
    try:
        after = -1
        while True:
            batch = list(
                seals.filter(chain_index__gt=after).values_list(
                    *_COLUMNS, *hashed_columns("entry__")
                )[:size]
            )
            if not batch:
                return
            yield batch
            after = batch[-1][0]
    finally:
        if postgresql:
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("RESET max_parallel_workers_per_gather")


def current_head(using: str | None = None) -> dict[str, Any] | None:

    using = using or router.db_for_read(AuditSeal)
    head = (
        AuditSeal.objects.using(using)
        .order_by("-chain_index")
        .values("chain_index", "entry_hash", "entry__timestamp")
        .first()
    )
    if head is None:
        return None
    return {
        "chain_index": head["chain_index"],
        "entry_hash": head["entry_hash"],
        "timestamp": head["entry__timestamp"].isoformat(),
    }


# --- recorded verifications (the compliance pages' chain status) ---------------------------------


def run_recorded_verification(
    *,
    source: str,
    actor,
    progress=None,
    batch_size: int = 5000,
    progress_every: int = 10000,
    anchor_file=None,
):
    """Verify the chain against the latest signed anchor (``AUDIT_ANCHOR_FILE``, or
    ``anchor_file``) and keep the outcome as a ``ChainVerification`` (started, then finished with
    what was found, and which anchor it was compared with), so the compliance pages can show when
    the chain was last checked."""

    if actor is None or not getattr(actor, "pk", None):
        raise ValidationError({"actor": ValidationError("Say who verifies.", code="required")})
    record = ChainVerification.objects.create(
        source=source, requested_by=actor, started_at=timezone.now()
    )
    try:
        problem = ""
        try:
            found = latest_anchor(anchor_file)
        except AnchorError as exc:
            found, problem = None, str(exc)
        report = verify_chain(
            batch_size=batch_size,
            progress=progress,
            progress_every=progress_every,
            anchor=(found.chain_index, found.entry_hash) if found else None,
        )
        if found is not None:
            report.anchor = f"compared with {found.describe()}"
        elif problem:
            report.anchor = f"not compared: {problem}"
            if report.intact:
                report.reason = f"{problem}: the anchors kept outside the database were altered"
        else:
            report.anchor = "no signed anchor yet: not compared"
    except Exception as exc:
        record.finished_at = timezone.now()
        record.intact = False
        record.reason = f"verification failed to run: {type(exc).__name__}"
        record.save()
        raise
    record.finished_at = timezone.now()
    record.checked = report.checked
    record.intact = report.intact
    record.broken_at = report.broken_at
    record.broken_entry_id = report.entry_id
    record.reason = report.reason
    record.unsealed = report.unsealed
    record.anchor = report.anchor[:300]
    if report.head is not None:
        record.head_index, record.head_hash = report.head
    record.save()
    return record, report
