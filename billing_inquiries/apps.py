from django.apps import AppConfig


class BillingInquiriesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "billing_inquiries"
    verbose_name = "Billing and financial"

    def ready(self) -> None:
        from billing_inquiries.admin import BillingInquiryInline
        from billing_inquiries.models import BillingInquiry
        from billing_inquiries.samples import sample_details
        from billing_inquiries.serializers import BillingInquirySerializer
        from cases.registry import SupportKindSpec, registry

        registry.register(
            SupportKindSpec(
                slug="billing",
                label="Billing and financial",
                detail_model=BillingInquiry,
                serializer=BillingInquirySerializer,
                admin_inline=BillingInquiryInline,
                sample_details=sample_details,
                description="Statements, charges, payment plans, financial assistance, estimates.",
            )
        )
