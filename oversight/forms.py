from django import forms

from cases.models import Patient
from oversight.models import BreakGlassAccess, ReviewOutcome
from oversight.services import MIN_REASON_LENGTH


class BreakGlassRequestForm(forms.Form):
    reference = forms.CharField(
        label="Case reference", max_length=32, help_text="e.g. PC-2026-000123"
    )
    reason = forms.CharField(
        label="Why do you need emergency access?",
        widget=forms.Textarea(attrs={"rows": 4}),
        min_length=MIN_REASON_LENGTH,
        max_length=2000,
        help_text="Your reason, your name and the time are recorded and reviewed by compliance.",
    )
    # The second step for a restricted record (``services.break_glass_open``'s
    # ``confirmation_required``): shown with the 42 CFR Part 2 notice, required then.
    confirm_sensitive = forms.BooleanField(
        label=(
            "I confirm that I need this restricted record for this patient's care or a privacy "
            "duty, and that I will not redisclose it (42 CFR Part 2)."
        ),
        required=False,
    )

    def __init__(self, *args, confirming: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.confirming = confirming
        if not confirming:
            self.fields["confirm_sensitive"].widget = forms.HiddenInput()


class BreakGlassReviewForm(forms.ModelForm):
    review_outcome = forms.ChoiceField(choices=ReviewOutcome.choices, label="Outcome")

    class Meta:
        model = BreakGlassAccess
        fields = ("review_outcome", "review_notes")


# --- the compliance officer pages (compliance/views/) ---------------------------------------------


class BreakGlassSignOffForm(forms.Form):
    """A reviewer's sign-off of one emergency access (``services.break_glass_review``)."""

    outcome = forms.ChoiceField(
        label="Outcome", choices=ReviewOutcome.choices, widget=forms.RadioSelect
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when the access was inappropriate: say what follow-up it needs.",
    )


class BreakGlassFilterForm(forms.Form):
    AWAITING, REVIEWED, ALL = "awaiting", "reviewed", "all"

    status = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[(AWAITING, "Awaiting review"), (REVIEWED, "Reviewed"), (ALL, "All")],
    )

    def clean_status(self) -> str:
        return self.cleaned_data["status"] or self.AWAITING


class PatientLookupForm(forms.Form):
    """The MRN box of "who accessed a patient's record"."""

    mrn = forms.CharField(
        label="Patient MRN", max_length=64, help_text="Exact medical record number"
    )

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer

    def clean_mrn(self):

        mrn = self.cleaned_data["mrn"].strip()
        patient = (
            Patient.objects.restrict(self.viewer, "view").filter(mrn=mrn).only("pk").first()
            if mrn
            else None
        )
        if patient is None:
            raise forms.ValidationError("No patient has this MRN.", code="not_found")
        return patient
