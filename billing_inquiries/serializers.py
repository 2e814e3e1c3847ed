from rest_framework import serializers

from billing_inquiries.models import BillingInquiry


class BillingInquirySerializer(serializers.ModelSerializer):
    class Meta:
        model = BillingInquiry
        fields = BillingInquiry.input_fields()
