"""Django admin for the core records: patients, cases and their timeline.

The admin reads them freely but writes only through ``cases.services``: a case is opened with
``case_open`` and worked with admin actions that call ``case_assign`` and ``case_transition``; its
category details (the kind's inline, from the registry) and timeline are read-only. Cases and
their events are never deleted here. Patients and cases have a read-only History page of their
row versions (``cases.admin.history``).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.fields import InvalidJSONInput
from django.utils import timezone
from django.utils.translation import ngettext

from cases import services
from cases.admin.history import ReadOnlyHistoryAdmin
from cases.admin.minimum import MinimumNecessaryAdminMixin
from cases.admin.reconciliation import ReconciliationAdminMixin, ReconciliationFilter
from cases.admin.refusals import refusal_message
from cases.admin.restricted import RestrictedAdminMixin
from cases.choices import Status
from cases.details import validate_details
from cases.models import Case, CaseEvent, CaseNumberCounter, Category, Patient, Queue
from cases.registry import registry

# --- patients ------------------------------------------------------------------------------------


@admin.register(Patient)
class PatientAdmin(
    ReconciliationAdminMixin,
    RestrictedAdminMixin,
    MinimumNecessaryAdminMixin,
    ReadOnlyHistoryAdmin,
):
    list_display = (
        "family_name",
        "given_name",
        "mrn",
        "date_of_birth",
        "preferred_language",
        "interpreter_needed",
        "preferred_contact_channel",
    )
    list_filter = (
        ReconciliationFilter,
        "preferred_language",
        "interpreter_needed",
        "preferred_contact_channel",
        "sms_consent",
    )
    search_fields = ("mrn", "family_name", "given_name", "email", "phone")
    show_full_result_count = False
    readonly_fields = ("created_at", "updated_at", *ReconciliationAdminMixin.RECONCILIATION_FIELDS)
    actions = ["merge_flagged", "confirm_distinct"]
    fieldsets = (
        (None, {"fields": ("mrn", "given_name", "family_name", "date_of_birth")}),
        (
            "Contact and language",
            {
                "fields": (
                    "phone",
                    "email",
                    "preferred_contact_channel",
                    "sms_consent",
                    "preferred_language",
                    "interpreter_needed",
                )
            },
        ),
        ("Reconciliation", {"fields": ReconciliationAdminMixin.RECONCILIATION_FIELDS}),
        ("Record", {"fields": ("created_at", "updated_at")}),
    )

    # Intake look-up (the patient box of the case form): exact identifiers only, among the
    # patients the agent may look up — never a browsable list of everyone.
    LOOKUP_SEARCH_FIELDS = ("=mrn", "=phone", "=email", "=family_name")

    @staticmethod
    def _is_lookup(request) -> bool:
        return getattr(request.resolver_match, "url_name", "") == "autocomplete"

    def get_queryset(self, request):
        if self._is_lookup(request):
            if not request.GET.get("term", "").strip():
                return Patient.objects.none()
            return Patient.objects.restrict(request.user, "lookup")
        return super().get_queryset(request)

    def get_search_fields(self, request):
        if self._is_lookup(request):
            return self.LOOKUP_SEARCH_FIELDS
        return super().get_search_fields(request)

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in services.PATIENT_FIELDS
        }
        if change:
            saved = services.patient_update(actor=request.user, patient=obj, **fields)
        else:
            values = {
                name: form.cleaned_data[name]
                for name in form.fields
                if name in services.PATIENT_FIELDS
            }
            saved = services.patient_create(actor=request.user, **values)
        obj.pk = saved.pk
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        return False


# --- cases ---------------------------------------------------------------------------------------


class CaseEventInline(RestrictedAdminMixin, MinimumNecessaryAdminMixin, admin.TabularInline):
    """The timeline, oldest first, read-only: events are written by the services alone."""

    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "visibility", "actor", "old_value", "new_value", "body")
    readonly_fields = fields
    ordering = ("created_at", "id")
    verbose_name = "timeline event"
    verbose_name_plural = "timeline"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _transition_action(status: str, description: str):
    """An admin action that moves each selected case to ``status`` through case_transition."""

    def action(modeladmin, request, queryset):
        modeladmin._transition(request, queryset, status)

    action.__name__ = f"mark_{status}"
    return admin.action(description=description, permissions=["change"])(action)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records only the services write: viewable, never added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DepthSafeJSONField(forms.JSONField):
    """Django's JSON form field, with JSON nested too deeply for the decoder (a RecursionError,
    which Django lets through as a 500) refused as invalid input, and shown back as typed."""

    default_error_messages = {"too_deep": "The JSON is nested too deeply."}

    def to_python(self, value):
        try:
            return super().to_python(value)
        except RecursionError:
            raise ValidationError(self.error_messages["too_deep"], code="too_deep") from None

    def bound_data(self, data, initial):
        try:
            return super().bound_data(data, initial)
        except RecursionError:
            return InvalidJSONInput(data)


class CaseIntakeForm(forms.ModelForm):
    """The admin's intake form; ``CaseAdmin.save_model`` hands it to ``case_open``."""

    class Meta:
        model = Case
        fields = (
            "patient",
            "category",
            "channel",
            "subject",
            "description",
            "priority",
            "language",
            "queue",
        )

    details = DepthSafeJSONField(
        required=False,
        help_text="The category kind's details as a JSON object, e.g. "
        '{"inquiry_type": "payment_plan"} for billing; see '
        "docs/architecture/support-categories.md for each kind's fields.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(active=True).select_related(
            "default_queue"
        )
        self.fields["queue"].queryset = Queue.objects.filter(active=True)
        self.fields["queue"].required = False
        self.fields["queue"].help_text = "Leave empty to route to the category's default queue."
        self.fields["priority"].required = False
        self.fields["priority"].help_text = "Leave empty for the category's default priority."
        self.fields["language"].required = False
        self.fields["language"].help_text = "Leave empty for the patient's preferred language."

    def clean(self):
        cleaned = super().clean()
        category, details = cleaned.get("category"), cleaned.get("details")
        # Routing rules and language routing only choose active queues; the category's default
        # queue is the one that can be inactive.
        if category is not None and not cleaned.get("queue") and not category.default_queue.active:
            self.add_error("queue", "The category's default queue is inactive; choose a queue.")
        if details is not None and not isinstance(details, dict):
            self.add_error("details", "Details must be a JSON object.")
        elif category is not None:
            try:
                validate_details(category, details)
            except ValidationError as error:
                for field, messages_ in error.message_dict.items():
                    self.add_error("details", f"{field}: {'; '.join(messages_)}")
        return cleaned


