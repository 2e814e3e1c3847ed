"""The one error format of the API (docs/architecture/partner-api.md, "Errors")::

    {"error": {"code": "<stable code>", "message": "<a sentence for people>",
               "fields": {"patient.date_of_birth": [{"code": "invalid", "message": "…"}]}}}

``exception_handler`` (REST_FRAMEWORK["EXCEPTION_HANDLER"]) turns every exception a view raises
into it: DRF's APIExceptions (validation, parse errors, 401/403/404/405/415/429, and any subclass
raised elsewhere, such as api.idempotency's 422), the services' refusals (``cases.errors``:
``Invalid`` 400, ``Conflict`` 409, ``NotFound`` 404, ``Forbidden`` 403; field map and codes kept;
a plain ``ValidationError`` of a model is a 400), ``Http404``, ``PermissionDenied`` and
``RequestDataTooBig`` (413).
``api.middleware.ApiErrorMiddleware`` gives the responses Django makes itself under /api/ (an
unknown URL, an oversized body, a crash) the same shape.

Field paths are dotted (``patient.phone``, ``details.medication``, ``items.0.name``): the services'
``ValidationError`` keys and the input serializers' nesting agree. An error that belongs to no
field (``non_field_errors``/``__all__``) is reported on its parent's path, or as the top-level
message when it concerns the whole body. The top-level ``code`` is the one code every error
shares (``unknown_field``, ``duplicate_external_reference``), or ``invalid`` when they differ.

Messages never contain patient data beyond what the client itself sent, never a card number
(every string of an error body is redacted: compliance.pci), and nothing here logs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from cases.errors import Conflict as ServiceConflict
from cases.errors import Forbidden, Invalid, NotFound
from compliance.pci import redact_json

INVALID = "invalid"
_NON_FIELD_KEYS = frozenset({NON_FIELD_ERRORS, api_settings.NON_FIELD_ERRORS_KEY})
# Codes of the errors the API answers with for each HTTP status when nothing more specific exists.
STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    411: "length_required",
    415: "unsupported_media_type",
    422: "unprocessable",
    431: "header_too_large",
    429: "throttled",
    500: "server_error",
    503: "unavailable",
}
STATUS_MESSAGES = {
    400: "The request is malformed.",
    401: "Authentication credentials were not provided or are not valid.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    405: "This method is not allowed here.",
    406: "The requested response format is not available; ask for application/json.",
    409: "The request conflicts with the current state of the record.",
    413: "The request body is too large.",
    411: "Send the request body with a Content-Length header.",
    415: "Unsupported media type; send application/json.",
    422: "The request cannot be processed.",
    431: "A request header, or all of them together, is larger than the API accepts.",
    429: "Too many requests.",
    500: "The server failed to process the request; it has been logged.",
    503: "The service is temporarily unavailable: its database cannot be reached. Retry after "
    "the number of seconds in the Retry-After header.",
}
BEARER_CHALLENGE = 'Bearer realm="api"'


class Conflict(exceptions.APIException):
    """409: the request is valid but conflicts with the record's current state."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = STATUS_MESSAGES[409]


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = STATUS_MESSAGES[413]


def too_large_message(limit: int) -> str:
    return f"The request body is larger than the {limit:,} bytes the API accepts."


# --- the body -------------------------------------------------------------------------------------


