from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The agents' console: live queue pages and the WebSocket consumer that keeps them current
    (docs/architecture/live-queue.md)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "console"
    verbose_name = "Agent console"
