"""The case page's change forms (issue 15): sensitivity of the case or its patient, queue,
category (with the new kind's details) and priority. They parse and label what the browser sends;
``cases.changes`` decides and refuses. Choices that depend on the user (their queues) are given by
the view, which read them through the read path."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.forms import modelform_factory

from cases.changes import MAX_REASON_LENGTH
from cases.choices import Priority
from cases.models import Category, Queue, Sensitivity
from cases.registry import registry


def _reason(required: bool) -> forms.CharField:
    return forms.CharField(
        label="Reason" if required else "Reason (optional)",
        required=required,
        max_length=MAX_REASON_LENGTH,
        strip=True,
        help_text="Shown on the case's timeline (staff only) and kept in the audit trail.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SensitivityForm(forms.Form):
    """Mark sensitive (a kind of sensitive record) or clear, with a reason."""

    sensitivity = forms.ChoiceField(
        label="Sensitivity",
        choices=Sensitivity.choices,
        required=False,
        help_text="Only people cleared for sensitive records see a sensitive case.",
    )
    reason = _reason(required=True)

    def __init__(self, *args, of_patient: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if of_patient:
            self.fields["sensitivity"].label = "The patient's sensitivity"
            self.fields["sensitivity"].help_text = "Every case of a sensitive patient is sensitive."


class MoveForm(forms.Form):
    queue = forms.TypedChoiceField(label="Move to queue", coerce=int)
    reason = _reason(required=False)

    def __init__(self, *args, queues: Iterable[Queue], **kwargs):
        super().__init__(*args, **kwargs)
        self.queues = {queue.pk: queue for queue in queues}
        self.fields["queue"].choices = [(pk, queue.name) for pk, queue in self.queues.items()]

    def clean_queue(self) -> Queue:
        return self.queues[self.cleaned_data["queue"]]


class CategoryForm(forms.Form):
    category = forms.TypedChoiceField(label="New category", coerce=int)
    reason = _reason(required=False)

    def __init__(self, *args, categories: Iterable[Category], **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {category.pk: category for category in categories}
        self.fields["category"].choices = [
            (pk, f"{category.name} ({category.kind_label})")
            for pk, category in self.categories.items()
        ]

    def clean_category(self) -> Category:
        return self.categories[self.cleaned_data["category"]]


def details_form_class(category: Category):
    """A form of the input fields of ``category``'s kind's details (None: a kind without), with
    the model's own fields, choices and validators (prefix ``details``)."""
    spec = registry.get(category.kind)
    if spec is None or spec.detail_model is None:
        return None
    model = spec.detail_model
    return modelform_factory(model, fields=model.input_fields())


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(
        label="Priority", coerce=int, choices=list(reversed(Priority.choices))
    )
    reason = _reason(required=False)
