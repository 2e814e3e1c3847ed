from django.contrib import admin

from cases.admin.detail_inline import DetailInline
from complaints.models import Complaint, Department, GrievancePeriod


class ComplaintInline(DetailInline):
    """The complaint on the case's page, read-only (the deadlines, acknowledgement, response and
    overdue marks are written by the system and its services)."""

    model = Complaint
    extra_fields = (
        "acknowledgement_due_at",
        "acknowledged_at",
        "acknowledgement_overdue_at",
        "response_due_at",
        "responded_at",
        "response_overdue_at",
        "outcome",
        "outcome_summary",
    )


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
