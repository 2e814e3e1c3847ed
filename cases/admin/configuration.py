"""Admin for configuration: queues, categories, routing rules, business calendars, SLA policies.

These are edited directly by administrators (they are settings, not records of patient work).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db.models import Count, Q

from cases.models import (
    SUPERVISE_QUEUE,
    WORK_QUEUE,
    BusinessCalendar,
    BusinessHours,
    Category,
    Holiday,
    Queue,
    QueueGroupObjectPermission,
    QueueKind,
    QueueLanguage,
    QueueUserObjectPermission,
    RoutingRule,
    SlaPolicy,
)
from cases.registry import registry
from cases.workflow import OPEN_STATUSES


class QueueLanguageInline(admin.TabularInline):
    model = QueueLanguage
    extra = 1
    verbose_name = "language served"


class _QueuePermissionInline(admin.TabularInline):
    extra = 0
    fields = ("permission",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "permission":
            kwargs["queryset"] = Permission.objects.filter(
                content_type__app_label="cases", codename__in=[WORK_QUEUE, SUPERVISE_QUEUE]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class QueueMemberInline(_QueuePermissionInline):
    """People who work or supervise the queue (guardian object permissions)."""

    model = QueueUserObjectPermission
    fields = ("user", "permission")
    autocomplete_fields = ("user",)
    verbose_name = "member (work or supervise)"
    verbose_name_plural = "members"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "permission")


class QueueTeamInline(_QueuePermissionInline):
    """Groups whose members all work or supervise the queue."""

    model = QueueGroupObjectPermission
    fields = ("group", "permission")
    verbose_name = "team (work or supervise)"
    verbose_name_plural = "teams"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("group", "permission")


class QueueKindInline(admin.TabularInline):
    model = QueueKind
    extra = 0
    verbose_name = "support kind handled (none: every kind)"


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "languages_served", "kinds_handled", "open_cases", "active")
    list_filter = ("active", "languages__language")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [QueueLanguageInline, QueueKindInline, QueueMemberInline, QueueTeamInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("languages", "kinds")
            .annotate(open_case_count=Count("cases", filter=Q(cases__status__in=OPEN_STATUSES)))
        )

    @admin.display(description="Languages")
    def languages_served(self, obj: Queue) -> str:
        return ", ".join(obj.language_codes) or "—"

    @admin.display(description="Kinds")
    def kinds_handled(self, obj: Queue) -> str:
        return ", ".join(sorted(registry.label(k.kind) for k in obj.kinds.all())) or "every kind"

    @admin.display(description="Open cases", ordering="open_case_count")
    def open_cases(self, obj: Queue) -> int:
        return obj.open_case_count


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "default_queue", "default_priority", "active")
    list_filter = ("kind", "active", "default_queue")
    list_select_related = ("default_queue",)
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = (
        "order",
        "name",
        "conditions",
        "target_queue",
        "set_priority",
        "active",
        "is_default",
    )
    list_display_links = ("name",)
    list_editable = ("order",)
    list_filter = ("active", "is_default", "target_queue")
    list_select_related = ("category", "target_queue")
    search_fields = ("name",)
    readonly_fields = ("is_default",)
    fieldsets = (
        (None, {"fields": ("name", "order", "active", "is_default")}),
        (
            "When (empty: any)",
            {
                "fields": (
                    "category",
                    "kind",
                    "language",
                    "channel",
                    "min_priority",
                    "interpreter_needed",
                )
            },
        ),
        ("Then", {"fields": ("target_queue", "set_priority")}),
    )

    @admin.display(description="Conditions")
    def conditions(self, rule: RoutingRule) -> str:
        parts = []
        if rule.category_id:
            parts.append(f"category {rule.category}")
        if rule.kind:
            parts.append(f"kind {registry.label(rule.kind)}")
        if rule.language:
            parts.append(f"language {rule.get_language_display()}")
        if rule.channel:
            parts.append(f"channel {rule.get_channel_display()}")
        if rule.min_priority:
            parts.append(f"priority ≥ {rule.get_min_priority_display()}")
        if rule.interpreter_needed is not None:
            parts.append("interpreter needed" if rule.interpreter_needed else "no interpreter")
        return "; ".join(parts) or "always"

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_default:
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_default:  # the default stays unconditional and active
            return [
                "is_default",
                "active",
                "category",
                "kind",
                "language",
                "channel",
                "min_priority",
                "interpreter_needed",
            ]
        return self.readonly_fields


class BusinessHoursInline(admin.TabularInline):
    model = BusinessHours
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "time_zone", "always_open", "hours_count", "holidays_count")
    search_fields = ("name",)
    inlines = [BusinessHoursInline, HolidayInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                hours_total=Count("hours", distinct=True),
                holidays_total=Count("holidays", distinct=True),
            )
        )

    @admin.display(description="Weekly intervals", ordering="hours_total")
    def hours_count(self, obj) -> int:
        return obj.hours_total

    @admin.display(description="Holidays", ordering="holidays_total")
    def holidays_count(self, obj) -> int:
        return obj.holidays_total


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "scope",
        "first_response_minutes",
        "resolution_minutes",
        "calendar",
        "active",
    )
    list_filter = ("active", "kind", "priority", "calendar")
    list_select_related = ("category", "calendar")
    search_fields = ("name",)
