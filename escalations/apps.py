from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    """Clinical escalation pathways, SBAR handoffs, red flags and their timers
    (docs/architecture/escalations.md)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "escalations"
    verbose_name = "Clinical escalations"

    def ready(self) -> None:
        from cases.events import case_hooks
        from cases.subjects import via_case
        from complaints.events import alert_routes
        from compliance.audit import register_audited
        from escalations.closing import on_case_closed
        from escalations.complaint_alerts import privacy_officer_queues
        from escalations.detection import on_case_event
        from escalations.models import Escalation, EscalationPathway, RedFlagPhrase

        # Red flags, clinical refills and privacy complaints are detected inside the service
        # transaction that records the patient's words: the escalation commits with them (after
        # the webhook outbox has recorded the change: the declared order, cases.events.CaseHooks).
        case_hooks.subscribe(on_case_event, order=200)
        # Closing a case cancels its unresolved escalations, in the closing transaction.
        case_hooks.subscribe(on_case_closed, order=300)
        # A privacy complaint's overdue alerts also reach the privacy officer's queue.
        alert_routes.subscribe(privacy_officer_queues)
        register_audited(Escalation, subject=via_case())
        register_audited(EscalationPathway)
        register_audited(RedFlagPhrase)
