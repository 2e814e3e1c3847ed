from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Outbound webhooks to partner organisations (docs/architecture/partner-api.md)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = "Webhooks"
