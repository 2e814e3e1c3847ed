from rest_framework import serializers

from portal_support.models import PortalIssue


class PortalIssueSerializer(serializers.ModelSerializer):
    class Meta:
        model = PortalIssue
        fields = PortalIssue.input_fields()
