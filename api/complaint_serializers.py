"""The complaint actions' bodies and answer (``api.views.complaints``)."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers import StrictCharField, StrictChoiceField, StrictSerializer
from cases.models import MAX_TEXT_LENGTH
from complaints.models import Outcome
from complaints.states import deadline_state

# A response decides the complaint: "pending" is not an answer.
RESPONSE_OUTCOMES = [(value, label) for value, label in Outcome.choices if value != Outcome.PENDING]


class ComplaintRespondSerializer(StrictSerializer):
    """The response given to the patient: its outcome and a summary of what was answered
    (required unless the complaint was withdrawn). Card numbers in the summary are redacted
    before it is stored."""

    outcome = StrictChoiceField(choices=RESPONSE_OUTCOMES)
    summary = StrictCharField(
        max_length=MAX_TEXT_LENGTH, required=False, allow_blank=True, trim_whitespace=True
    )


class ComplaintOutputSerializer(serializers.Serializer):
    """A complaint's grievance deadlines and where it stands (``state``: decided by the server,
    ``complaints.states``)."""

    reference = serializers.CharField(source="case.reference", read_only=True)
    state = serializers.SerializerMethodField(
        help_text="acknowledgement_due, acknowledgement_overdue, response_due, "
        "response_overdue, responded or responded_late."
    )
    state_label = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField(help_text="A deadline has passed unmet.")
    acknowledgement_due_at = serializers.DateTimeField(read_only=True)
    acknowledged_at = serializers.DateTimeField(read_only=True, allow_null=True)
    acknowledgement_overdue_at = serializers.DateTimeField(read_only=True, allow_null=True)
    response_due_at = serializers.DateTimeField(read_only=True)
    responded_at = serializers.DateTimeField(read_only=True, allow_null=True)
    response_overdue_at = serializers.DateTimeField(read_only=True, allow_null=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, read_only=True)

    def get_state(self, complaint) -> str:
        return deadline_state(complaint).code

    def get_state_label(self, complaint) -> str:
        return deadline_state(complaint).label

    def get_overdue(self, complaint) -> bool:
        return deadline_state(complaint).overdue
