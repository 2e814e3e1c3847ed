from cases.admin.detail_inline import DetailInline
from portal_support.models import PortalIssue


class PortalIssueInline(DetailInline):
    """The portal details on the case's page, read-only."""

    model = PortalIssue