def sla_label(case: Case) -> str:
    """One word for the list: breached / paused / met / due <time> / none."""
    if case.first_response_due_at is None and case.resolution_due_at is None:
        return "—"
    if getattr(case, "first_response_breached", False) or getattr(
        case, "resolution_breached", False
    ):
        return "Breached"
    if case.sla_paused_at is not None and case.is_open:
        return "Paused"
    if not case.is_open:
        return "Met"
    due = case.first_response_due_at if case.first_response_at is None else None
    due = due or case.resolution_due_at
    return f"Due {timezone.localtime(due):%b %d %H:%M}"


class SlaStateFilter(admin.SimpleListFilter):
    title = "SLA"
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return [("breached", "Breached"), ("paused", "Paused"), ("running", "Running")]

    def queryset(self, request, queryset):
        breached = Q(first_response_breached=True) | Q(resolution_breached=True)
        if self.value() == "breached":
            return queryset.filter(breached)
        if self.value() == "paused":
            return queryset.open().filter(sla_paused_at__isnull=False).exclude(breached)
        if self.value() == "running":
            return (
                queryset.open()
                .filter(sla_paused_at__isnull=True, resolution_due_at__isnull=False)
                .exclude(breached)
            )
        return queryset


@admin.register(Case)
class CaseAdmin(RestrictedAdminMixin, MinimumNecessaryAdminMixin, ReadOnlyHistoryAdmin):
    list_display = (
        "reference",
        "subject",
        "patient",
        "category",
        "queue",
        "status",
        "priority",
        "channel",
        "language",
        "assigned_to",
        "sla",
        "created_at",
    )
    list_filter = (
        SlaStateFilter,
        "status",
        "priority",
        "channel",
        "language",
        "queue",
        "category__kind",
        "category",
    )
    list_select_related = ("patient", "category", "queue", "assigned_to")
    search_fields = ("=reference", "=external_reference", "=patient__mrn", "patient__family_name")
    show_full_result_count = False
    autocomplete_fields = ("patient",)
    inlines = [CaseEventInline]
    actions = [
        "assign_to_me",
        "unassign",
        "mark_triaged",
        "mark_in_progress",
        "mark_waiting_on_patient",
        "mark_waiting_on_third_party",
        "mark_resolved",
        "mark_closed",
    ]
    change_fieldsets = (
        (None, {"fields": ("reference", "status", "priority", "queue", "assigned_to")}),
        (
            "Contact",
            {"fields": ("patient", "category", "channel", "language", "subject", "description")},
        ),
        ("Source", {"fields": ("created_by", "source_organisation", "external_reference")}),
        (
            "Timing",
            {
                "fields": (
                    "created_at",
                    "updated_at",
                    "sla_policy",
                    "first_response_due_at",
                    "first_response_at",
                    "resolution_due_at",
                    "sla_paused_at",
                    "resolved_at",
                    "closed_at",
                )
            },
        ),
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = CaseIntakeForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": (*CaseIntakeForm.Meta.fields, "details")}),)
        return self.change_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return [field for _, options in self.change_fieldsets for field in options["fields"]]

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        spec = registry.get(obj.category.kind)
        detail_inline = [spec.admin_inline] if spec and spec.admin_inline else []
        return [*detail_inline, *self.inlines]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "patient",
                "category",
                "queue",
                "assigned_to",
                "created_by",
                "source_organisation",
                "sla_policy",
            )
            .with_sla_state()
        )

    @admin.display(description="SLA")
    def sla(self, case: Case) -> str:
        return sla_label(case)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        case = services.case_open(
            actor=request.user,
            patient=data["patient"],
            category=data["category"],
            channel=data["channel"],
            subject=data["subject"],
            description=data["description"],
            priority=data.get("priority") or None,
            language=data.get("language") or None,
            queue=data.get("queue"),
            details=data.get("details") or None,
        )
        obj.pk = case.pk
        obj.reference = case.reference
        obj._state.adding = False

    def has_change_permission(self, request, obj=None):
        """The change page of a case is a view page (POSTs are refused); the model-level change
        permission still governs the work actions on the changelist."""
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        """Nothing to save: the timeline is written by the services."""

    def has_delete_permission(self, request, obj=None):
        return False

    # --- actions: each calls a service per case and reports refusals case by case ---------------

    def _run(self, request, queryset, verb: str, work) -> None:
        done, refused = 0, []
        workable = set(queryset.restrict(request.user, "work").values_list("pk", flat=True))
        for case in queryset.order_by("pk"):
            if case.pk not in workable:
                refused.append(f"{case.reference}: you do not work this case's queue")
                continue
            try:
                work(case)
                done += 1
            except ValidationError as error:
                refused.append(f"{case.reference}: {refusal_message(error)}")
        if done:
            message = ngettext("%(count)d case %(verb)s.", "%(count)d cases %(verb)s.", done)
            self.message_user(request, message % {"count": done, "verb": verb}, messages.SUCCESS)
        if refused:
            self.message_user(request, "Refused — " + " | ".join(refused), messages.ERROR)

    @admin.action(description="Assign selected cases to me", permissions=["change"])
    def assign_to_me(self, request, queryset):
        self._run(
            request,
            queryset,
            "assigned to you",
            lambda case: services.case_assign(actor=request.user, case=case, assignee=request.user),
        )

    @admin.action(description="Unassign selected cases", permissions=["change"])
    def unassign(self, request, queryset):
        self._run(
            request,
            queryset,
            "unassigned",
            lambda case: services.case_assign(actor=request.user, case=case, assignee=None),
        )

    def _transition(self, request, queryset, status: str) -> None:
        self._run(
            request,
            queryset,
            f"moved to {Status(status).label.lower()}",
            lambda case: services.case_transition(actor=request.user, case=case, to_status=status),
        )

    mark_triaged = _transition_action(Status.TRIAGED, "Mark triaged")
    mark_in_progress = _transition_action(
        Status.IN_PROGRESS, "Mark in progress (also reopens resolved cases)"
    )
    mark_waiting_on_patient = _transition_action(
        Status.WAITING_ON_PATIENT, "Mark waiting on patient"
    )
    mark_waiting_on_third_party = _transition_action(
        Status.WAITING_ON_THIRD_PARTY, "Mark waiting on third party"
    )
    mark_resolved = _transition_action(Status.RESOLVED, "Resolve")
    mark_closed = _transition_action(Status.CLOSED, "Close")


@admin.register(CaseEvent)
class CaseEventAdmin(RestrictedAdminMixin, MinimumNecessaryAdminMixin, ReadOnlyAdmin):
    """Timeline events across cases, read-only."""

    list_display = ("created_at", "case", "kind", "visibility", "actor", "old_value", "new_value")
    list_filter = ("kind", "visibility")
    list_select_related = ("case", "actor")
    search_fields = ("=case__reference",)
    show_full_result_count = False
    fields = ("case", "created_at", "kind", "visibility", "actor", "old_value", "new_value", "body")
    readonly_fields = fields


@admin.register(CaseNumberCounter)
class CaseNumberCounterAdmin(ReadOnlyAdmin):
    """The case-number counter used on databases without sequences; read-only."""

    list_display = ("name", "value")
