from rest_framework import serializers

from prescription_refills.models import RefillRequest


class RefillRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = RefillRequest
        fields = RefillRequest.input_fields()
