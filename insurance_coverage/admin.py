from cases.admin.detail_inline import DetailInline
from insurance_coverage.models import InsuranceInquiry


class InsuranceInquiryInline(DetailInline):
    """The insurance details on the case's page, read-only."""

    model = InsuranceInquiry
