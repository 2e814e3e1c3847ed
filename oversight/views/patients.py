"""Who accessed a patient's record: the MRN look-up and the patient's access report."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from cases.models import Patient
from compliance.access_log import AccessKind, record_request_access
from compliance.models import AuditEntry
from oversight import trail
from oversight.forms import PatientLookupForm
from oversight.models import BreakGlassAccess
from oversight.views.base import (
    VIEW_TRAIL,
    _render,
    _rows,
    _typed_query,
    compliance_required,
    require_read,
)

REPORT_RECENT = 50  # the report's most recent accesses


# --- who accessed a patient's record --------------------------------------------------------------


@compliance_required(VIEW_TRAIL)
@require_read
def patient_lookup(request):
    """The MRN box: to the patient's report. An MRN that matches nobody is a 400 with the error
    (and is logged as a look-up that found nothing)."""
    if "mrn" not in request.GET:
        form = PatientLookupForm(viewer=request.user)
        return _render(
            request, "oversight/patient_lookup.html", {"title": "Patient look-up", "form": form}
        )
    form = PatientLookupForm(request.GET, viewer=request.user)
    if form.is_valid():
        return redirect("oversight:patient-access", pk=form.cleaned_data["mrn"].pk)
    if form.has_error("mrn", "not_found"):
        record_request_access(
            request,
            [],
            kind=AccessKind.LOOKUP,
            via="compliance",
            model=Patient,
            query=_typed_query(request),
        )
    return _render(
        request,
        "oversight/patient_lookup.html",
        {"title": "Patient look-up", "form": form},
        status=400,
    )


@compliance_required(VIEW_TRAIL)
@require_read
def patient_access(request, pk: int):
    patient = get_object_or_404(Patient.objects.restrict(request.user, "view"), pk=pk)
    people = trail.accesses_of_patient(patient.pk)
    emergency = list(
        BreakGlassAccess.objects.filter(case__patient_id=patient.pk)
        .select_related("user", "case", "reviewed_by")
        .order_by("-granted_at", "-id")
    )
    recent = trail.page(
        {"patient": patient.pk, "action": AuditEntry.Action.ACCESS}, size=REPORT_RECENT
    )
    record_request_access(request, [patient], kind=AccessKind.REPORT, via="compliance")
    trail_url = reverse("oversight:trail")
    for person in people:
        person["trail_query"] = urlencode(
            {"patient_id": patient.pk, "user": person["actor__username"]}
        )
    return _render(
        request,
        "oversight/patient_access.html",
        {
            "title": "Who accessed this record",
            "patient": patient,
            "people": people,
            "emergency": emergency,
            "rows": _rows(recent.entries),
            "more_recent": recent.next_cursor is not None,
            "recent_limit": REPORT_RECENT,
            "trail_url": trail_url,
            "accesses_query": urlencode(
                {"patient_id": patient.pk, "action": AuditEntry.Action.ACCESS}
            ),
            "all_query": urlencode({"patient_id": patient.pk}),
        },
    )
