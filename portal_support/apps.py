from django.apps import AppConfig


class PortalSupportConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portal_support"
    verbose_name = "Patient portal and technology"

    def ready(self) -> None:
        from cases.registry import SupportKindSpec, registry
        from portal_support.admin import PortalIssueInline
        from portal_support.models import PortalIssue
        from portal_support.samples import sample_details
        from portal_support.serializers import PortalIssueSerializer

        registry.register(
            SupportKindSpec(
                slug="portal",
                label="Patient portal and technology",
                detail_model=PortalIssue,
                serializer=PortalIssueSerializer,
                admin_inline=PortalIssueInline,
                sample_details=sample_details,
                description="Login, password resets, locked accounts, telehealth, proxy access.",
            )
        )
