"""``/api/v1/cases/``: open a case (POST), list the cases one may see (GET), read one (GET
``/cases/{reference}/``). Thin: parse → service → serialise; every row from ``restrict()``."""

from __future__ import annotations

from django.db import IntegrityError
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from api import schema
from api.access import log_case_list, log_case_view
from api.filters import CaseFilter, StrictFilterBackend, reject_unknown_parameters
from api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent, set_resulting_object
from api.pagination import CreatedCursorPagination
from api.permissions import CanOpenCases, is_partner
from api.serializers import CaseCreateSerializer, CaseDetailOutputSerializer, CaseOutputSerializer
from api.views.base import CaseScopedViewSet, case_for, visible_case
from cases.access import VIEW
from cases.errors import Conflict
from cases.models import Case
from cases.registry import registry
from cases.services import case_open


def case_details(user, case: Case):
    """The case's category details, read through ``restrict()`` (None: a kind without details,
    or none recorded)."""
    spec = registry.get(case.category.kind)
    if spec is None or spec.detail_model is None:
        return None
    return spec.detail_model.objects.restrict(user, VIEW).filter(case_id=case.pk).first()


@extend_schema(tags=["cases"])
class CaseViewSet(CaseScopedViewSet):
    permission_classes = [*CaseScopedViewSet.permission_classes, CanOpenCases]
    pagination_class = CreatedCursorPagination
    filter_backends = [StrictFilterBackend]
    filterset_class = CaseFilter
    serializer_class = CaseOutputSerializer

    @extend_schema(
        operation_id="cases_list",
        summary="List the cases you may see",
        description=schema.CASE_LIST_DESCRIPTION,
        responses={200: CaseOutputSerializer(many=True), **schema.errors(400, 401, 403, 429)},
        examples=[schema.CASE_LIST_EXAMPLE],
    )
    def list(self, request, *args, **kwargs):
        cases = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(cases)
        log_case_list(request, page)
        data = CaseOutputSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    @extend_schema(
        operation_id="cases_retrieve",
        summary="Read one case",
        description="The case with its category details, as your role may see it. A case you "
        "may not see is a 404.",
        responses={200: CaseDetailOutputSerializer, **schema.errors(400, 401, 403, 404, 429)},
        examples=[schema.CASE_EXAMPLE],
    )
    def retrieve(self, request, *args, **kwargs):
        reject_unknown_parameters(request, ())
        case = case_for(request.user, kwargs["reference"], VIEW)
        log_case_view(request, case)
        return Response(self._representation(case))

    @extend_schema(
        operation_id="cases_create",
        summary="Open a case",
        description=schema.CASE_CREATE_DESCRIPTION,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=CaseCreateSerializer,
        responses={
            201: CaseDetailOutputSerializer,
            **schema.errors(400, 401, 403, 409, 413, 415, 422, 429),
        },
        examples=[*schema.CASE_CREATE_EXAMPLES, schema.CASE_EXAMPLE],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = CaseCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user
        organisation = user.organisation if is_partner(user) else None
        try:
            case = case_open(
                actor=user,
                patient=data["patient"],
                category=data["category"],
                subject=data["subject"],
                description=data["description"],
                channel=data["channel"],
                priority=data.get("priority"),
                language=data.get("language"),
                source_organisation=organisation,
                external_reference=data.get("external_reference", ""),
                details=data["details"],
            )
        except IntegrityError:
            # A concurrent request with the same external reference committed first.
            reference = (data.get("external_reference") or "").strip()
            duplicate = (
                organisation is not None
                and reference
                and Case.objects.restrict(user, VIEW)
                .filter(source_organisation=organisation, external_reference=reference)
                .exists()
            )
            if not duplicate:
                raise
            raise Conflict(  # the same 409 as the service's own check
                "This organisation already submitted a case with this external reference.",
                code="duplicate_external_reference",
                field="external_reference",
            ) from None
        set_resulting_object(request, case)
        location = reverse("api-v1:case-detail", kwargs={"reference": case.reference})
        shown = visible_case(user, case)
        if shown is None:  # routed where the creator may not look: the receipt only
            body = {"reference": case.reference, "status": case.status}
        else:
            body = self._representation(shown)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})

    def _representation(self, case: Case) -> dict:
        context = {
            **self.get_serializer_context(),
            "details": case_details(self.request.user, case),
        }
        return CaseDetailOutputSerializer(case, context=context).data
