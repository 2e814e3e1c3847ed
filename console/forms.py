"""The console's forms: the queue filters (GET) and the case actions (POST).

Forms only parse and label what the browser sends; every change goes through ``cases.services``,
whose refusals the views show on the page. Choices that depend on the user (their queues, the
case's allowed transitions, the people who may be assigned) are given by the view, which read
them through ``restrict()``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms

from cases.choices import Priority, Status
from cases.models import MAX_TEXT_LENGTH, Queue
from cases.workflow import OPEN_STATUSES

OPEN_STATUS_CHOICES = [(value, label) for value, label in Status.choices if value in OPEN_STATUSES]


class QueueFilterForm(forms.Form):
    """The live queue's filters. Every field is optional; an empty form shows every open case of
    the user's queues."""

    queue = forms.TypedChoiceField(label="Queue", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any open status"), *OPEN_STATUS_CHOICES]
    )
    priority = forms.TypedChoiceField(
        label="Priority",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any priority"), *reversed(Priority.choices)],
    )

    def __init__(self, *args, queues: Iterable[Queue], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["queue"].choices = [("", "All my queues")] + [(q.pk, q.name) for q in queues]

    def filters(self) -> dict[str, object]:
        """The chosen filters as ``Case`` lookups (only valid, non-empty ones)."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        chosen = {
            "queue_id": data.get("queue"),
            "status": data.get("status") or None,
            "priority": data.get("priority"),
        }
        return {name: value for name, value in chosen.items() if value is not None}


class ClaimNextForm(forms.Form):
    """Claim next: from one of the user's queues, or from any of them."""

    queue = forms.TypedChoiceField(label="From queue", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, queues: Iterable[Queue], **kwargs):
        super().__init__(*args, **kwargs)
        self.queues = {queue.pk: queue for queue in queues}
        self.fields["queue"].choices = [("", "Any of my queues")] + [
            (pk, queue.name) for pk, queue in self.queues.items()
        ]

    def clean_queue(self) -> Queue | None:
        pk = self.cleaned_data.get("queue")
        return self.queues[pk] if pk is not None else None


class MessageForm(forms.Form):
    """A reply to the patient or an internal note (the view decides which)."""

    body = forms.CharField(
        label="Text",
        max_length=MAX_TEXT_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, label: str = "Text", help_text: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].label = label
        self.fields["body"].help_text = help_text


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label="New status")
    reason = forms.CharField(
        label="Reason (optional, shown on the timeline)",
        required=False,
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, allowed: Iterable[str], **kwargs):
        super().__init__(*args, **kwargs)
        allowed = set(allowed)
        self.fields["to_status"].choices = [
            (value, label) for value, label in Status.choices if value in allowed
        ]


class AssignForm(forms.Form):
    """A supervisor's assignment: one of the queue's people, or nobody (back to the queue)."""

    assignee = forms.TypedChoiceField(
        label="Assign to", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, people: Iterable, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {person.pk: person for person in people}
        self.fields["assignee"].choices = [("", "Nobody (back to the queue)")] + [
            (pk, person.display_name) for pk, person in self.people.items()
        ]

    def clean_assignee(self):
        pk = self.cleaned_data.get("assignee")
        return self.people[pk] if pk is not None else None
