from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Outbound webhooks to partner organisations (docs/architecture/partner-api.md)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from cases.events import case_hooks
        from webhooks.models import WebhookEndpoint
        from webhooks.outbox import on_case_event

        # The outbox rows are written inside the case services' transactions, first of the case
        # hooks: the change itself is recorded before anything it causes (cases.events.CaseHooks).
        case_hooks.subscribe(on_case_event, order=100)
        # Where PHI goes is audited like the organisation itself; the secrets never enter the
        # trail (auditlog's masking would keep half of them), their rotation time does.
        if not auditlog.contains(WebhookEndpoint):
            auditlog.register(
                WebhookEndpoint, exclude_fields=["secret", "previous_secret", "messages"]
            )
