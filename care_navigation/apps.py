from django.apps import AppConfig


class CareNavigationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "care_navigation"
    verbose_name = "Care coordination and navigation"

    def ready(self) -> None:
        from care_navigation.admin import NavigationRequestInline
        from care_navigation.models import NavigationRequest
        from care_navigation.samples import sample_details
        from care_navigation.serializers import NavigationRequestSerializer
        from cases.registry import SupportKindSpec, registry

        registry.register(
            SupportKindSpec(
                slug="care_navigation",
                label="Care coordination and navigation",
                detail_model=NavigationRequest,
                serializer=NavigationRequestSerializer,
                admin_inline=NavigationRequestInline,
                sample_details=sample_details,
                description="Referrals, specialists, next steps, community resources, scheduling.",
            )
        )
