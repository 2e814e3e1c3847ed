from rest_framework import serializers

from cases.minimum_necessary import MinimumNecessaryMixin
from prescription_refills.models import RefillRequest


class RefillRequestSerializer(MinimumNecessaryMixin, serializers.ModelSerializer):
    class Meta:
        model = RefillRequest
        fields = RefillRequest.input_fields()
