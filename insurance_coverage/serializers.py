from rest_framework import serializers

from cases.minimum_necessary import MinimumNecessaryMixin
from insurance_coverage.models import InsuranceInquiry


class InsuranceInquirySerializer(MinimumNecessaryMixin, serializers.ModelSerializer):
    class Meta:
        model = InsuranceInquiry
        fields = InsuranceInquiry.input_fields()
