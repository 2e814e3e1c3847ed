"""Staff actions on a case, as POST endpoints (never a PATCH of ``status`` or ``assigned_to``):

* ``/cases/{reference}/claim/`` — assign the case to oneself (who may work it), through
  ``cases.services.case_claim``; a case assigned to someone else is a 409 ``already_assigned``
  naming who holds it (a supervisor reassigns with ``/assign/``);
* ``/cases/{reference}/assign/`` — assign to a person, or unassign (who may supervise it);
* ``/cases/{reference}/transition/`` — move along the workflow (who may work it);
* ``/cases/{reference}/resolve/`` — resolve (who may work it).

Each calls one service with the request's user as actor; the service's refusals come back as
409 (``invalid_transition``, ``case_closed``, ``already_assigned``) or 400 with its code.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from api import schema
from api.idempotency import idempotent
from api.serializers import (
    AssignSerializer,
    CaseOutputSerializer,
    EmptySerializer,
    ResolveSerializer,
    TransitionSerializer,
)
from api.views.base import CaseScopedViewSet, case_for, visible_case
from cases.access import SUPERVISE, WORK
from cases.choices import Status
from cases.errors import Invalid, ServiceError
from cases.models import Case
from cases.services import case_assign, case_claim, case_transition


def _action_schema(operation_id: str, summary: str, description: str, request, examples):
    return schema.case_action(
        operation_id,
        summary,
        description,
        request=request,
        responses={200: CaseOutputSerializer},
        examples=[*examples, schema.CASE_ACTION_RESPONSE_EXAMPLE],
    )


@extend_schema(tags=["case actions"])
class CaseActionViewSet(CaseScopedViewSet):
    serializer_class = CaseOutputSerializer

    def _done(self, case: Case) -> Response:
        shown = visible_case(self.request.user, case) or case
        return Response(CaseOutputSerializer(shown, context=self.get_serializer_context()).data)

    @_action_schema(
        "cases_claim",
        "Claim a case",
        "Assign the case to yourself. Needs work access to the case; a case someone else holds "
        "is a 409 `already_assigned`. Claiming a case you hold changes nothing.",
        EmptySerializer,
        [],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def claim(self, request, *args, **kwargs):
        case = case_for(request.user, kwargs["reference"], WORK)
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        return self._done(case_claim(actor=request.user, case=case))

    @_action_schema(
        "cases_assign",
        "Assign or unassign a case",
        "Supervisors of the case's queue: assign the case to a person (`assignee`: their id) or "
        "unassign it (`null`). A sensitive case needs an assignee cleared for sensitive records.",
        AssignSerializer,
        schema.ASSIGN_EXAMPLES,
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def assign(self, request, *args, **kwargs):
        case = case_for(request.user, kwargs["reference"], SUPERVISE)
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignee = serializer.validated_data["assignee"]
        return self._done(case_assign(actor=request.user, case=case, assignee=assignee))

    @_action_schema(
        "cases_transition",
        "Change a case's status",
        "Move the case along the workflow (docs/architecture/cases.md): new → triaged → in "
        "progress ⇄ waiting → resolved → closed, or reopen a resolved case. Anything else is a "
        "409 `invalid_transition` naming the allowed statuses.",
        TransitionSerializer,
        schema.TRANSITION_EXAMPLES,
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def transition(self, request, *args, **kwargs):
        case = case_for(request.user, kwargs["reference"], WORK)
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            changed = case_transition(
                actor=request.user,
                case=case,
                to_status=data["to_status"],
                reason=data.get("reason", ""),
            )
        except DjangoValidationError as exc:
            raise _renamed(exc, {"status": "to_status"}) from exc
        return self._done(changed)

    @_action_schema(
        "cases_resolve",
        "Resolve a case",
        "Resolve the case from any open status (first-contact resolution from `new`). A case "
        "already resolved or closed is a 409 `invalid_transition`.",
        ResolveSerializer,
        schema.RESOLVE_EXAMPLES,
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def resolve(self, request, *args, **kwargs):
        case = case_for(request.user, kwargs["reference"], WORK)
        serializer = ResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data.get("reason", "")
        changed = case_transition(
            actor=request.user, case=case, to_status=Status.RESOLVED, reason=reason
        )
        return self._done(changed)


def _renamed(error: DjangoValidationError, names: dict[str, str]) -> DjangoValidationError:
    """The service's field names as the request named them (``status`` → ``to_status``), the
    refusal's kind (``Invalid``, ``Conflict``) kept."""
    if isinstance(error, ServiceError):
        return error.renamed(names)
    if not hasattr(error, "error_dict"):
        return error
    return Invalid.wrap(error).renamed(names)
