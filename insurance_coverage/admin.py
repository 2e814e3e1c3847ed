from django.contrib import admin

from insurance_coverage.models import InsuranceInquiry


class InsuranceInquiryInline(admin.StackedInline):
    """Shown on an insurance case's page; read-only like the rest of the case record."""

    model = InsuranceInquiry
    can_delete = False
    extra = 0
    max_num = 1
    fields = InsuranceInquiry.input_fields()
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
