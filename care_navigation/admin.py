from care_navigation.models import NavigationRequest
from cases.admin.detail_inline import DetailInline


class NavigationRequestInline(DetailInline):
    """The care navigation details on the case's page, read-only."""

    model = NavigationRequest
