"""Output serializers of the core records. Every one applies minimum necessary
(``cases.minimum_necessary``): the requesting user's roles decide which fields leave the server.
Rows come from ``restrict()``; these serializers never fetch rows themselves."""

from rest_framework import serializers

from cases.minimum_necessary import MinimumNecessaryMixin
from cases.models import Case, CaseEvent, Patient


class PatientSerializer(MinimumNecessaryMixin, serializers.ModelSerializer):
    # The MRN as intake received it: a record registered with an MRN that belongs to another
    # record (flagged for reconciliation, docs/architecture/cases.md) reads back exactly as a new
    # patient's would, so the answer never tells the submitter the MRN is already known.
    mrn = serializers.CharField(
        source="intake_mrn",
        read_only=True,
        allow_null=True,
        help_text="Medical record number from the EHR, as submitted; null when none was.",
    )

    class Meta:
        model = Patient
        fields = ["id", *Patient.INPUT_FIELDS, "sensitivity"]


class CaseSerializer(MinimumNecessaryMixin, serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "patient",
            "category",
            "queue",
            "channel",
            "status",
            "priority",
            "subject",
            "description",
            "language",
            "sensitivity",
            "assigned_to",
            "source_organisation",
            "external_reference",
            "first_response_due_at",
            "resolution_due_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "created_at",
            "updated_at",
        ]


class CaseEventSerializer(MinimumNecessaryMixin, serializers.ModelSerializer):
    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "case",
            "kind",
            "visibility",
            "body",
            "actor",
            "old_value",
            "new_value",
            "created_at",
        ]
