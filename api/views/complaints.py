"""The complaint actions of a case (docs/architecture/partner-api.md, "Complaint actions"):

* ``POST /cases/{reference}/complaint/acknowledge/`` — record that the grievance was
  acknowledged to the patient (``complaints.services.complaint_acknowledge``);
* ``POST /cases/{reference}/complaint/respond/`` — record the response: its outcome and a
  summary (``complaint_respond``).

Who may: those who may work the case (its queue's agents and supervisors). A case the user may
not see is a 404; one they see but may not work is a 403 (``api.views.base.case_for``). The
service's refusals: 409 ``already_acknowledged``, ``already_responded``, ``not_acknowledged``,
``not_a_complaint``; 400 for the body. Both answer with the complaint's deadlines and state.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from api import schema
from api.complaint_serializers import ComplaintOutputSerializer, ComplaintRespondSerializer
from api.idempotency import idempotent
from api.serializers import EmptySerializer
from api.views.base import CaseScopedViewSet, case_for
from cases.access import WORK
from complaints.services import complaint_acknowledge, complaint_respond

_COMPLAINT_EXAMPLE = {
    "reference": "PC-2026-000123",
    "state": "response_due",
    "state_label": "Response due 2026-03-13 23:59",
    "overdue": False,
    "acknowledgement_due_at": "2026-03-11T23:59:59.999999-04:00",
    "acknowledged_at": "2026-03-09T14:15:00-04:00",
    "acknowledgement_overdue_at": None,
    "response_due_at": "2026-03-13T23:59:59.999999-04:00",
    "responded_at": None,
    "response_overdue_at": None,
    "outcome": "pending",
}


def _schema(operation_id: str, summary: str, description: str, request, examples):
    return schema.case_action(
        operation_id,
        summary,
        description,
        request=request,
        responses={200: ComplaintOutputSerializer},
        examples=[
            *examples,
            OpenApiExample(
                "The complaint after the action", response_only=True, value=_COMPLAINT_EXAMPLE
            ),
        ],
    )


@extend_schema(tags=["complaint actions"])
class ComplaintActionViewSet(CaseScopedViewSet):
    serializer_class = ComplaintOutputSerializer

    @_schema(
        "cases_complaint_acknowledge",
        "Acknowledge a complaint",
        "Record that the grievance was acknowledged to the patient, now (42 CFR 482.13). Needs "
        "work access to the case. Once only: a second time is a 409 `already_acknowledged`; a "
        "case that is not a complaint is a 409 `not_a_complaint`.",
        EmptySerializer,
        [],
    )
    @action(detail=True, methods=["post"], url_path="complaint/acknowledge")
    @idempotent
    def complaint_acknowledge(self, request, *args, **kwargs):
        case = case_for(request.user, kwargs["reference"], WORK)
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        complaint = complaint_acknowledge(actor=request.user, case=case)
        return Response(ComplaintOutputSerializer(complaint).data)

    @_schema(
        "cases_complaint_respond",
        "Record the response to a complaint",
        "Record the response given to the patient, now: `outcome` (not `pending`) and "
        "`summary` (required unless the outcome is `withdrawn`; card numbers are redacted). "
        "Needs work access to the case. The complaint must have been acknowledged (else 409 "
        "`not_acknowledged`); once only (409 `already_responded`).",
        ComplaintRespondSerializer,
        [
            OpenApiExample(
                "Respond",
                request_only=True,
                value={
                    "outcome": "partially_upheld",
                    "summary": "Reviewed with the department; apology sent and staff retrained.",
                },
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="complaint/respond")
    @idempotent
    def complaint_respond(self, request, *args, **kwargs):
        case = case_for(request.user, kwargs["reference"], WORK)
        serializer = ComplaintRespondSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        complaint = complaint_respond(
            actor=request.user,
            case=case,
            outcome=data["outcome"],
            summary=data.get("summary", ""),
        )
        return Response(ComplaintOutputSerializer(complaint).data)
