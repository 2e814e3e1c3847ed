from django.apps import AppConfig


class InsuranceCoverageConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "insurance_coverage"
    verbose_name = "Insurance and coverage"

    def ready(self) -> None:
        from cases.registry import SupportKindSpec, registry
        from insurance_coverage.admin import InsuranceInquiryInline
        from insurance_coverage.models import InsuranceInquiry
        from insurance_coverage.samples import sample_details
        from insurance_coverage.serializers import InsuranceInquirySerializer

        registry.register(
            SupportKindSpec(
                slug="insurance",
                label="Insurance and coverage",
                detail_model=InsuranceInquiry,
                serializer=InsuranceInquirySerializer,
                admin_inline=InsuranceInquiryInline,
                sample_details=sample_details,
                description="Eligibility, claim status, prior authorisation, network, benefits.",
            )
        )
