from django.apps import AppConfig


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        """The cases app's records in the audit trail, each with its subject (``cases.subjects``).
        Category detail models are registered by ``cases.registry`` when their kind is."""
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
        from cases.subjects import of_case, of_patient, via_case
        from compliance.audit import register_audited

        register_audited(Patient, subject=of_patient)
        register_audited(Case, subject=of_case)
        register_audited(CaseEvent, subject=via_case())
        register_audited(Queue)
        register_audited(QueueLanguage)
        register_audited(QueueUserObjectPermission)
        register_audited(QueueGroupObjectPermission)
        # A grant on a case (guardian's object permission) is about that case.
        register_audited(CaseUserObjectPermission, subject=via_case("content_object"))
        # The access scope's receivers: a grant or a group change drops cached scopes.
        import cases.access_scope  # noqa: F401
