"""The audit entries' manager: auditlog's, plus the subject (patient and case) of every entry it
writes, with entries left pending until the atomic block ends (``compliance.sealing``)."""

from __future__ import annotations

from auditlog.models import LogEntryManager
from django.db import router

from compliance.sealing import defer, seal


class AuditEntryManager(LogEntryManager):
    """auditlog's manager, plus the subject (patient and case) of every entry it writes.

    ``create`` (what auditlog's receivers call) completes the entry and leaves it pending until
    the atomic block ends (``compliance.sealing``); every query through the manager seals what
    is pending first, so a transaction always reads its own entries."""

    def get_queryset(self):
        seal(self._db or router.db_for_read(self.model))
        return super().get_queryset()

    def create(self, **kwargs):
        using = self._db or router.db_for_write(self.model)
        entry = self.model(**kwargs)
        entry.prepare(using)
        defer(entry, using)
        return entry

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
