"""The audit entries' manager: auditlog's, plus the subject (patient and case) of every entry it
writes."""

from __future__ import annotations

from auditlog.models import LogEntryManager

from compliance.subjects import subject_of


class AuditEntryManager(LogEntryManager):
    """auditlog's manager, plus the subject (patient and case) of every entry it writes. Its
    receivers call ``log_create`` / ``log_m2m_changes``, which end in ``create``: a plain INSERT
    through ``AuditEntry.save`` (which completes the actor and redacts card data)."""

    def log_create(self, instance, force_log: bool = False, **kwargs):
        patient_pk, case_pk = subject_of(instance)
        kwargs.setdefault("patient_pk", patient_pk)
        kwargs.setdefault("case_pk", case_pk)
        return super().log_create(instance, force_log=force_log, **kwargs)

    def log_m2m_changes(self, changed_queryset, instance, operation, field_name, **kwargs):
        patient_pk, case_pk = subject_of(instance)
        kwargs.setdefault("patient_pk", patient_pk)
        kwargs.setdefault("case_pk", case_pk)
        return super().log_m2m_changes(changed_queryset, instance, operation, field_name, **kwargs)
