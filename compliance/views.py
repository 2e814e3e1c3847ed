"""Compliance pages. Break-the-glass request: a staff member asks for emergency access to a case
they cannot see (the review list is in the admin: Compliance > Break-the-glass accesses)."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from compliance import services
from compliance.forms import BreakGlassRequestForm


@staff_member_required
def break_glass_request(request):
    form = BreakGlassRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access = services.break_glass_open(
                actor=request.user,
                reference=form.cleaned_data["reference"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.warning(
                request,
                f"Emergency access granted until {access.expires_at:%H:%M}. "
                "It is recorded and will be reviewed by compliance.",
            )
            return redirect(reverse("admin:cases_case_change", args=[access.case_id]))
    return render(
        request,
        "compliance/break_glass_request.html",
        {"form": form, "title": "Emergency access (break-the-glass)"},
        status=400 if request.method == "POST" and form.errors else 200,
    )
