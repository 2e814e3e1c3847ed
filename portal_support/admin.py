from django.contrib import admin

from portal_support.models import PortalIssue


class PortalIssueInline(admin.StackedInline):
    """Shown on a portal case's page; read-only like the rest of the case record."""

    model = PortalIssue
    can_delete = False
    extra = 0
    max_num = 1
    fields = PortalIssue.input_fields()
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
