"""OpenAPI helpers of the API (drf-spectacular): the error responses every endpoint documents,
request/response examples (obviously synthetic: no real patient), the long descriptions, and the
Bearer security scheme of ``partners.authentication.PartnerTokenAuthentication``."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
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


# --- descriptions ---------------------------------------------------------------------------------

CASE_LIST_DESCRIPTION = (
    "The cases you may see: a partner, those its organisation submitted; staff, those of the "
    "queues they work or supervise, assigned or granted to them. Oldest first, cursor-paginated "
    "(follow `next`; no counts). Filters: `status`, `priority`, `category` (repeatable), `queue` "
    "(staff only), `created_after`/`created_before`, `updated_after`/`updated_before` (ISO 8601), "
    "`external_reference`. Unknown parameters are a 400 `unknown_field`."
)

CASE_CREATE_DESCRIPTION = (
    "Open a case. The patient is matched (by MRN, or by name, date of birth and phone or e-mail) "
    "or registered; a known MRN with another name or birth date is a 409 `patient_mismatch`. "
    "Partners: `category` must be one their organisation may use, `channel` defaults to "
    "`partner_api`, `priority` is refused (routing decides), `external_reference` is unique per "
    "organisation (409 `duplicate_external_reference`). `details` are the category kind's fields "
    "(`GET /categories/` lists them); their errors are keyed `details.<field>`. Send an "
    "`Idempotency-Key` to retry safely."
)

MESSAGE_CREATE_DESCRIPTION = (
    "Staff who may work the case: a reply the patient sees (`visibility: patient`, the default) "
    "or an internal note (`internal`). Partners (their organisation's case): a message from the "
    "patient, relayed — send `body` only; it is recorded on the staff timeline (until the core "
    "has an inbound-message kind it is stored as an internal entry authored by the partner's "
    "account, so it does not appear in the partner's own message list). A closed case takes no "
    "replies (409 `case_closed`)."
)

# --- examples -------------------------------------------------------------------------------------

_PATIENT = {
    "mrn": "TEST000123",
    "given_name": "Testy",
    "family_name": "Fictional",
    "date_of_birth": "1980-01-31",
    "phone": "+12025550123",
    "email": "testy.fictional@example.org",
    "preferred_language": "es",
}

CASE_CREATE_EXAMPLES = [
    OpenApiExample(
        "Partner: refill request",
        request_only=True,
        value={
            "patient": _PATIENT,
            "category": "refill-request",
            "subject": "Refill of a blood-pressure medication",
            "description": "The patient asks for a 90-day refill.",
            "external_reference": "EHR-42-0001",
            "details": {"request_type": "refill", "medication": "Examplopril 10 mg"},
        },
    ),
    OpenApiExample(
        "Staff: general question by phone",
        request_only=True,
        value={
            "patient": {
                "given_name": "Testy",
                "family_name": "Fictional",
                "date_of_birth": "1980-01-31",
                "phone": "+12025550123",
            },
            "category": "hours-and-locations",
            "subject": "Weekend hours",
            "description": "Caller asks whether the clinic is open on Saturdays.",
            "channel": "voice",
            "priority": 20,
        },
    ),
]

_CASE = {
    "id": 1201,
    "reference": "PC-2026-001201",
    "patient": {
        "id": 88,
        "mrn": "TEST000123",
        "given_name": "Testy",
        "family_name": "Fictional",
        "date_of_birth": "1980-01-31",
        "preferred_language": "es",
    },
    "category": "refill-request",
    "channel": "partner_api",
    "status": "new",
    "priority": 20,
    "subject": "Refill of a blood-pressure medication",
    "description": "The patient asks for a 90-day refill.",
    "language": "es",
    "source_organisation": 3,
    "external_reference": "EHR-42-0001",
    "first_response_at": None,
    "resolved_at": None,
    "closed_at": None,
    "created_at": "2026-03-02T14:05:09.120000Z",
    "updated_at": "2026-03-02T14:05:09.120000Z",
}

CASE_EXAMPLE = OpenApiExample(
    "A case as a partner sees it",
    response_only=True,
    value={**_CASE, "details": {"request_type": "refill", "medication": "Examplopril 10 mg"}},
)

_STAFF_CASE = {
    **_CASE,
    "queue": "pharmacy-es",
    "sensitivity": "",
    "assigned_to": 17,
    "first_response_due_at": "2026-03-02T18:05:09Z",
    "resolution_due_at": "2026-03-04T14:05:09Z",
    "first_response_at": "2026-03-02T18:30:00Z",
    "status": "in_progress",
    "sla": {
        "first_response": {
            "state": "met_late",
            "label": "Met late",
            "detail": "24 min after its due time",
            "due_at": "2026-03-02T18:05:09Z",
            "met_at": "2026-03-02T18:30:00Z",
            "changes_at": None,
        },
        "resolution": {
            "state": "running",
            "label": "On time",
            "detail": "due in 1 d 19 h",
            "due_at": "2026-03-04T14:05:09Z",
            "met_at": None,
            "changes_at": "2026-03-04T13:35:09Z",
        },
    },
}

CASE_ACTION_RESPONSE_EXAMPLE = OpenApiExample(
    "The case after the action", response_only=True, value=_STAFF_CASE
)

# List examples are the items of a page: drf-spectacular wraps them in the page envelope.
CASE_LIST_EXAMPLE = OpenApiExample("A page of cases", response_only=True, value=[_CASE])

MESSAGE_EXAMPLE = OpenApiExample(
    "A reply as the partner sees it",
    response_only=True,
    value={
        "id": 5012,
        "case": 1201,
        "kind": "reply",
        "body": "Your refill was sent to your pharmacy.",
        "created_at": "2026-03-02T15:10:00Z",
    },
)

MESSAGE_LIST_EXAMPLE = OpenApiExample(
    "A page of messages", response_only=True, value=[MESSAGE_EXAMPLE.value]
)

MESSAGE_CREATE_EXAMPLES = [
    OpenApiExample(
        "Staff: reply to the patient",
        request_only=True,
        value={"body": "Your refill was sent to your pharmacy.", "visibility": "patient"},
    ),
    OpenApiExample(
        "Partner: the patient's message",
        request_only=True,
        value={"body": "I still have not received my refill."},
    ),
]

ASSIGN_EXAMPLES = [
    OpenApiExample("Assign", request_only=True, value={"assignee": 17}),
    OpenApiExample("Unassign", request_only=True, value={"assignee": None}),
]

TRANSITION_EXAMPLES = [
    OpenApiExample(
        "Wait on the patient",
        request_only=True,
        value={"to_status": "waiting_on_patient", "reason": "Asked for the pharmacy's name."},
    )
]

RESOLVE_EXAMPLES = [
    OpenApiExample(
        "Resolve", request_only=True, value={"reason": "Refill sent; patient confirmed."}
    )
]

CATEGORY_LIST_EXAMPLE = OpenApiExample(
    "Categories",
    response_only=True,
    value=[
        {
            "slug": "refill-request",
            "name": "Refill request",
            "kind": "refills",
            "kind_label": "Prescription refills and medication",
            "description": "",
            "default_priority": 20,
            "detail_fields": [
                "request_type",
                "medication",
                "strength",
                "pharmacy",
                "prescriber",
                "last_fill_date",
                "clinical_question",
            ],
        }
    ],
)

QUEUE_LIST_EXAMPLE = OpenApiExample(
    "Queues",
    response_only=True,
    value=[
        {
            "slug": "pharmacy-es",
            "name": "Pharmacy (Spanish)",
            "description": "",
            "active": True,
            "languages": ["en", "es"],
            "can_work": True,
            "can_supervise": False,
        }
    ],
)


# --- authentication -------------------------------------------------------------------------------


class PartnerTokenScheme(OpenApiAuthenticationExtension):
    """``Authorization: Bearer <token>`` of partner service accounts."""

    target_class = "partners.authentication.PartnerTokenAuthentication"
    name = "bearerAuth"
    optional = True  # documented once partners/authentication.py provides the class
    priority = 1  # before drf-spectacular's own knox extension, which would match a subclass

    def get_security_definition(self, auto_schema):
        scheme = build_bearer_security_scheme_object(
            header_name="AUTHORIZATION",
            token_prefix="Bearer",  # noqa: S106 - the scheme's name, not a secret
        )
        scheme["description"] = (
            "A partner service account's API token: `Authorization: Bearer pc_…`. Tokens are "
            "issued by an administrator (shown once), expire, and are refused when the "
            "organisation is inactive or its BAA is not in force."
        )
        return scheme
