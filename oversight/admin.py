from auditlog.admin import LogEntryAdmin
from django.contrib import admin
from django.core.exceptions import ValidationError

from accounts.permissions import RolePermissionsAdminMixin
from compliance.models import AuditEntry
from oversight import services
from oversight.forms import BreakGlassReviewForm
from oversight.models import BreakGlassAccess


class AwaitingReviewFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("awaiting", "Awaiting review"), ("done", "Reviewed")]

    def queryset(self, request, queryset):
        if self.value() == "awaiting":
            return queryset.awaiting_review()
        if self.value() == "done":
            return queryset.filter(reviewed_at__isnull=False)
        return queryset


@admin.register(BreakGlassAccess)
class BreakGlassAccessAdmin(RolePermissionsAdminMixin, admin.ModelAdmin):
    """The compliance review list: every emergency access, newest first; a reviewer signs each
    off through ``break_glass_review``. The reasons are PHI: a superuser needs the role too."""

    form = BreakGlassReviewForm
    list_display = ("granted_at", "user", "case", "expires_at", "review_outcome", "reviewed_by")
    list_filter = (AwaitingReviewFilter, "review_outcome")
    list_select_related = ("user", "case", "reviewed_by")
    search_fields = ("=case__reference", "user__username")
    readonly_fields = (
        "user",
        "case",
        "reason",
        "granted_at",
        "expires_at",
        "reviewed_by",
        "reviewed_at",
    )
    fieldsets = (
        ("Access", {"fields": ("user", "case", "reason", "granted_at", "expires_at")}),
        ("Review", {"fields": ("review_outcome", "review_notes", "reviewed_by", "reviewed_at")}),
    )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.reviewed_at is not None:
            return [*self.readonly_fields, "review_outcome", "review_notes"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        try:
            services.break_glass_review(
                actor=request.user,
                access=obj,
                outcome=form.cleaned_data["review_outcome"],
                notes=form.cleaned_data.get("review_notes", ""),
            )
        except ValidationError as error:  # reported, the record is left as it was
            self.message_user(request, "; ".join(error.messages), level="error")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The audit trail in the admin (django-auditlog's own LogEntryAdmin, registered by auditlog for
# the swapped model): it holds PHI, so a superuser needs the Compliance officer's permissions to
# read it there too (issue 17).
if admin.site.is_registered(AuditEntry):
    admin.site.unregister(AuditEntry)


@admin.register(AuditEntry)
class AuditEntryAdmin(RolePermissionsAdminMixin, LogEntryAdmin):
    pass
