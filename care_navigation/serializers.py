from rest_framework import serializers

from care_navigation.models import NavigationRequest


class NavigationRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = NavigationRequest
        fields = NavigationRequest.input_fields()
