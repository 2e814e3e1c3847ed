"""Request and response examples of the API's operations (obviously synthetic: no real patient)
and their long descriptions."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample

# --- descriptions ---------------------------------------------------------------------------------

CASE_LIST_DESCRIPTION = (
    "The cases you may see: a partner, those its organisation submitted; staff, those of the "
    "queues they work or supervise, assigned or granted to them. Oldest first, cursor-paginated "
    "(follow `next`; no counts). Filters: `status`, `priority`, `category` (repeatable), `queue` "
    "(staff only), `created_after`/`created_before`, `updated_after`/`updated_before` (ISO 8601), "
    "`external_reference`. Unknown parameters are a 400 `unknown_field`."
)

CASE_CREATE_DESCRIPTION = (
    "Open a case. The patient is matched — by MRN, or by name, date of birth and phone or "
    "e-mail — among the patients you already know (a partner: those of the cases its "
    "organisation submitted), or registered. Anything else, such as an MRN already held by a "
    "patient you do not know or one whose name or birth date differ, answers exactly as a new "
    "patient does (201, your data echoed back) and is flagged for our staff to reconcile; it is "
    "never refused and never shows you another record. Staff who may see the patient anyway get "
    "a 409 `patient_mismatch` for a known MRN with another name or birth date. "
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
