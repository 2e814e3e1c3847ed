"""The audit kernel's API for every app: who the actor of an audited write is (``acting_as``,
``audited``: ``compliance.actor``), the registration of audited models with their subject
(``register_audited``, called by each app's ``AppConfig.ready()``), and the retention purge.
The verification is ``compliance.verify``; docs/architecture/audit.md explains the design."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.utils import timezone

from compliance import append_only
from compliance.actor import acting_as, audited, current_actor, system_actor
from compliance.models import AuditEntry, AuditSeal, ChainVerification
from compliance.sealer import seal_pending
from compliance.subjects import SubjectOf, register_subject

__all__ = [
    "MIN_RETENTION_DAYS",
    "acting_as",
    "audited",
    "current_actor",
    "purge_before",
    "register_audited",
    "register_kernel_models",
    "retention_days",
    "system_actor",
]

MIN_RETENTION_DAYS = 6 * 365

# --- registration -------------------------------------------------------------------------------


def register_kernel_models() -> None:
    """What the kernel audits itself: the user model and groups (who may do what: Django's, not a
    domain's), and the runs of the chain verification. Every other app registers its own models
    with ``register_audited`` in its ``AppConfig.ready()``."""
    from django.apps import apps as django_apps
    from django.contrib.auth.models import Group

    user_model = django_apps.get_model(settings.AUTH_USER_MODEL)
    register_audited(
        user_model, mask_fields=["password"], m2m_fields={"groups", "user_permissions"}
    )
    register_audited(Group, m2m_fields={"permissions"})
    register_audited(ChainVerification)  # who verified the trail, when, with what result


def register_audited(model, *, subject: SubjectOf | None = None, **options) -> None:
    """Put ``model`` in the audit trail (once): every create, change and delete of a row, by
    whom, by auditlog's own receivers (``options`` are auditlog's: ``include_fields``,
    ``mask_fields``, ``m2m_fields``…). ``subject``: which patient and case a row is about
    (``register_subject``). Called by each app's ``AppConfig.ready()``; apps come after the
    kernel in ``INSTALLED_APPS``, so the PCI boundary's receivers run before auditlog's."""
    from auditlog.registry import auditlog

    if subject is not None:
        register_subject(model, subject)
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
