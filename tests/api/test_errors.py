"""The one error format, over a corpus of bad inputs: each asserts the status, the stable code and
the field path. Nothing here may be a 500, and a refused intake writes nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test.utils import override_settings
from rest_framework import exceptions
from rest_framework.test import APIClient

from api.errors import exception_handler
from cases import services
from cases.choices import Status
from cases.models import Case, Patient
from tests.api.conftest import (
    AGENT,
    COMPLIANCE,
    PARTNER_A,
    build_world,
    case_body,
    error_of,
    module_transaction,
)
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

STAFF_BODY = {"channel": "voice"}


@dataclass
class Bad:
    """One bad request: who sends what where, and the error expected."""

    name: str
    role: str
    method: str
    url: str
    body: Any = None  # a dict/list (sent as JSON) or bytes (sent raw)
    status: int = 400
    code: str = "invalid"
    fields: tuple[str, ...] = ()  # the field paths expected (exactly)
    field_code: str | None = None  # the code under the first field, when it differs
    content_type: str = "application/json"
    extra: dict = field(default_factory=dict)


def staff(**overrides) -> dict:
    return case_body(**{**STAFF_BODY, **overrides})


def with_patient(**changes) -> dict:
    body = case_body()
    body["patient"] = {**body["patient"], **changes}
    return body


def without(body: dict, *names: str) -> dict:
    return {key: value for key, value in body.items() if key not in names}


CASES = "/api/v1/cases/"
REF = "{reference}"
CASE = f"/api/v1/cases/{REF}/"

CORPUS = [
    # --- the body itself
    Bad("malformed JSON", PARTNER_A, "post", CASES, b'{"patient": ', code="parse_error"),
    Bad("JSON NaN", PARTNER_A, "post", CASES, b'{"subject": NaN}', code="parse_error"),
    Bad("nested too deep", PARTNER_A, "post", CASES, b"[" * 100_000, code="parse_error"),
    Bad("body is a list", PARTNER_A, "post", CASES, [1, 2], code="invalid"),
    Bad(
        "not JSON",
        PARTNER_A,
        "post",
        CASES,
        b"subject=hello",
        status=415,
        code="unsupported_media_type",
        content_type="application/x-www-form-urlencoded",
    ),
    Bad(
        "too large",
        PARTNER_A,
        "post",
        CASES,
        json.dumps(case_body(description="x" * 2_000_000)).encode(),
        status=413,
        code="too_large",
    ),
    # --- unknown fields, anywhere
    Bad(
        "unknown top-level field",
        PARTNER_A,
        "post",
        CASES,
        case_body(urgent=True),
        code="unknown_field",
        fields=("urgent",),
    ),
    Bad(
        "unknown patient field",
        PARTNER_A,
        "post",
        CASES,
        with_patient(ssn="000-00-0000"),
        code="unknown_field",
        fields=("patient.ssn",),
    ),
    Bad(
        "unknown details field",
        PARTNER_A,
        "post",
        CASES,
        case_body(
            category="refill-request",
            details={"request_type": "refill", "medication": "Examplopril", "colour": "x"},
        ),
        code="unknown_field",
        fields=("details.colour",),
    ),
    # --- required and wrong types
    Bad(
        "no patient",
        PARTNER_A,
        "post",
        CASES,
        without(case_body(), "patient"),
        code="required",
        fields=("patient",),
    ),
    Bad(
        "no subject and no description",
        PARTNER_A,
        "post",
        CASES,
        without(case_body(), "subject", "description"),
        code="required",
        fields=("description", "subject"),
    ),
    Bad(
        "subject is a number",
        PARTNER_A,
        "post",
        CASES,
        case_body(subject=42),
        fields=("subject",),
    ),
    Bad(
        "subject too long",
        PARTNER_A,
        "post",
        CASES,
        case_body(subject="x" * 201),
        code="max_length",
        fields=("subject",),
    ),
    Bad(
        "description is null",
        PARTNER_A,
        "post",
        CASES,
        case_body(description=None),
        code="null",
        fields=("description",),
    ),
    Bad(
        "patient is a string",
        PARTNER_A,
        "post",
        CASES,
        case_body(patient="Fictional, Testy"),
        fields=("patient",),
    ),
    Bad(
        "birth date in the wrong format",
        PARTNER_A,
        "post",
        CASES,
        with_patient(date_of_birth="31/01/1980"),
        fields=("patient.date_of_birth",),
    ),
    Bad(
        "birth date is a number",
        PARTNER_A,
        "post",
        CASES,
        with_patient(date_of_birth=19800131),
        fields=("patient.date_of_birth",),
    ),
    Bad(
        "bad phone number",
        PARTNER_A,
        "post",
        CASES,
        with_patient(phone="12345"),
        code="invalid_phone_number",
        fields=("patient.phone",),
    ),
    Bad(
        "phone is a number",
        PARTNER_A,
        "post",
        CASES,
        with_patient(phone=2025550123),
        fields=("patient.phone",),
    ),
    Bad(
        "bad e-mail",
        PARTNER_A,
        "post",
        CASES,
        with_patient(email="not-an-address"),
        fields=("patient.email",),
    ),
    Bad(
        "unknown language",
        PARTNER_A,
        "post",
        CASES,
        with_patient(preferred_language="xx"),
        code="invalid_choice",
        fields=("patient.preferred_language",),
    ),
    Bad(
        "consent is a string",
        PARTNER_A,
        "post",
        CASES,
        with_patient(sms_consent="yes"),
        fields=("patient.sms_consent",),
    ),
    Bad(
        "SMS consent without a phone (model rule, from the service)",
        PARTNER_A,
        "post",
        CASES,
        with_patient(sms_consent=True, phone=""),
        code="no_phone",
        fields=("patient.sms_consent",),
    ),
    Bad(
        "MRN too long",
        PARTNER_A,
        "post",
        CASES,
        with_patient(mrn="M" * 33),
        code="max_length",
        fields=("patient.mrn",),
    ),
    # An MRN of another patient is no error for a partner: the intake answers as for a new
    # patient and flags the record (tests/api/test_partner_oracle.py).
    # --- categories, channels, priorities, references
    Bad(
        "unknown category",
        PARTNER_A,
        "post",
        CASES,
        case_body(category="no-such-category"),
        code="does_not_exist",
        fields=("category",),
    ),
    Bad(
        "category the organisation may not use",
        PARTNER_A,
        "post",
        CASES,
        case_body(category="not-for-partners"),
        code="not_allowed",
        fields=("category",),
    ),
    Bad(
        "inactive category (from the service)",
        AGENT,
        "post",
        CASES,
        staff(category="retired"),
        code="category_inactive",
        fields=("category",),
    ),
    Bad(
        "unknown channel",
        PARTNER_A,
        "post",
        CASES,
        case_body(channel="pigeon"),
        code="invalid_choice",
        fields=("channel",),
    ),
    Bad(
        "staff without a channel",
        AGENT,
        "post",
        CASES,
        case_body(),
        code="required",
        fields=("channel",),
    ),
    Bad(
        "partner sets the priority",
        PARTNER_A,
        "post",
        CASES,
        case_body(priority=40),
        code="not_permitted",
        fields=("priority",),
    ),
    Bad(
        "priority as a string",
        AGENT,
        "post",
        CASES,
        staff(priority="20"),
        code="invalid_choice",
        fields=("priority",),
    ),
    Bad(
        "unknown priority",
        AGENT,
        "post",
        CASES,
        staff(priority=25),
        code="invalid_choice",
        fields=("priority",),
    ),
    Bad(
        "duplicate external reference",
        PARTNER_A,
        "post",
        CASES,
        case_body(external_reference="A-0001"),
        status=409,
        code="duplicate_external_reference",
        fields=("external_reference",),
    ),
    # --- details (the category kind's serializer, then the model's rules in the service)
    Bad(
        "details not an object",
        PARTNER_A,
        "post",
        CASES,
        case_body(category="refill-request", details=["refill"]),
        code="not_a_dict",
        fields=("details",),
    ),
    Bad(
        "details: bad choice",
        PARTNER_A,
        "post",
        CASES,
        case_body(category="refill-request", details={"request_type": "bogus", "medication": "X"}),
        code="invalid_choice",
        fields=("details.request_type",),
    ),
    Bad(
        "details: a model rule (from the service)",
        PARTNER_A,
        "post",
        CASES,
        case_body(
            category="refill-request", details={"request_type": "transfer", "medication": "X"}
        ),
        code="required",
        fields=("details.pharmacy",),
    ),
    Bad(
        "details: required field missing",
        PARTNER_A,
        "post",
        CASES,
        case_body(category="refill-request", details={"medication": "Examplopril"}),
        code="required",
        fields=("details.request_type",),
    ),
    Bad(
        "details for a kind that takes none (from the service)",
        PARTNER_A,
        "post",
        CASES,
        case_body(details={"anything": 1}),
        code="details_not_accepted",
        fields=("details",),
    ),
    # --- query parameters of the list
    Bad(
        "unknown filter",
        AGENT,
        "get",
        "/api/v1/cases/?colour=red",
        code="unknown_field",
        fields=("colour",),
    ),
    Bad(
        "bad status filter",
        AGENT,
        "get",
        "/api/v1/cases/?status=lost",
        code="invalid_choice",
        fields=("status",),
    ),
    Bad(
        "unknown category filter",
        AGENT,
        "get",
        "/api/v1/cases/?category=nope",
        code="invalid_choice",
        fields=("category",),
    ),
    Bad(
        "unknown queue filter",
        AGENT,
        "get",
        "/api/v1/cases/?queue=nope",
        code="invalid_choice",
        fields=("queue",),
    ),
    Bad(
        "bad priority filter",
        AGENT,
        "get",
        "/api/v1/cases/?priority=high",
        code="invalid_choice",
        fields=("priority",),
    ),
    Bad(
        "bad date filter",
        AGENT,
        "get",
        "/api/v1/cases/?created_after=yesterday",
        fields=("created_after",),
    ),
    Bad(
        "page size zero",
        AGENT,
        "get",
        "/api/v1/cases/?page_size=0",
        code="out_of_range",
        fields=("page_size",),
    ),
    Bad(
        "page size too big",
        AGENT,
        "get",
        "/api/v1/cases/?page_size=201",
        code="out_of_range",
        fields=("page_size",),
    ),
    Bad(
        "page size not a number",
        AGENT,
        "get",
        "/api/v1/cases/?page_size=ten",
        fields=("page_size",),
    ),
    Bad(
        "invalid cursor",
        AGENT,
        "get",
        "/api/v1/cases/?cursor=bm9wZQ",
        code="invalid_cursor",
        fields=("cursor",),
    ),
    Bad(
        "parameter on a case",
        AGENT,
        "get",
        f"{CASE}?expand=all",
        code="unknown_field",
        fields=("expand",),
    ),
    # --- actions and messages
    Bad(
        "unknown status",
        AGENT,
        "post",
        f"{CASE}transition/",
        {"to_status": "lost"},
        code="invalid_choice",
        fields=("to_status",),
    ),
    Bad(
        "transition not in the table",
        AGENT,
        "post",
        f"{CASE}transition/",
        {"to_status": "closed"},
        status=409,
        code="invalid_transition",
        fields=("to_status",),
    ),
    Bad(
        "assignee unknown",
        "supervisor",
        "post",
        f"{CASE}assign/",
        {"assignee": 999_999},
        code="does_not_exist",
        fields=("assignee",),
    ),
    Bad(
        "assignee as a string",
        "supervisor",
        "post",
        f"{CASE}assign/",
        {"assignee": "agent"},
        fields=("assignee",),
    ),
    Bad(
        "assignee missing",
        "supervisor",
        "post",
        f"{CASE}assign/",
        {},
        code="required",
        fields=("assignee",),
    ),
    Bad(
        "claim with a body",
        AGENT,
        "post",
        f"{CASE}claim/",
        {"assignee": 1},
        code="unknown_field",
        fields=("assignee",),
    ),
    Bad(
        "empty message",
        AGENT,
        "post",
        f"{CASE}messages/",
        {"body": ""},
        code="blank",
        fields=("body",),
    ),
    Bad(
        "whitespace message (refused by the service)",
        AGENT,
        "post",
        f"{CASE}messages/",
        {"body": "   "},
        code="blank",
        fields=("body",),
    ),
    Bad(
        "bad visibility",
        AGENT,
        "post",
        f"{CASE}messages/",
        {"body": "Hello", "visibility": "public"},
        code="invalid_choice",
        fields=("visibility",),
    ),
    Bad(
        "partner chooses a visibility",
        PARTNER_A,
        "post",
        f"{CASE}messages/",
        {"body": "Hello", "visibility": "internal"},
        code="unknown_field",
        fields=("visibility",),
    ),
    Bad(
        "message body too long",
        AGENT,
        "post",
        f"{CASE}messages/",
        {"body": "x" * 20_001},
        code="max_length",
        fields=("body",),
    ),
    # --- URLs and methods
    Bad("unknown URL", AGENT, "get", "/api/v1/nothing-here/", status=404, code="not_found"),
    Bad(
        "no trailing slash",
        AGENT,
        "post",
        "/api/v1/cases",
        case_body(),
        status=404,
        code="not_found",
    ),
    Bad(
        "unknown case", AGENT, "get", "/api/v1/cases/PC-1999-999999/", status=404, code="not_found"
    ),
    Bad("reference with dots", AGENT, "get", "/api/v1/cases/../", status=404, code="not_found"),
    Bad(
        "PATCH a case",
        AGENT,
        "patch",
        CASE,
        {"status": "closed"},
        status=405,
        code="method_not_allowed",
    ),
    Bad("DELETE the list", AGENT, "delete", CASES, status=405, code="method_not_allowed"),
    Bad("GET an action", AGENT, "get", f"{CASE}claim/", status=405, code="method_not_allowed"),
    Bad(
        "compliance opens a case",
        COMPLIANCE,
        "post",
        CASES,
        staff(),
        status=403,
        code="permission_denied",
    ),
]


@pytest.fixture(scope="module")
def corpus_world(django_db_setup, django_db_blocker):
    with module_transaction(django_db_blocker):
        yield _corpus_world()


def _corpus_world():
    world = build_world()
    CategoryFactory(
        name="Refill request", slug="refill-request", kind="refills", default_queue=world.queue
    )
    CategoryFactory(name="Partners never", slug="not-for-partners", default_queue=world.queue)
    CategoryFactory(name="Retired", slug="retired", default_queue=world.queue, active=False)
    from tests.api.conftest import allow_categories

    allow_categories(world.org_a, *type(world.category).objects.filter(slug="refill-request"))
    return world


@pytest.mark.parametrize("bad", CORPUS, ids=[bad.name for bad in CORPUS])
def test_bad_input_gets_the_error_format(corpus_world, db, bad: Bad):
    world = corpus_world
    client = world.client(bad.role)
    url = bad.url.replace(REF, world.case.reference)
    cases_before = Case.objects.count()
    patients_before = Patient.objects.count()
    if isinstance(bad.body, bytes):
        response = getattr(client, bad.method)(url, data=bad.body, content_type=bad.content_type)
    elif bad.body is None:
        response = getattr(client, bad.method)(url)
    else:
        response = getattr(client, bad.method)(url, data=bad.body, format="json")

    assert response.status_code == bad.status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    error = error_of(response)
    assert error["code"] == bad.code, error
    assert tuple(sorted(error["fields"])) == tuple(sorted(bad.fields)), error
    if bad.fields:
        first = error["fields"][bad.fields[0]][0]
        assert first["code"] == (bad.field_code or bad.code), error
    assert Case.objects.count() == cases_before  # never a half-written case
    assert Patient.objects.count() == patients_before


def test_the_corpus_is_large_enough():
    assert len(CORPUS) >= 25
    assert len({bad.name for bad in CORPUS}) == len(CORPUS)


def test_a_slashless_url_names_the_right_one(corpus_world, db):
    world = corpus_world
    response = world.client(AGENT).get("/api/v1/cases")
    assert response.status_code == 404
    assert "/api/v1/cases/" in error_of(response)["message"]


def test_a_closed_case_takes_no_reply(corpus_world, db):
    world = corpus_world
    agent = world.users[AGENT]
    for status in (Status.RESOLVED, Status.CLOSED):
        services.case_transition(actor=agent, case=world.case, to_status=status)
    response = world.client(AGENT).post(
        f"/api/v1/cases/{world.case.reference}/messages/", {"body": "Hello"}, format="json"
    )
    assert response.status_code == 409
    error = error_of(response)
    assert (error["code"], list(error["fields"])) == ("case_closed", ["case"])


def test_a_case_someone_else_holds_cannot_be_claimed(corpus_world, db):
    world = corpus_world
    services.case_assign(
        actor=world.users["supervisor"], case=world.case, assignee=world.users["supervisor"]
    )
    response = world.client(AGENT).post(f"/api/v1/cases/{world.case.reference}/claim/")
    assert response.status_code == 409
    assert error_of(response)["code"] == "already_assigned"


def test_a_sensitive_case_cannot_go_to_an_uncleared_assignee(corpus_world, db):
    world = corpus_world
    Case.objects.filter(pk=world.case.pk).update(sensitivity="hiv")  # test set-up only
    response = world.client("superuser").post(
        f"/api/v1/cases/{world.case.reference}/assign/",
        {"assignee": world.users[AGENT].pk},
        format="json",
    )
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], list(error["fields"])) == ("sensitive", ["assignee"])


def test_unauthenticated_requests_get_a_bearer_challenge(corpus_world, db):
    response = APIClient().post("/api/v1/cases/", case_body(), format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert error_of(response)["code"] == "not_authenticated"


@override_settings(DEBUG=False)
def test_a_crash_is_a_500_in_the_error_format(corpus_world, db, monkeypatch):
    world = corpus_world

    def crash(*args, **kwargs):
        raise RuntimeError("simulated")

    monkeypatch.setattr("api.views.cases.case_open", crash)
    client = world.client(AGENT)
    client.raise_request_exception = False
    response = client.post("/api/v1/cases/", staff(), format="json")
    assert response.status_code == 500
    assert error_of(response)["code"] == "server_error"


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (exceptions.NotAcceptable(), 406, "not_acceptable"),
        (exceptions.APIException(), 500, "error"),
        (
            type(
                "Reused",
                (exceptions.APIException,),
                {"status_code": 422, "default_code": "idempotency_key_reused"},
            )(),
            422,
            "idempotency_key_reused",
        ),
        (exceptions.ValidationError({"a": {"b": ["Bad."]}}), 400, "invalid"),
        (exceptions.ValidationError({"items": [{}, {"name": ["Bad."]}]}), 400, "invalid"),
        (exceptions.ValidationError("Whole body bad."), 400, "invalid"),
        (exceptions.Throttled(wait=1.2), 429, "throttled"),
    ],
)
def test_any_api_exception_comes_out_in_the_format(exc, status, code):
    response = exception_handler(exc, {})
    assert response.status_code == status
    body = response.data
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        assert set(body["error"]["fields"]) <= {"a.b", "items.1.name"}
        assert body["error"]["fields"]
    if isinstance(exc, exceptions.Throttled):
        assert response["Retry-After"] == "2"


def test_service_validation_keys_are_kept():
    """A ValidationError of a service, with a dotted key and a non-field error, keeps both."""
    from django.core.exceptions import ValidationError

    error = ValidationError(
        {
            "details.medication": ValidationError("Required.", code="required"),
            "__all__": ValidationError("Inconsistent.", code="inconsistent"),
        }
    )
    body = exception_handler(error, {}).data["error"]
    assert body["fields"] == {"details.medication": [{"code": "required", "message": "Required."}]}
    assert body["message"] == "Inconsistent."
    assert body["code"] == "invalid"
