from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST edge, /api/v1/ (docs/architecture/partner-api.md)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "REST API"
