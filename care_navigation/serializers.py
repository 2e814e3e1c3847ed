from rest_framework import serializers

from care_navigation.models import NavigationRequest
from cases.minimum_necessary import MinimumNecessaryMixin


class NavigationRequestSerializer(MinimumNecessaryMixin, serializers.ModelSerializer):
    class Meta:
        model = NavigationRequest
        fields = NavigationRequest.input_fields()
