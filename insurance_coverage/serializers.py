from rest_framework import serializers

from insurance_coverage.models import InsuranceInquiry


class InsuranceInquirySerializer(serializers.ModelSerializer):
    class Meta:
        model = InsuranceInquiry
        fields = InsuranceInquiry.input_fields()
