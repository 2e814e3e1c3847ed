from django.contrib import admin

from prescription_refills.models import RefillRequest


class RefillRequestInline(admin.StackedInline):
    """Shown on a refill case's page; read-only like the rest of the case record."""

    model = RefillRequest
    can_delete = False
    extra = 0
    max_num = 1
    fields = RefillRequest.input_fields()
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
