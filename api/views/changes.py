"""Changes to what a case is, as POST actions (``cases.changes``; docs/architecture/partner-api.md,
"Case changes"):

* ``/cases/{reference}/sensitivity/`` — mark the case sensitive or clear it, with a reason (who
  sees the case and holds ``cases.set_sensitivity``: supervisors, the compliance officer);
* ``/cases/{reference}/patient-sensitivity/`` — the same for the case's patient (all their cases);
* ``/cases/{reference}/move/`` — to another queue you work or supervise (who may work the case);
* ``/cases/{reference}/category/`` — recategorise, with the new kind's details (who may work it);
* ``/cases/{reference}/priority/`` — raise or lower the priority (who may work it).

Each reads like ``api.views.actions``: the case through ``restrict()`` (404 for who may not see
it, 403 for who sees it but may not act so), the input serializer, one service with the request's
user as actor, the case as the user now sees it. A change that takes the case out of the user's
sight (made sensitive by a supervisor without the clearance) answers 204 with no body: the case
is no longer theirs to read.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from api import schema
from api.change_serializers import (
    CategoryChangeSerializer,
    MoveSerializer,
    PrioritySerializer,
    SensitivitySerializer,
)
from api.idempotency import idempotent
from api.serializers import CaseOutputSerializer
from api.views.base import CaseScopedViewSet, case_for, visible_case
from cases import changes
from cases.access import VIEW, WORK
from cases.models import Case

GONE_FROM_SIGHT = OpenApiResponse(
    description="Done, and the case is no longer visible to you (no body)."
)


def _schema(operation_id: str, summary: str, description: str, request, examples):
    return schema.case_action(
        operation_id,
        summary,
        description,
        request=request,
        responses={200: CaseOutputSerializer, 204: GONE_FROM_SIGHT},
        examples=[*examples, schema.CASE_ACTION_RESPONSE_EXAMPLE],
    )


def _example(name: str, value: dict) -> OpenApiExample:
    return OpenApiExample(name, request_only=True, value=value)


@extend_schema(tags=["case changes"])
class CaseChangeViewSet(CaseScopedViewSet):
    serializer_class = CaseOutputSerializer

    def _done(self, case: Case) -> Response:
        shown = visible_case(self.request.user, case)
        if shown is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(CaseOutputSerializer(shown, context=self.get_serializer_context()).data)

    def _parsed(self, serializer_class, request):
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer

    @_schema(
        "cases_set_sensitivity",
        "Mark a case sensitive, or clear it",
        "Needs sight of the case and the `cases.set_sensitivity` permission (supervisors, the "
        "compliance officer); a reason is required. From then on only people cleared for "
        "sensitive records see the case (204 if that no longer includes you).",
        SensitivitySerializer,
        [
            _example("Part 2", {"sensitivity": "substance_use", "reason": "Part 2 program."}),
            _example("Clear", {"sensitivity": "", "reason": "Marked in error."}),
        ],
    )
    @action(detail=True, methods=["post"], url_path="sensitivity")
    @idempotent
    def sensitivity(self, request, *args, **kwargs):
        case = case_for(request.user, kwargs["reference"], VIEW)
        data = self._parsed(SensitivitySerializer, request).validated_data
        changed = changes.case_set_sensitivity(
            actor=request.user, case=case, sensitivity=data["sensitivity"], reason=data["reason"]
        )
        return self._done(changed)

    @_schema(
        "cases_set_patient_sensitivity",
        "Mark the case's patient sensitive, or clear it",
        "As `sensitivity`, for the patient: every case of a sensitive patient is sensitive.",
        SensitivitySerializer,
        [_example("HIV", {"sensitivity": "hiv", "reason": "Clinical record says so."})],
    )
    @action(detail=True, methods=["post"], url_path="patient-sensitivity")
    @idempotent
    def patient_sensitivity(self, request, *args, **kwargs):
        case = case_for(request.user, kwargs["reference"], VIEW)
        data = self._parsed(SensitivitySerializer, request).validated_data
        changes.patient_set_sensitivity(
            actor=request.user,
            patient=case.patient,
            sensitivity=data["sensitivity"],
            reason=data["reason"],
        )
        return self._done(case)

    @_schema(
        "cases_move",
        "Move a case to another queue",
        "Needs work access to the case and membership (work or supervise) of the target queue "
        "(else 400 `not_queue_member`). An assignee who is not a member of the new queue is "
        "unassigned. A closed case is a 409 `case_closed`.",
        MoveSerializer,
        [_example("Move", {"queue": "billing", "reason": "A billing question."})],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def move(self, request, *args, **kwargs):
        case = case_for(request.user, kwargs["reference"], WORK)
        data = self._parsed(MoveSerializer, request).validated_data
        changed = changes.case_move(
            actor=request.user, case=case, queue=data["queue"], reason=data.get("reason", "")
        )
        return self._done(changed)

    @_schema(
        "cases_change_category",
        "Change a case's category",
        "Needs work access. The details are validated as the new category's kind's: within the "
        "same kind send only the fields to change; for another kind send its details with its "
        "required fields (else 400 naming `details.<field>`). The previous kind's details are "
        "kept, no longer shown. Queue and priority stay; the SLA due times follow the policy of "
        "the new category.",
        CategoryChangeSerializer,
        [
            _example(
                "To billing",
                {
                    "category": "statement-question",
                    "details": {"inquiry_type": "statement_question"},
                    "reason": "About a bill, not an appointment.",
                },
            )
        ],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def category(self, request, *args, **kwargs):
        case = case_for(request.user, kwargs["reference"], WORK)
        serializer = self._parsed(CategoryChangeSerializer, request)
        data = serializer.validated_data
        changed = changes.case_change_category(
            actor=request.user,
            case=case,
            category=data["category"],
            details=serializer.typed_details(case),
            reason=data.get("reason", ""),
        )
        return self._done(changed)

    @_schema(
        "cases_change_priority",
        "Change a case's priority",
        "Needs work access. The SLA due times follow the policy for the new priority; business "
        "time already used counts (docs/architecture/routing-and-sla.md).",
        PrioritySerializer,
        [_example("Raise", {"priority": 40, "reason": "Patient reports new symptoms."})],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def priority(self, request, *args, **kwargs):
        case = case_for(request.user, kwargs["reference"], WORK)
        data = self._parsed(PrioritySerializer, request).validated_data
        changed = changes.case_change_priority(
            actor=request.user, case=case, priority=data["priority"], reason=data.get("reason", "")
        )
        return self._done(changed)
