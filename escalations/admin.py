"""Admin for clinical escalation: pathways and their red-flag phrases are configuration, edited
by administrators; escalations are records about a patient, read-only here and read through
``restrict()`` (their changes go through ``escalations.services``, from the console)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q

from cases.admin.restricted import RestrictedAdminMixin
from escalations.choices import UNRESOLVED_STATUSES
from escalations.models import Escalation, EscalationPathway, RedFlagPhrase
from escalations.redflags import words


class RedFlagPhraseInline(admin.TabularInline):
    model = RedFlagPhrase
    extra = 1
    fields = ("language", "phrase", "active")


@admin.register(EscalationPathway)
class EscalationPathwayAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "recipient_queue",
        "acknowledgement_minutes",
        "on_call",
        "fallback",
        "unresolved",
        "accuracy",
        "active",
    )
    list_filter = ("kind", "active")
    search_fields = ("name",)
    list_select_related = ("recipient_queue", "fallback", "calendar")
    inlines = [RedFlagPhraseInline]
    fieldsets = (
        (None, {"fields": ("name", "kind", "recipient_queue", "active")}),
        (
            "Timing",
            {"fields": ("acknowledgement_minutes", "calendar", "fallback", "access_hours")},
        ),
        ("Red flags", {"fields": ("use_default_red_flags",)}),
    )

    def get_queryset(self, request):
        reviewed = Q(escalations__warranted__isnull=False)
        return (
            super()
            .get_queryset(request)
            .annotate(
                unresolved_count=Count(
                    "escalations", filter=Q(escalations__status__in=UNRESOLVED_STATUSES)
                ),
                reviewed_count=Count("escalations", filter=reviewed),
                warranted_count=Count("escalations", filter=Q(escalations__warranted=True)),
            )
        )

    @admin.display(description="On call")
    def on_call(self, obj: EscalationPathway) -> str:
        return obj.calendar.name if obj.calendar_id else "around the clock"

    @admin.display(description="Unresolved", ordering="unresolved_count")
    def unresolved(self, obj: EscalationPathway) -> int:
        return obj.unresolved_count

    @admin.display(description="Accuracy (warranted / reviewed)")
    def accuracy(self, obj: EscalationPathway) -> str:
        if not obj.reviewed_count:
            return "—"
        share = 100 * obj.warranted_count / obj.reviewed_count
        return f"{share:.1f} % of {obj.reviewed_count}"


@admin.register(RedFlagPhrase)
class RedFlagPhraseAdmin(admin.ModelAdmin):
    list_display = ("phrase", "matched_as", "language", "pathway", "active")
    list_filter = ("language", "active", "pathway")
    search_fields = ("phrase",)
    list_select_related = ("pathway",)

    @admin.display(description="Matched as")
    def matched_as(self, obj: RedFlagPhrase) -> str:
        """What the matcher compares: the words of the normal form (lower case, no accents or
        punctuation), each also matching its other inflections (stem) and one typo in words of
        five letters or more, in order (docs/architecture/escalations.md, "Detection")."""
        return " ".join(words(obj.phrase))


@admin.register(Escalation)
class EscalationAdmin(RestrictedAdminMixin, admin.ModelAdmin):
    """Read-only: the record of a handoff. Acknowledging, resolving and reviewing happen in the
    console, through the services."""

    list_display = (
        "case",
        "pathway",
        "urgency",
        "status",
        "source",
        "requested_at",
        "acknowledged_at",
        "resolved_at",
        "warranted",
    )
    list_filter = ("urgency", "status", "source", "pathway", "warranted")
    list_select_related = ("case", "pathway")
    date_hierarchy = "requested_at"
    search_fields = ("case__reference",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
