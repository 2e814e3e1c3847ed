from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    """The audit kernel (docs/architecture/audit.md): audit entries and their registration, the
    sealer and the chain, verification and signed anchors, access logging of reads, PCI
    redaction and the storage boundary. It imports no domain app: each app registers its audited
    models and their subject in its own ``ready()``. The compliance officers' pages and
    break-the-glass are the ``oversight`` app, above the domain."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "compliance"
    verbose_name = "Compliance (audit kernel)"

    def ready(self) -> None:
        # Before every domain app (INSTALLED_APPS order): their models are registered with
        # auditlog in their own ready(), after the boundary is connected here.
        from compliance import (  # noqa: F401  (checks registers itself)
            auth_log,
            boundary,
            checks,
            logs,
        )
        from compliance.audit import register_kernel_models

        # PCI DSS 3.4 (docs/architecture/pci.md): before auditlog's receivers, so that its diff
        # already sees redacted values.
        boundary.connect()
        logs.install()
        register_kernel_models()
        auth_log.connect()  # logins, logouts, failed logins and lockouts
