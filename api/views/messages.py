"""``/api/v1/cases/{reference}/messages/``: a case's conversation.

GET: the timeline as the role may see it — a partner only what the patient sees (replies),
without staff names; staff every event (replies, internal notes, status changes), minimum
necessary applied per field.

POST, staff (who may work the case): a reply the patient sees (``visibility: patient``, the
default) or an internal note (``internal``) — ``case_add_note``.

POST, partner (its organisation's case): a message *from* the patient, relayed by the partner
(SMS, portal, IVR transcript) — ``case_receive_message``: part of the patient conversation
(``EventKind.INBOUND``, patient-visible), never an internal note; a case waiting on the patient
goes back to in progress. The partner cannot choose the visibility.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from api import schema
from api.access import log_case_view
from api.filters import reject_unknown_parameters
from api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from api.pagination import CreatedCursorPagination
from api.permissions import is_partner
from api.serializers import (
    MessageOutputSerializer,
    PartnerMessageSerializer,
    StaffMessageSerializer,
)
from api.views.base import CaseScopedViewSet, case_for
from cases.access import VIEW, WORK
from cases.models import CaseEvent
from cases.services import case_add_note, case_receive_message


@extend_schema(tags=["messages"])
class CaseMessageViewSet(CaseScopedViewSet):
    pagination_class = CreatedCursorPagination
    serializer_class = MessageOutputSerializer

    @extend_schema(
        operation_id="cases_messages_list",
        summary="Read a case's messages",
        description="Partners: the messages the patient sees. Staff: the whole timeline, as "
        "their role may see it. Oldest first, cursor-paginated.",
        responses={200: MessageOutputSerializer(many=True), **schema.errors(400, 401, 404, 429)},
        examples=[schema.MESSAGE_LIST_EXAMPLE],
    )
    @action(detail=True, methods=["get"], url_path="messages", url_name="messages")
    def messages(self, request, *args, **kwargs):
        reject_unknown_parameters(request, self.paginator.query_parameters)
        case = case_for(request.user, kwargs["reference"], VIEW)
        events = CaseEvent.objects.restrict(request.user, VIEW).filter(case_id=case.pk)
        page = self.paginate_queryset(events)
        log_case_view(request, case)
        data = MessageOutputSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    @extend_schema(
        operation_id="cases_messages_create",
        summary="Add a message to a case",
        description=schema.MESSAGE_CREATE_DESCRIPTION,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=StaffMessageSerializer,
        responses={
            201: MessageOutputSerializer,
            **schema.errors(400, 401, 403, 404, 409, 413, 415, 422, 429),
        },
        examples=[*schema.MESSAGE_CREATE_EXAMPLES, schema.MESSAGE_EXAMPLE],
    )
    @messages.mapping.post
    @idempotent
    def add_message(self, request, *args, **kwargs):
        user = request.user
        if is_partner(user):
            case = case_for(user, kwargs["reference"], VIEW)
            serializer = PartnerMessageSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            event = case_receive_message(
                actor=user, case=case, body=serializer.validated_data["body"]
            )
        else:
            case = case_for(user, kwargs["reference"], WORK)
            serializer = StaffMessageSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            event = case_add_note(
                actor=user,
                case=case,
                body=serializer.validated_data["body"],
                visibility=serializer.validated_data["visibility"],
            )
        data = MessageOutputSerializer(event, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)
