from django.apps import AppConfig

SLUG = "dental_benefits"
LABEL = "Dental benefits (test)"


class ThrowawayCategoryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tests.throwaway_category"
    label = "throwaway_category"
    verbose_name = "Dental benefits (test only)"

    def ready(self) -> None:
        from cases.registry import SupportKindSpec, registry
        from tests.throwaway_category.admin import DentalBenefitInquiryInline
        from tests.throwaway_category.models import DentalBenefitInquiry
        from tests.throwaway_category.serializers import DentalBenefitInquirySerializer

        registry.register(
            SupportKindSpec(
                slug=SLUG,
                label=LABEL,
                detail_model=DentalBenefitInquiry,
                serializer=DentalBenefitInquirySerializer,
                admin_inline=DentalBenefitInquiryInline,
                description="Dental plan questions (a test-only kind).",
            )
        )
