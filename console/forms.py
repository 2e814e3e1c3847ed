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
from escalations.choices import Outcome, Urgency
from escalations.models import SBAR_MAX_LENGTH, EscalationPathway
from escalations.services import MAX_REASON_LENGTH

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
    # The next page of the list: the id of the last case of the page before ("More cases"); not a
    # filter, and never drawn in the filters' form (applying filters starts at the top again).
    after = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    def __init__(self, *args, queues: Iterable[Queue], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["queue"].choices = [("", "All my queues")] + [(q.pk, q.name) for q in queues]

    def after_id(self) -> int | None:
        """The case id the page starts after (``after``), if given and valid."""
        if not self.is_bound or not self.is_valid():
            return None
        return self.cleaned_data.get("after")

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


# --- escalations (docs/architecture/escalations.md) -------------------------------------------


class EscalateForm(forms.Form):
    """Escalate a case: the pathway, how urgent, and the SBAR handoff. The service checks it all
    again (trimmed, card numbers redacted, the pathway still active, no second escalation to the
    same pathway); the form makes bad input a clear error on its field."""

    pathway = forms.TypedChoiceField(label="Escalate to", coerce=int)
    urgency = forms.ChoiceField(
        label="Urgency",
        choices=[("", "Choose…"), *Urgency.choices],
        help_text="Emergent: the patient may be in danger now. Follow the emergency script too.",
    )
    reason = forms.CharField(label="Reason (one line)", max_length=MAX_REASON_LENGTH, strip=True)
    situation = forms.CharField(
        label="Situation: what is happening now",
        max_length=SBAR_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    background = forms.CharField(
        label="Background: what led to it (optional)",
        required=False,
        max_length=SBAR_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    assessment = forms.CharField(
        label="Assessment: what you think the problem is",
        max_length=SBAR_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    recommendation = forms.CharField(
        label="Recommendation: what you ask the recipient to do",
        max_length=SBAR_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, pathways: Iterable[EscalationPathway], **kwargs):
        kwargs.setdefault("auto_id", "id_escalate_%s")
        super().__init__(*args, **kwargs)
        self.pathways = {pathway.pk: pathway for pathway in pathways}
        self.fields["pathway"].choices = [("", "Choose a pathway…")] + [
            (pk, pathway.name) for pk, pathway in self.pathways.items()
        ]

    def clean_pathway(self) -> EscalationPathway:
        return self.pathways[self.cleaned_data["pathway"]]


class EscalationResolveForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=[("", "Choose…"), *Outcome.choices])
    notes = forms.CharField(
        label="Notes (required for “no clinical action” and “unreachable”)",
        required=False,
        max_length=SBAR_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


WARRANTED_CHOICES = [("yes", "Yes, warranted"), ("no", "No, not warranted")]


class EscalationReviewForm(forms.Form):
    """A supervisor's review: was the escalation warranted (the escalation-accuracy measure)?"""

    warranted = forms.TypedChoiceField(
        label="Was this escalation warranted?",
        choices=WARRANTED_CHOICES,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label="Feedback (required when it was not warranted)",
        required=False,
        max_length=SBAR_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


ACCURACY_PERIODS = [
    ("", "All time"),
    ("30", "Last 30 days"),
    ("90", "Last 90 days"),
    ("365", "Last 365 days"),
]


class AccuracyPeriodForm(forms.Form):
    days = forms.TypedChoiceField(
        label="Period", required=False, choices=ACCURACY_PERIODS, coerce=int, empty_value=None
    )
