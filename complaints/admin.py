from django.contrib import admin

from complaints.models import Complaint, Department, GrievancePeriod


class ComplaintInline(admin.StackedInline):
    """Shown on a complaint case's page; read-only like the rest of the case record (the
    deadlines, acknowledgement and response are written by the system and its services)."""

    model = Complaint
    can_delete = False
    extra = 0
    max_num = 1
    fields = [
        *Complaint.input_fields(),
        "acknowledgement_due_at",
        "acknowledged_at",
        "response_due_at",
        "responded_at",
        "outcome",
        "outcome_summary",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "active", "updated_at")
    list_filter = ("active",)
    search_fields = ("name",)
    ordering = ("name",)


@admin.register(GrievancePeriod)
class GrievancePeriodAdmin(admin.ModelAdmin):
    """The regulatory periods, in calendar days. A change applies to complaints opened afterwards;
    open complaints keep their deadlines."""

    list_display = ("applies_to", "acknowledgement_days", "response_days", "updated_at")
    search_fields = ("applies_to",)
    ordering = ("applies_to",)
