from django.apps import AppConfig


class PrescriptionRefillsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "prescription_refills"
    verbose_name = "Prescription refills and medication"

    def ready(self) -> None:
        from cases.registry import SupportKindSpec, registry
        from prescription_refills.admin import RefillRequestInline
        from prescription_refills.escalation import escalation_route
        from prescription_refills.models import RefillRequest
        from prescription_refills.samples import sample_details
        from prescription_refills.serializers import RefillRequestSerializer

        registry.register(
            SupportKindSpec(
                slug="refills",
                label="Prescription refills and medication",
                detail_model=RefillRequest,
                serializer=RefillRequestSerializer,
                admin_inline=RefillRequestInline,
                sample_details=sample_details,
                escalation_route=escalation_route,
                description="Refills, transfers, medication cost, questions for a pharmacist.",
            )
        )
