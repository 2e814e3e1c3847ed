from rest_framework import serializers

from tests.throwaway_category.models import DentalBenefitInquiry


class DentalBenefitInquirySerializer(serializers.ModelSerializer):
    class Meta:
        model = DentalBenefitInquiry
        fields = DentalBenefitInquiry.input_fields()
