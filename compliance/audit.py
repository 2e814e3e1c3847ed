"""The audit trail: who the actor of an audited write is, registration of the audited models, the
chain verification, and the retention purge. docs/architecture/audit.md explains the design."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import connections, router, transaction
from django.utils import timezone

MIN_RETENTION_DAYS = 6 * 365

_actor: ContextVar[Any] = ContextVar("patientcare_audit_actor", default=None)


# --- the actor ----------------------------------------------------------------------------------


def current_actor():
    """The actor set by the innermost ``acting_as`` (None outside one)."""
    return _actor.get()


@contextlib.contextmanager
def acting_as(actor) -> Iterator[None]:
    """Audit entries written inside are attributed to ``actor``. Nests and restores the outer
    actor on exit (auditlog's ``set_actor`` does not restore it, and leaks a signal receiver
    when nested inside its middleware's context)."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def audited(func: Callable) -> Callable:
    """Decorator for service functions taking ``actor=``: their writes are audited as that actor."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        actor = kwargs.get("actor")
        if actor is None or not getattr(actor, "pk", None):
            return func(*args, **kwargs)
        with acting_as(actor):
            return func(*args, **kwargs)

    return wrapper


def system_actor():
    """The system account, for writes nobody else is responsible for (commands, migrations' data,
    tasks). Looked up without caching: tests flush the table."""
    from accounts.models import SYSTEM_USERNAME, User
    from accounts.services import system_user

    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    return user if user is not None else system_user()


# --- the subject: which patient and case an entry is about -------------------------------------


def subject_of(instance) -> tuple[int | None, int | None]:
    """(patient pk, case pk) of a record, for the entry's indexed subject columns: a patient is
    its own subject; a case, its patient and itself; anything with a case (events, category
    details, case grants, break-the-glass accesses), that case's. Other records: none."""
    from cases.models import Case, CaseUserObjectPermission, Patient

    if isinstance(instance, Patient):
        return instance.pk, None
    if isinstance(instance, Case):
        return instance.patient_id, instance.pk
    field = "content_object" if isinstance(instance, CaseUserObjectPermission) else "case"
    case_pk = getattr(instance, f"{field}_id", None)
    if case_pk is None:
        return None, None
    # Through the record's own relation, not a second read path: the services pass the case they
    # hold (cached, no query); otherwise it is loaded once and stays cached on the record.
    try:
        case = getattr(instance, field)
    except ObjectDoesNotExist:
        return None, case_pk
    return (case.patient_id if isinstance(case, Case) else None), case_pk


# --- registration -------------------------------------------------------------------------------


def audited_models() -> list[tuple[type, dict[str, Any]]]:
    from django.contrib.auth.models import Group

    from accounts.models import User
    from cases.models import (
        Case,
        CaseEvent,
        CaseUserObjectPermission,
        Patient,
        Queue,
        QueueGroupObjectPermission,
        QueueLanguage,
        QueueUserObjectPermission,
    )
    from cases.registry import registry
    from compliance.models import BreakGlassAccess, ChainVerification
    from partners.models import PartnerOrganisation, ServiceToken

    models: list[tuple[type, dict[str, Any]]] = [
        (Patient, {}),
        (Case, {}),
        (CaseEvent, {}),
        (Queue, {}),
        (QueueLanguage, {}),
        (QueueUserObjectPermission, {}),
        (QueueGroupObjectPermission, {}),
        (CaseUserObjectPermission, {}),
        (User, {"mask_fields": ["password"], "m2m_fields": {"groups", "user_permissions"}}),
        (Group, {"m2m_fields": {"permissions"}}),
        (PartnerOrganisation, {"m2m_fields": {"allowed_categories"}}),
        (ServiceToken, {"include_fields": ServiceToken.AUDITED_FIELDS}),  # never the digest
        (BreakGlassAccess, {}),
        (ChainVerification, {}),  # who verified the trail, when, with what result
    ]
    seen = {model for model, _ in models}
    for spec in registry:
        detail = getattr(spec, "detail_model", None)
        if detail is not None and detail not in seen:
            seen.add(detail)
            models.append((detail, {}))
    return models


def register_audited_models() -> None:
    from auditlog.registry import auditlog

    from compliance.sealing import use_sealing_receivers

    use_sealing_receivers(auditlog)
    for model, options in audited_models():
        register_audited(model, **options)


def register_audited(model, **options) -> None:
    """Put ``model`` in the audit trail (once): every create, change and delete of a row, by
    whom, with the sealing receivers. For apps installed after ``compliance`` (escalations)."""
    from auditlog.registry import auditlog

    if auditlog.contains(model):
        return
    # Reverse relations are not the row's content, and reading a reverse one-to-one (a case's
    # details) costs a query per audited write.
    reverse = [
        field.name
        for field in model._meta.get_fields()
        if field.auto_created and not field.concrete
    ]
    auditlog.register(model, exclude_fields=reverse, **options)


# --- the purge flag the triggers honour ---------------------------------------------------------

SQLITE_PURGE_FLAG_TABLE = "compliance_audit_purge_flag"


@contextlib.contextmanager
def _purge_allowed(using: str) -> Iterator[None]:
    """Inside an atomic block: lets this transaction delete audit rows (the triggers check it)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL patientcare.audit_purge = 'on'")
        else:
            cursor.execute(f"INSERT INTO {SQLITE_PURGE_FLAG_TABLE} (flag) VALUES (1)")  # noqa: S608
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL patientcare.audit_purge = 'off'")
            else:
                cursor.execute(f"DELETE FROM {SQLITE_PURGE_FLAG_TABLE}")  # noqa: S608


def retention_days() -> int:
    return max(
        int(getattr(settings, "AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS)), MIN_RETENTION_DAYS
    )


def purge_before(cutoff: datetime, *, actor) -> int:
    """Delete the audit entries older than ``cutoff`` (a prefix of the chain), after writing a
    checkpoint entry that records the last purged entry, so the rest stays verifiable. Refuses a
    cutoff younger than the retention period. Returns the number of entries deleted."""
    from django.contrib.contenttypes.models import ContentType

    from compliance.models import AuditEntry, forget_cached_head

    oldest_allowed = timezone.now() - timedelta(days=retention_days())
    if cutoff > oldest_allowed:
        raise ValidationError(
            {
                "cutoff": ValidationError(
                    f"Audit entries are kept {retention_days()} days: the cutoff must be on or "
                    f"before {oldest_allowed.isoformat()}.",
                    code="retention",
                )
            }
        )
    if actor is None or not getattr(actor, "pk", None):
        raise ValidationError({"actor": ValidationError("Say who purges.", code="required")})
    using = router.db_for_write(AuditEntry)
    with transaction.atomic(using=using), acting_as(actor):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # hold the chain while choosing what to drop
                from compliance.models import AUDIT_CHAIN_LOCK_KEY

                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK_KEY])
        forget_cached_head(using)
        entries = AuditEntry.objects.using(using)
        last = (
            entries.filter(timestamp__lt=cutoff)
            .order_by("-chain_index")
            .values_list("chain_index", "entry_hash")
            .first()
        )
        if last is None:
            return 0
        purged_through, purged_hash = last
        count = entries.filter(chain_index__lte=purged_through).count()
        AuditEntry(
            content_type=ContentType.objects.db_manager(using).get_for_model(AuditEntry),
            object_pk=str(purged_through),
            object_repr=f"Audit trail purged through entry {purged_through}",
            action=AuditEntry.Action.DELETE,
            actor=actor,
            additional_data={
                "checkpoint": {
                    "purged_through": purged_through,
                    "entry_hash": purged_hash,
                    "purged_count": count,
                    "cutoff": cutoff.isoformat(),
                }
            },
        ).save(using=using)
        with _purge_allowed(using):
            deleted = entries.filter(chain_index__lte=purged_through)._raw_delete(using)
        return deleted


# --- verification -------------------------------------------------------------------------------


@dataclass
class ChainReport:
    checked: int = 0
    broken_at: int | None = None  # chain_index of the first broken entry
    entry_id: int | None = None
    reason: str = ""
    head: tuple[int, str] | None = None

    @property
    def intact(self) -> bool:
        return self.broken_at is None and not self.reason


def _checkpoints(queryset) -> dict[int, str]:
    """purged_through -> entry_hash recorded by the purge checkpoints."""
    found = {}
    for data in queryset.filter(additional_data__has_key="checkpoint").values_list(
        "additional_data", flat=True
    ):
        checkpoint = data.get("checkpoint") or {}
        with contextlib.suppress(KeyError, TypeError, ValueError):
            found[int(checkpoint["purged_through"])] = str(checkpoint["entry_hash"])
    return found


def verify_chain(
    *,
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 10000,
    using: str | None = None,
    anchor: tuple[int, str] | None = None,
) -> ChainReport:
    """Walk the chain in chain_index order and return where it first breaks, if it does. With an
    ``anchor`` (chain_index, entry_hash) exported earlier by audit_anchor, the entry there must
    still exist and still have that hash: this catches a chain truncated at its end or rewritten
    from some point on, which is internally consistent."""
    from compliance.models import GENESIS_HASH, AuditEntry, compute_entry_hash, content_type_label

    using = using or router.db_for_read(AuditEntry)
    queryset = AuditEntry.objects.using(using).order_by("chain_index")
    report = ChainReport()
    previous: tuple[int, str] | None = None
    checkpoints: dict[int, str] | None = None
    anchored = None
    after = -1
    while True:
        batch = list(queryset.filter(chain_index__gt=after)[:batch_size])
        if not batch:
            break
        for entry in batch:
            if previous is None:
                if entry.chain_index == 0:
                    expected_prev = GENESIS_HASH
                else:
                    checkpoints = _checkpoints(queryset) if checkpoints is None else checkpoints
                    expected_prev = checkpoints.get(entry.chain_index - 1)
                    if expected_prev is None:
                        return _broken(
                            report,
                            entry,
                            f"entries before {entry.chain_index} are missing and no purge "
                            "checkpoint accounts for them",
                        )
            else:
                if entry.chain_index != previous[0] + 1:
                    return _broken(
                        report,
                        entry,
                        f"gap: entries {previous[0] + 1}..{entry.chain_index - 1} are missing",
                    )
                expected_prev = previous[1]
            if entry.prev_hash != expected_prev:
                return _broken(report, entry, "prev_hash does not match the previous entry")
            label = content_type_label(entry.content_type_id)
            if compute_entry_hash(entry.prev_hash, entry, label) != entry.entry_hash:
                return _broken(report, entry, "content does not match its hash (altered)")
            previous = (entry.chain_index, entry.entry_hash)
            if anchor is not None and entry.chain_index == anchor[0]:
                anchored = entry
            report.checked += 1
            if progress is not None and report.checked % progress_every == 0:
                progress(report.checked)
        after = batch[-1].chain_index
    report.head = previous
    if anchor is not None:
        if anchored is None:
            report.broken_at = anchor[0]
            report.reason = "the exported head is missing (the newest entries were removed)"
        elif anchored.entry_hash != anchor[1]:
            report.broken_at, report.entry_id = anchor[0], anchored.pk
            report.reason = "its hash differs from the exported head (the chain was rewritten)"
    return report


def _broken(report: ChainReport, entry, reason: str) -> ChainReport:
    report.broken_at = entry.chain_index
    report.entry_id = entry.pk
    report.reason = reason
    return report


def current_head(using: str | None = None) -> dict[str, Any] | None:
    from compliance.models import AuditEntry

    using = using or router.db_for_read(AuditEntry)
    head = (
        AuditEntry.objects.using(using)
        .order_by("-chain_index")
        .values("chain_index", "entry_hash", "timestamp")
        .first()
    )
    if head is None:
        return None
    return {
        "chain_index": head["chain_index"],
        "entry_hash": head["entry_hash"],
        "timestamp": head["timestamp"].isoformat(),
    }


# --- recorded verifications (the compliance pages' chain status) ---------------------------------


def run_recorded_verification(
    *,
    source: str,
    actor,
    progress=None,
    batch_size: int = 2000,
    progress_every: int = 10000,
    anchor: tuple[int, str] | None = None,
):
    """Verify the chain and keep the outcome as a ``ChainVerification`` (started, then finished
    with what was found), so the compliance pages can show when the chain was last checked."""
    from compliance.models import ChainVerification

    if actor is None or not getattr(actor, "pk", None):
        raise ValidationError({"actor": ValidationError("Say who verifies.", code="required")})
    record = ChainVerification.objects.create(
        source=source, requested_by=actor, started_at=timezone.now()
    )
    try:
        report = verify_chain(
            batch_size=batch_size, progress=progress, progress_every=progress_every, anchor=anchor
        )
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
    if report.head is not None:
        record.head_index, record.head_hash = report.head
    record.save()
    return record, report
