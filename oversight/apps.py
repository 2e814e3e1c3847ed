from django.apps import AppConfig


class OversightConfig(AppConfig):
    """The compliance officers' layer above the domain (docs/architecture/compliance-pages.md):
    their pages under /compliance/ (trail search and export, a patient's accounting of accesses,
    the chain's status), break-the-glass emergency access and its review. The audit kernel it
    reads and writes through is ``compliance`` (docs/architecture/audit.md)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "oversight"
    verbose_name = "Compliance oversight"

    def ready(self) -> None:
        from cases.subjects import via_case
        from compliance.audit import register_audited
        from oversight.models import BreakGlassAccess
        from oversight.policy import check_settings

        check_settings()  # who may break the glass, and how often: refuse to start on nonsense

        # An emergency access is about its case (and so its patient): the patient's accounting of
        # disclosures lists it.
        register_audited(BreakGlassAccess, subject=via_case())
