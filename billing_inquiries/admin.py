from django.contrib import admin

from billing_inquiries.models import BillingInquiry


class BillingInquiryInline(admin.StackedInline):
    """Shown on a billing case's page; read-only like the rest of the case record."""

    model = BillingInquiry
    can_delete = False
    extra = 0
    max_num = 1
    fields = BillingInquiry.input_fields()
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
