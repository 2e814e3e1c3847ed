"""The catalogue: ``/api/v1/categories/`` (what a case can be about) and ``/api/v1/queues/``
(staff only: where cases are worked). Configuration, no PHI: not access-logged, not paginated
(tens of rows)."""

from __future__ import annotations

from django.db.models import BooleanField, Value
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from accounts.permissions import holds
from api import schema
from api.filters import reject_unknown_parameters
from api.permissions import CanReadCategories, CanReadQueues, categories_for
from api.serializers import CategoryOutputSerializer, QueueOutputSerializer
from api.views.base import ApiViewSet
from cases.access import CHANGE_CASE, SUPERVISE, WORK, queue_membership
from cases.models import Queue


@extend_schema(tags=["catalogue"])
class CategoryViewSet(ApiViewSet):
    permission_classes = [*ApiViewSet.permission_classes, CanReadCategories]
    serializer_class = CategoryOutputSerializer
    pagination_class = None

    def get_queryset(self):
        return categories_for(self.request.user).filter(active=True).order_by("kind", "name")

    @extend_schema(
        operation_id="categories_list",
        summary="List the categories you may open cases in",
        description="Active categories; for a partner, those its organisation may use. "
        "`detail_fields` names what `details` takes when opening a case.",
        responses={200: CategoryOutputSerializer(many=True), **schema.errors(400, 401, 403, 429)},
        examples=[schema.CATEGORY_LIST_EXAMPLE],
    )
    def list(self, request, *args, **kwargs):
        reject_unknown_parameters(request, ())
        serializer = CategoryOutputSerializer(self.get_queryset(), many=True)
        return Response(serializer.data)


def queues_with_flags(user):
    """Every queue, with ``can_work`` / ``can_supervise`` for ``user`` (the same grants as
    ``restrict()``: a queue grant to the user or a group, and a role that may change cases)."""
    queues = Queue.objects.prefetch_related("languages").order_by("name")
    if not holds(user, CHANGE_CASE):  # a superuser too: by their roles (issue 17)
        false = Value(False, output_field=BooleanField())
        return queues.annotate(can_work=false, can_supervise=false)
    return queues.annotate(
        can_work=queue_membership(user, WORK),
        can_supervise=queue_membership(user, SUPERVISE),
    )


@extend_schema(tags=["catalogue"])
class QueueViewSet(ApiViewSet):
    permission_classes = [*ApiViewSet.permission_classes, CanReadQueues]
    serializer_class = QueueOutputSerializer
    pagination_class = None

    def get_queryset(self):
        return queues_with_flags(self.request.user)

    @extend_schema(
        operation_id="queues_list",
        summary="List the queues (staff)",
        description="Every queue, with whether you work or supervise it. Staff only: partners "
        "get a 403 (where cases are routed is not theirs to see).",
        responses={200: QueueOutputSerializer(many=True), **schema.errors(400, 401, 403, 429)},
        examples=[schema.QUEUE_LIST_EXAMPLE],
    )
    def list(self, request, *args, **kwargs):
        reject_unknown_parameters(request, ())
        return Response(QueueOutputSerializer(self.get_queryset(), many=True).data)
