from django.contrib import admin

from care_navigation.models import NavigationRequest


class NavigationRequestInline(admin.StackedInline):
    """Shown on a care navigation case's page; read-only like the rest of the case record."""

    model = NavigationRequest
    can_delete = False
    extra = 0
    max_num = 1
    fields = NavigationRequest.input_fields()
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
