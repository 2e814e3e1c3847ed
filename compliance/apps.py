from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "compliance"
    verbose_name = "Compliance"

    def ready(self) -> None:
        # After the category apps (INSTALLED_APPS order), so their detail models are registered.
        from compliance import boundary, checks, logs  # noqa: F401  (checks registers itself)
        from compliance.audit import register_audited_models

        # PCI DSS 3.4 (docs/architecture/pci.md): before auditlog's receivers, so that its diff
        # already sees redacted values.
        boundary.connect()
        logs.install()
        register_audited_models()
