from billing_inquiries.models import BillingInquiry
from cases.admin.detail_inline import DetailInline


class BillingInquiryInline(DetailInline):
    """The billing details on the case's page, read-only."""

    model = BillingInquiry
