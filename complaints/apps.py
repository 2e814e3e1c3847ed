from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "complaints"
    verbose_name = "Complaints and feedback"

    def ready(self) -> None:
        from cases.registry import SupportKindSpec, registry
        from complaints.admin import ComplaintInline
        from complaints.escalation import escalation_route
        from complaints.models import Complaint
        from complaints.samples import sample_details
        from complaints.serializers import ComplaintSerializer

        registry.register(
            SupportKindSpec(
                slug="complaints",
                label="Complaints and feedback",
                detail_model=Complaint,
                serializer=ComplaintSerializer,
                admin_inline=ComplaintInline,
                sample_details=sample_details,
                escalation_route=escalation_route,
                description="Complaints, formal grievances (42 CFR 482.13) and feedback, with "
                "regulatory acknowledgement and response deadlines kept apart from the SLA.",
            )
        )
