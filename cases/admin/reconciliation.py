"""The patient admin's reconciliation: the records flagged at intake (a list filter) and the two
decisions a supervisor or administrator (``cases.reconcile_patient``) takes about them — merge
into the record it collided with, or confirm a different person — each through its service
(``cases.reconciliation``) with a reason asked on an intermediate page. Flagged records and their
candidates are reached through ``restrict()`` like every patient page."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import ngettext

from accounts.permissions import holds
from cases import minimum_necessary
from cases.access import LOOKUP
from cases.admin.refusals import refusal_message
from cases.models import Patient, Reconciliation
from cases.reconciliation import (
    RECONCILE_PATIENT,
    patient_confirm_distinct,
    patient_merge,
)


def _shown(user, patient: Patient | None) -> dict:
    """What the page shows of ``patient``, as the user's roles may see it (minimum necessary:
    an administrator sees the last four of an MRN and no birth date)."""
    if patient is None:
        return {}
    return minimum_necessary.apply(
        user,
        minimum_necessary.PATIENT,
        {
            "mrn": patient.mrn or "",
            "submitted_mrn": patient.submitted_mrn,
            "date_of_birth": patient.date_of_birth.isoformat(),
        },
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=2000,
        help_text="Why (written on the timeline of each case of the record, and audited).",
    )


class ReconciliationFilter(admin.SimpleListFilter):
    title = "reconciliation"
    parameter_name = "reconciliation"

    def lookups(self, request, model_admin):
        return [(value, label) for value, label in Reconciliation.choices if value]

    def queryset(self, request, queryset):
        if self.value() in Reconciliation.values:
            return queryset.filter(reconciliation=self.value())
        return queryset


class ReconciliationAdminMixin:
    """For the Patient admin: the filter, the two actions, the candidate on the change page."""

    RECONCILIATION_FIELDS = ("reconciliation", "reconcile_with", "submitted_mrn")

    def has_reconcile_permission(self, request) -> bool:
        return holds(request.user, RECONCILE_PATIENT)

    def _decide(self, request, queryset, *, title, intro, button, verb, service):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        flagged = list(queryset.filter(reconciliation=Reconciliation.PENDING).order_by("pk"))
        if not form.is_valid():
            visible = Patient.objects.restrict(request.user, LOOKUP)
            candidates = {
                patient.pk: patient
                for patient in visible.filter(pk__in=[p.reconcile_with_id for p in flagged])
            }
            pairs = [
                (
                    patient,
                    _shown(request.user, patient),
                    candidates.get(patient.reconcile_with_id),
                    _shown(request.user, candidates.get(patient.reconcile_with_id)),
                )
                for patient in flagged
            ]
            context = {
                **self.admin_site.each_context(request),
                "title": title,
                "intro": intro,
                "button": button,
                "form": form,
                "pairs": pairs,
                "not_pending": len(queryset) - len(flagged),
                "action": request.POST.get("action", ""),
                "opts": self.model._meta,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/cases/patient_reconcile.html", context)
        done, refused = 0, []
        for patient in queryset.order_by("pk"):
            try:
                service(actor=request.user, patient=patient, reason=form.cleaned_data["reason"])
                done += 1
            except ValidationError as error:
                refused.append(f"record #{patient.pk}: {refusal_message(error)}")
        if done:
            message = ngettext("%(count)d record %(verb)s.", "%(count)d records %(verb)s.", done)
            self.message_user(request, message % {"count": done, "verb": verb}, messages.SUCCESS)
        if refused:
            self.message_user(request, "Refused — " + " | ".join(refused), messages.ERROR)
        return None

    @admin.action(description="Merge into the record each collided with", permissions=["reconcile"])
    def merge_flagged(self, request, queryset):
        return self._decide(
            request,
            queryset,
            title="Merge flagged patient records",
            intro="The cases of each record move to the existing record it collided with; the "
            "submitter is matched to that record from now on.",
            button="Merge",
            verb="merged",
            service=patient_merge,
        )

    @admin.action(description="Confirm they are different people", permissions=["reconcile"])
    def confirm_distinct(self, request, queryset):
        return self._decide(
            request,
            queryset,
            title="Confirm different people",
            intro="Each record stays as registered, no longer flagged; its cases stay with it.",
            button="Confirm",
            verb="confirmed a different person",
            service=patient_confirm_distinct,
        )
