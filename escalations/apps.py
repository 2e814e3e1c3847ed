from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    """Clinical escalation pathways, SBAR handoffs, red flags and their timers
    (docs/architecture/escalations.md)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "escalations"
    verbose_name = "Clinical escalations"

    def ready(self) -> None:
        from cases.events import case_hooks
        from compliance.audit import register_audited
        from escalations.detection import on_case_event
        from escalations.models import Escalation, EscalationPathway, RedFlagPhrase

        # Red flags, clinical refills and privacy complaints are detected inside the service
        # transaction that records the patient's words: the escalation commits with them.
        case_hooks.subscribe(on_case_event)
        for model in (Escalation, EscalationPathway, RedFlagPhrase):
            register_audited(model)
