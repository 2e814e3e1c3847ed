"""The audit trail: who the actor of an audited write is, registration of the audited models, and
the retention purge (the verification is in ``compliance.verify``). docs/architecture/audit.md
explains the design."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from contextvars import ContextVar
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
    for model, options in audited_models():
        register_audited(model, **options)


def register_audited(model, **options) -> None:
    """Put ``model`` in the audit trail (once): every create, change and delete of a row, by
    whom, by auditlog's own receivers. For apps installed after ``compliance`` (escalations)."""
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


# --- the retention purge (manage.py audit_purge, as the audit tables' owner) ----------------


def retention_days() -> int:
    return max(
        int(getattr(settings, "AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS)), MIN_RETENTION_DAYS
    )


def purge_before(cutoff: datetime, *, actor) -> int:
    """Delete the audit entries older than ``cutoff`` (a prefix of the chain), after writing a
    checkpoint entry that records the last purged entry, so the rest stays verifiable. Refuses a
    cutoff younger than the retention period. Returns the number of entries deleted."""
    from django.contrib.contenttypes.models import ContentType

    from compliance import append_only
    from compliance.models import AuditEntry, AuditSeal
    from compliance.sealer import seal_pending

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
        # The sealer's lock: everything committed is sealed first, and nothing is sealed while
        # the prefix is chosen and removed.
        seal_pending(using=using)
        last = (
            AuditSeal.objects.using(using)
            .filter(entry__timestamp__lt=cutoff)
            .order_by("-chain_index")
            .values_list("chain_index", "entry_hash", "entry__xact_id", "entry_id")
            .first()
        )
        if last is None:
            return 0
        purged_through, purged_hash, xact_id, entry_id = last
        count = AuditSeal.objects.using(using).filter(chain_index__lte=purged_through).count()
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
        entries = connection.ops.quote_name(AuditEntry._meta.db_table)
        seals = connection.ops.quote_name(AuditSeal._meta.db_table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # no trigger event pending at ALTER TABLE
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with append_only.suspended(connection), connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {seals} WHERE chain_index <= %s",  # noqa: S608
                [purged_through],
            )
            # The entries of those seals: everything up to the last one in sealing order.
            cursor.execute(
                f"DELETE FROM {entries} WHERE xact_id <= %s "  # noqa: S608
                "AND (xact_id < %s OR id <= %s)",
                [xact_id, xact_id, entry_id],
            )
            deleted = cursor.rowcount
        return deleted


# --- verification (compliance.verify) -----------------------------------------------------------

from compliance.verify import (  # noqa: E402  (the names callers import from here)
    ChainReport,
    current_head,
    run_recorded_verification,
    verify_chain,
)

__all__ = ["ChainReport", "current_head", "run_recorded_verification", "verify_chain"]
