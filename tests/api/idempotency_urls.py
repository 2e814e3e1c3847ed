"""A test-only urlconf for tests/api/test_idempotency*.py: small DRF views whose POST handlers
are ``@idempotent`` and open real cases through ``cases.services.case_open``, so "exactly one case"
is counted in the database, independent of the real endpoints in api/views/.

The body steers the handler: ``refuse`` raises an API error after the case was written (its
savepoint must undo the case), ``respond`` returns a 5xx after writing, ``crash_once`` raises an
unhandled error the first time its token is seen, ``sleep`` holds the transaction open (so that
concurrent twins really wait on the key's unique index)."""

from __future__ import annotations

import threading
import time
from collections import Counter

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from rest_framework import exceptions, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from api.idempotency import idempotent, set_resulting_object
from cases.choices import Channel
from cases.models import Category
from cases.services import case_open

CALLS: Counter[str] = Counter()
_calls_lock = threading.Lock()
CRASHED: set[str] = set()


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "Conflict."


REFUSALS = {
    "400": lambda: exceptions.ValidationError({"subject": ["Refused."]}),
    "401": exceptions.NotAuthenticated,
    "403": exceptions.PermissionDenied,
    "404": exceptions.NotFound,
    "409": Conflict,
    "429": lambda: exceptions.Throttled(wait=30),
}


def error_format_handler(exc, context):
    """Stands in for api/errors.py's handler until REST_FRAMEWORK names it: the same shape."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    codes = exc.get_codes()
    detail = exc.detail
    response.data = {
        "error": {
            "code": codes if isinstance(codes, str) else "invalid",
            "message": str(detail) if isinstance(detail, str) else "Invalid input.",
            "fields": detail if isinstance(detail, dict) else {},
        }
    }
    return response


class BaseView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes: list = []
    renderer_classes = [JSONRenderer]

    def get_exception_handler(self):
        handler = super().get_exception_handler()
        return error_format_handler if handler is drf_exception_handler else handler


def count(name: str) -> None:
    with _calls_lock:
        CALLS[name] += 1


class CaseIntakeView(BaseView):
    @idempotent
    def post(self, request):
        count("cases")
        data = request.data
        category = Category.objects.filter(slug=data.get("category")).first()
        if category is None:
            raise exceptions.NotFound("Unknown category.")
        try:
            case = case_open(
                actor=request.user,
                patient=data["patient"],
                category=category,
                subject=data.get("subject", ""),
                description=data.get("description", ""),
                channel=Channel.PARTNER_API,
                source_organisation=request.user.organisation,
                external_reference=data.get("external_reference", ""),
            )
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from exc
        if data.get("sleep"):
            time.sleep(float(data["sleep"]))
        if data.get("refuse"):
            raise REFUSALS[data["refuse"]]()
        if data.get("respond"):
            return Response({"error": "unavailable"}, status=int(data["respond"]))
        token = data.get("crash_once")
        if token and token not in CRASHED:
            CRASHED.add(token)
            raise RuntimeError("simulated failure after the case was written")
        set_resulting_object(request, case)
        return Response(
            {"id": case.pk, "reference": case.reference, "status": case.status},
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/cases/{case.pk}/"},
        )


class OtherView(BaseView):
    @idempotent
    def post(self, request):
        count("other")
        return Response({"ok": True})

    @idempotent
    def put(self, request):
        count("other-put")
        return Response({"ok": True})


urlpatterns = [
    path("test/cases/", CaseIntakeView.as_view()),
    path("test/other/", OtherView.as_view()),
]
