from cases.admin.detail_inline import DetailInline
from prescription_refills.models import RefillRequest


class RefillRequestInline(DetailInline):
    """The refill details on the case's page, read-only."""

    model = RefillRequest
