"""The error responses every API operation documents (the one error shape, ``api.errors``), with
synthetic examples, and the schema of a POST action on a case."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema

from api.errors import ApiErrorSerializer, error_body

# --- errors ---------------------------------------------------------------------------------------

_ERROR_EXAMPLES: dict[int, list[tuple[str, dict]]] = {
    400: [
        (
            "Invalid fields",
            error_body(
                "invalid",
                "2 fields are invalid: patient.date_of_birth, details.medication.",
                {
                    "patient.date_of_birth": [
                        {
                            "code": "invalid",
                            "message": "Date has wrong format. Use one of these formats "
                            "instead: YYYY-MM-DD.",
                        }
                    ],
                    "details.medication": [
                        {"code": "required", "message": "This field is required."}
                    ],
                },
            ),
        ),
        (
            "Unknown field",
            error_body(
                "unknown_field",
                "patient.ssn: Unknown field.",
                {"patient.ssn": [{"code": "unknown_field", "message": "Unknown field."}]},
            ),
        ),
        (
            "Malformed JSON",
            error_body("parse_error", "JSON parse error - Expecting value: line 1 column 1."),
        ),
        (
            "Date of birth in the future",
            error_body(
                "future_date",
                "patient.date_of_birth: The date of birth cannot be in the future.",
                {
                    "patient.date_of_birth": [
                        {
                            "code": "future_date",
                            "message": "The date of birth cannot be in the future.",
                        }
                    ]
                },
            ),
        ),
        (
            "Query parameter on a write",
            error_body(
                "unknown_field",
                "notify: Unknown query parameter: this request takes its input in the JSON body.",
                {
                    "notify": [
                        {
                            "code": "unknown_field",
                            "message": "Unknown query parameter: this request takes its input "
                            "in the JSON body.",
                        }
                    ]
                },
            ),
        ),
    ],
    401: [
        (
            "No credentials",
            error_body("not_authenticated", "Authentication credentials were not provided."),
        ),
        ("Expired token", error_body("token_expired", "This token expired; ask for a new one.")),
    ],
    403: [
        (
            "Not allowed",
            error_body("permission_denied", "You may see this case but not work on it."),
        ),
        (
            "BAA expired",
            error_body(
                "baa_expired",
                "This organisation's Business Associate Agreement expired on 2025-12-31; API "
                "access is refused until a new agreement is recorded.",
            ),
        ),
    ],
    404: [("Not found", error_body("not_found", "Not found."))],
    405: [("Method not allowed", error_body("method_not_allowed", 'Method "PATCH" not allowed.'))],
    409: [
        (
            "Duplicate external reference",
            error_body(
                "duplicate_external_reference",
                "external_reference: This organisation already submitted a case with this "
                "external reference.",
                {
                    "external_reference": [
                        {
                            "code": "duplicate_external_reference",
                            "message": "This organisation already submitted a case with this "
                            "external reference.",
                        }
                    ]
                },
            ),
        ),
        (
            "Invalid transition",
            error_body(
                "invalid_transition",
                "to_status: A case cannot move from New to Closed (allowed: In progress, "
                "Resolved, Triaged).",
                {
                    "to_status": [
                        {
                            "code": "invalid_transition",
                            "message": "A case cannot move from New to Closed (allowed: In "
                            "progress, Resolved, Triaged).",
                        }
                    ]
                },
            ),
        ),
        (
            "Already assigned",
            error_body(
                "already_assigned",
                "case: Already claimed by Alma Claimer.",
                {
                    "case": [
                        {"code": "already_assigned", "message": "Already claimed by Alma Claimer."}
                    ]
                },
            ),
        ),
    ],
    413: [
        (
            "Body too large",
            error_body(
                "too_large", "The request body is larger than the 1,048,576 bytes the API accepts."
            ),
        )
    ],
    411: [
        (
            "Chunked body the server cannot read",
            error_body(
                "length_required",
                "This server cannot read a chunked request body; send the body with a "
                "Content-Length header.",
            ),
        )
    ],
    415: [
        (
            "Not JSON",
            error_body("unsupported_media_type", 'Unsupported media type "text/plain" in request.'),
        )
    ],
    422: [
        (
            "Idempotency key reused",
            error_body(
                "idempotency_key_reused",
                "This Idempotency-Key was used with a different request body.",
            ),
        )
    ],
    429: [
        (
            "Throttled",
            error_body("throttled", "Request was throttled. Expected available in 21 seconds."),
        )
    ],
    431: [
        (
            "Header too large",
            error_body(
                "header_too_large",
                "The Authorization header is longer than the 1,024 bytes the API accepts.",
            ),
        )
    ],
}

_ERROR_DESCRIPTIONS = {
    400: "Invalid input: a field map of errors, each with a stable code.",
    401: "No credentials, or credentials that are not valid (`WWW-Authenticate: Bearer`).",
    403: "Authenticated, but not allowed (this action, this endpoint, or the organisation's "
    "access today).",
    404: "No such record, or one you may not see (never a 403 for a record you cannot see).",
    405: "Method not allowed.",
    409: "Conflicts with the record's current state.",
    411: "A chunked body the server cannot read (only behind a WSGI server that does not end "
    "the decoded stream; gunicorn and daphne read chunked bodies): send a `Content-Length`.",
    413: "The request body is too large.",
    415: "The body is not JSON.",
    422: "The Idempotency-Key was used with another request.",
    429: "Rate limit of your organisation (staff: your account) reached; see `Retry-After`.",
    431: "A request header is longer than the API accepts (`Authorization` 1,024 bytes, any "
    "other 4,096), or all of them together pass 16,384 bytes. Larger ones are refused by the "
    "server itself, not in this format (docs/operations/serving.md).",
}

# Every operation may get these, whatever it lists: a header too large (any request), and a
# chunked body the server cannot read (any request that takes a body, i.e. lists 413).
_ALWAYS = (431,)
_WITH_A_BODY = (411,)


# What a POST action on a case may answer besides its success (api/views/: actions, changes,
# complaint actions).
CASE_ACTION_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422, 429)


def case_action(operation_id: str, summary: str, description: str, *, request, examples, responses):
    """The schema of a POST action on a case: its ``Idempotency-Key``, the request, ``responses``
    (the success ones) with :data:`CASE_ACTION_ERRORS`, and the examples."""
    from api.idempotency import IDEMPOTENCY_KEY_PARAMETER  # api.idempotency imports the models

    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        description=description,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=request,
        responses={**responses, **errors(*CASE_ACTION_ERRORS)},
        examples=examples,
    )


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """The documented error responses of an operation: the error schema and examples (431
    always; 411 with 413, for operations that take a body)."""
    statuses = (*statuses, *_ALWAYS, *(_WITH_A_BODY if 413 in statuses else ()))
    return {
        status: OpenApiResponse(
            response=ApiErrorSerializer,
            description=_ERROR_DESCRIPTIONS[status],
            examples=[
                OpenApiExample(name, value=value, response_only=True)
                for name, value in _ERROR_EXAMPLES[status]
            ],
        )
        for status in sorted(set(statuses))
    }
