from rest_framework import serializers

from billing_inquiries.models import BillingInquiry
from cases.minimum_necessary import MinimumNecessaryMixin


class BillingInquirySerializer(MinimumNecessaryMixin, serializers.ModelSerializer):
    class Meta:
        model = BillingInquiry
        fields = BillingInquiry.input_fields()
