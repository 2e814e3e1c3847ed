"""The API's views (thin: parse → service → serialise; every row from ``restrict()``)."""

from api.views.actions import CaseActionViewSet
from api.views.cases import CaseViewSet
from api.views.catalog import CategoryViewSet, QueueViewSet
from api.views.complaints import ComplaintActionViewSet
from api.views.messages import CaseMessageViewSet

__all__ = [
    "CaseActionViewSet",
    "CaseMessageViewSet",
    "CaseViewSet",
    "CategoryViewSet",
    "ComplaintActionViewSet",
    "QueueViewSet",
]
