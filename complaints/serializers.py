from rest_framework import serializers

from cases.minimum_necessary import MinimumNecessaryMixin
from complaints.models import Complaint


class ComplaintSerializer(MinimumNecessaryMixin, serializers.ModelSerializer):
    """The intake fields of a complaint. ``department`` is the primary key of an active
    department; deadlines, acknowledgement and response are written by the system only."""

    class Meta:
        model = Complaint
        fields = Complaint.input_fields()
