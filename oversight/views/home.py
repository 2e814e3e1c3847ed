"""The compliance home page: chain status, the patient look-up box, and the reviews waiting."""

from __future__ import annotations

from oversight.forms import PatientLookupForm
from oversight.models import BreakGlassAccess
from oversight.views.base import (
    REVIEW_BREAK_GLASS,
    VIEW_TRAIL,
    _render,
    compliance_required,
    require_read,
)
from oversight.views.chain import latest_verification_status


@compliance_required(VIEW_TRAIL, REVIEW_BREAK_GLASS, any_of=True)
@require_read
def home(request):
    user = request.user
    context: dict = {"title": "Compliance", "is_home": True}
    if user.has_perm(VIEW_TRAIL):
        context["chain"] = latest_verification_status()
        context["lookup_form"] = PatientLookupForm(viewer=user)
    if user.has_perm(REVIEW_BREAK_GLASS):
        context["awaiting_review"] = BreakGlassAccess.objects.awaiting_review().count()
    return _render(request, "oversight/home.html", context)
