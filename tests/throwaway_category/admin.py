from django.contrib import admin

from tests.throwaway_category.models import DentalBenefitInquiry


class DentalBenefitInquiryInline(admin.StackedInline):
    """Shown on a dental-benefits case's page, read-only like the billing inline."""

    model = DentalBenefitInquiry
    can_delete = False
    extra = 0
    max_num = 1
    fields = DentalBenefitInquiry.input_fields()
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
