from django import forms

from compliance.models import BreakGlassAccess, ReviewOutcome
from compliance.services import MIN_REASON_LENGTH


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


class BreakGlassReviewForm(forms.ModelForm):
    review_outcome = forms.ChoiceField(choices=ReviewOutcome.choices, label="Outcome")

    class Meta:
        model = BreakGlassAccess
        fields = ("review_outcome", "review_notes")