def error_body(code: str, message: str, fields: Mapping[str, list] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": dict(fields or {})}}


def error_response(
    status_code: int, code: str | None = None, message: str | None = None, **kwargs: Any
) -> JsonResponse:
    """A plain Django response in the error format (for middleware, outside DRF)."""
    return JsonResponse(
        redact_json(
            error_body(
                code or STATUS_CODES.get(status_code, "error"),
                message or STATUS_MESSAGES.get(status_code, "Error."),
                kwargs.get("fields"),
            )
        )[0],
        status=status_code,
        headers=kwargs.get("headers"),
    )


def _join(path: str, key: Any) -> str:
    key = str(key)
    if key in _NON_FIELD_KEYS:
        return path
    return f"{path}.{key}" if path else key


def _flatten_drf(detail: Any, path: str, out: dict[str, list[dict[str, str]]]) -> None:
    """DRF's nested error detail (dicts of lists of ErrorDetail, lists for ``many``) → dotted
    paths. A list of errors stays on ``path``; a list of per-item dicts numbers the items."""
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            _flatten_drf(value, _join(path, key), out)
    elif isinstance(detail, list):
        if all(isinstance(item, exceptions.ErrorDetail | str) for item in detail):
            for item in detail:
                _flatten_drf(item, path, out)
        else:
            for index, item in enumerate(detail):
                if item:  # DRF leaves {} for the valid items of a list
                    _flatten_drf(item, _join(path, index), out)
    else:
        code = getattr(detail, "code", None) or INVALID
        out.setdefault(path, []).append({"code": str(code), "message": str(detail)})


def _django_messages(error: DjangoValidationError) -> Iterable[tuple[str, str]]:
    for item in error.error_list:
        message = item.message
        if item.params:
            with contextlib.suppress(KeyError, TypeError, ValueError):
                message = message % item.params
        yield str(item.code or INVALID), str(message)


def _flatten_django(error: DjangoValidationError) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            path = ".".join(part for part in str(field).split(".") if part not in _NON_FIELD_KEYS)
            for nested in errors:
                for code, message in _django_messages(nested):
                    out.setdefault(path, []).append({"code": code, "message": message})
    else:
        for code, message in _django_messages(error):
            out.setdefault("", []).append({"code": code, "message": message})
    return out


def _summary(fields: dict[str, list[dict[str, str]]]) -> tuple[str, str, dict]:
    """(top-level code, message, fields without the body-wide errors) of a validation failure."""
    whole = fields.pop("", [])
    codes = {item["code"] for items in fields.values() for item in items} | {
        item["code"] for item in whole
    }
    code = codes.pop() if len(codes) == 1 else INVALID
    if whole:
        message = " ".join(item["message"] for item in whole)
    elif len(fields) == 1:
        (path, items), *_ = fields.items()
        message = f"{path}: {items[0]['message']}"
    else:
        message = f"{len(fields)} fields are invalid: {', '.join(fields)}."
    return code, message, fields


def validation_response_data(
    fields: dict[str, list[dict[str, str]]], status_code: int = status.HTTP_400_BAD_REQUEST
) -> tuple[int, dict]:
    code, message, fields = _summary(fields)
    return status_code, error_body(code, message, fields)


# The one place the API maps the services' refusals (cases.errors) to a status. ``NotFound`` and
# ``Forbidden`` answer as Django's Http404 and PermissionDenied always have here (DRF's 404 and
# 403, their messages), so a refusal never says more than the read path would.
REFUSAL_STATUS = {
    ServiceConflict: status.HTTP_409_CONFLICT,
    Invalid: status.HTTP_400_BAD_REQUEST,
}


def refusal_status(error: DjangoValidationError) -> int:
    """400 for bad input (an ``Invalid``, or a plain ``ValidationError`` a model raised), 409 for
    a ``Conflict`` with the record's state."""
    for kind, status_code in REFUSAL_STATUS.items():
        if isinstance(error, kind):
            return status_code
    return status.HTTP_400_BAD_REQUEST


# --- the handler ----------------------------------------------------------------------------------


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]. Returns None (a 500, logged by Django, shaped by the
    middleware) only for exceptions that are not about the request. PCI DSS 3.4: every message
    and field path of the body is redacted (DRF's own messages echo the input: '"4111…" is not
    a valid choice.'), so an error never repeats a card number it was sent."""
    response = _exception_response(exc, context)
    if response is not None:
        response.data = redact_json(response.data)[0]
    return response


def _exception_response(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    headers: dict[str, str] = {}
    if isinstance(exc, NotFound):
        exc = exceptions.NotFound()
    elif isinstance(exc, Forbidden):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        set_rollback()
        status_code, data = validation_response_data(_flatten_django(exc), refusal_status(exc))
        return Response(data, status=status_code)
    if isinstance(exc, RequestDataTooBig):
        from django.conf import settings

        exc = PayloadTooLarge(too_large_message(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None

    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        # Always a 401 with a challenge (RFC 9110), whatever the first authentication class.
        exc.status_code = status.HTTP_401_UNAUTHORIZED
        headers["WWW-Authenticate"] = getattr(exc, "auth_header", None) or BEARER_CHALLENGE
    wait = getattr(exc, "wait", None)
    if wait is not None:
        headers["Retry-After"] = str(max(1, int(wait + 0.999)))
    set_rollback()

    if isinstance(exc.detail, dict | list):
        fields: dict[str, list[dict[str, str]]] = {}
        _flatten_drf(exc.detail, "", fields)
        if isinstance(exc, exceptions.ValidationError):
            status_code, data = validation_response_data(fields)
        else:
            code, message, fields = _summary(fields)
            status_code, data = exc.status_code, error_body(code, message, fields)
        return Response(data, status=status_code, headers=headers)

    code = getattr(exc.detail, "code", None) or exc.default_code
    if isinstance(exc, exceptions.ParseError):
        code = "parse_error"
    elif isinstance(exc, exceptions.MethodNotAllowed):
        code = "method_not_allowed"
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        code = "unsupported_media_type"
    elif isinstance(exc, exceptions.Throttled):
        code = "throttled"
    elif isinstance(exc, exceptions.NotFound) and code == "not_found":
        exc.detail = exceptions.ErrorDetail(STATUS_MESSAGES[404], code="not_found")
    if isinstance(exc, exceptions.ValidationError):
        status_code, data = validation_response_data({"": [{"code": code, "message": exc.detail}]})
        return Response(data, status=status_code, headers=headers)
    return Response(error_body(str(code), str(exc.detail)), status=exc.status_code, headers=headers)


# --- the schema components ------------------------------------------------------------------------


class ApiFieldErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A stable code: `required`, `invalid`, `unknown_field`…")
    message = serializers.CharField(help_text="A sentence for people; may change.")


class ApiErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="A stable code to branch on: `invalid`, `unknown_field`, `parse_error`, "
        "`not_authenticated`, `permission_denied`, `not_found`, `method_not_allowed`, "
        "`duplicate_external_reference`, `invalid_transition`, `too_large`, `length_required`, "
        "`header_too_large`, `throttled`, `unavailable`, `mfa_required` (a staff session "
        "without its second factor)…"
    )
    message = serializers.CharField(help_text="A sentence for people; may change.")
    fields = serializers.DictField(
        child=serializers.ListField(child=ApiFieldErrorSerializer()),
        help_text="Per field path (`patient.date_of_birth`, `details.medication`): its errors. "
        "Empty when the error is about the request as a whole.",
    )


class ApiErrorSerializer(serializers.Serializer):
    error = ApiErrorBodySerializer()
