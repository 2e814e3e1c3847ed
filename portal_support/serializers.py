from rest_framework import serializers

from cases.minimum_necessary import MinimumNecessaryMixin
from portal_support.models import PortalIssue


class PortalIssueSerializer(MinimumNecessaryMixin, serializers.ModelSerializer):
    class Meta:
        model = PortalIssue
        fields = PortalIssue.input_fields()
