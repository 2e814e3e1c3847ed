from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "compliance"
    verbose_name = "Compliance"

    def ready(self) -> None:
        # After the category apps (INSTALLED_APPS order), so their detail models are registered.
        from compliance.audit import register_audited_models

        register_audited_models()
