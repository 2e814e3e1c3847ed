"""Bad input on every write of the API (issue 15, "Bad-input defects found"): a body nested
thousands deep, with and without an ``Idempotency-Key``, and query parameters on a write. The
write endpoints are read from the router, so an endpoint added later is covered too."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse

from api.idempotency import REPLAYED_HEADER, canonical_body
from api.models import IdempotencyRecord
from api.urls import app_name, router
from cases.models import Case, CaseEvent, Patient
from tests.api.conftest import ANONYMOUS, PARTNER_A, SUPERUSER, case_body, error_of

WRITE_METHODS = ("post", "put", "patch", "delete")
# A Luhn-valid test card number: a value that must never come back in an error.
CARD = "4111111111111111"


def write_endpoints(reference: str) -> list[tuple[str, str]]:
    """(method, url) of every write the API serves."""
    endpoints = []
    for pattern in router.urls:
        actions = getattr(pattern.callback, "actions", {})
        kwargs = {"reference": reference} if "reference" in pattern.pattern.regex.groupindex else {}
        url = reverse(f"{app_name}:{pattern.name}", kwargs=kwargs)
        endpoints.extend((method, url) for method in actions if method in WRITE_METHODS)
    return endpoints


def nested(depth: int) -> bytes:
    return b"[" * depth + b'"x"' + b"]" * depth


def counts() -> tuple[int, int, int]:
    return Case.objects.count(), CaseEvent.objects.count(), Patient.objects.count()


def send(client, method: str, url: str, body: bytes, **extra):
    return getattr(client, method)(url, data=body, content_type="application/json", **extra)


def test_the_api_has_writes_to_check(module_world, db):
    endpoints = write_endpoints(module_world.case.reference)
    assert ("post", "/api/v1/cases/") in endpoints
    assert len(endpoints) >= 6


# --- a body nested thousands deep ------------------------------------------------------------


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_a_deep_body_is_the_same_400_with_or_without_an_idempotency_key(module_world, db, depth):
    client = module_world.client(SUPERUSER)
    before = counts()
    for number, (method, url) in enumerate(write_endpoints(module_world.case.reference)):
        plain = send(client, method, url, nested(depth))
        keyed = send(client, method, url, nested(depth), HTTP_IDEMPOTENCY_KEY=f"deep-{number}")
        for response in (plain, keyed):
            assert response.status_code == 400, (url, response.content[:300])
            assert error_of(response)["code"] == "parse_error", url
            assert "nested too deeply" in error_of(response)["message"]
        assert keyed.json() == plain.json()
        # The keyed 400 is a result like any other 4xx: stored, and replayed on a retry.
        replay = send(client, method, url, nested(depth), HTTP_IDEMPOTENCY_KEY=f"deep-{number}")
        assert (replay.status_code, replay[REPLAYED_HEADER]) == (400, "true")
        assert replay.json() == plain.json()
    assert counts() == before
    assert IdempotencyRecord.objects.filter(response_status=400).count() == len(
        write_endpoints(module_world.case.reference)
    )


@pytest.mark.parametrize("depth", [200, 600, 800, 900, 950, 990, 1_100])
@pytest.mark.parametrize("field", ["body", "subject", "patient", "patient.given_name", "details"])
def test_deep_values_near_the_parser_limit_never_fail_the_server(module_world, db, depth, field):
    """Around the interpreter's recursion limit a body may parse in one place and not in
    another (the keyed request runs a few frames deeper): whatever the depth and wherever the
    deep value sits, the answer is the same 400 with a key as without one — a parse error, or
    the field's own error when the decoder still managed — never a 500."""
    client = module_world.client(PARTNER_A)
    body = case_body(n=950)
    if field == "body":
        raw = nested(depth)
    else:
        holder, _, name = field.rpartition(".")
        (body[holder] if holder else body)[name] = "DEEP"
        raw = json.dumps(body).replace('"DEEP"', nested(depth).decode()).encode()
    plain = send(client, "post", "/api/v1/cases/", raw)
    keyed = send(client, "post", "/api/v1/cases/", raw, HTTP_IDEMPOTENCY_KEY=f"near-{depth}")
    assert plain.status_code == keyed.status_code == 400, (plain.content[:300], keyed.content[:300])
    codes = {error_of(plain)["code"], error_of(keyed)["code"]}
    assert len(codes) == 1 or "parse_error" in codes, codes


def test_the_fingerprint_of_an_undecodable_deep_body_is_its_bytes(rf):
    from rest_framework.parsers import JSONParser
    from rest_framework.request import Request

    raw = nested(100_000)
    request = Request(
        rf.post("/api/v1/cases/", data=raw, content_type="application/json"),
        parsers=[JSONParser()],
    )
    assert canonical_body(request) == raw


# --- query parameters on a write --------------------------------------------------------------


def test_a_write_with_query_parameters_is_a_400_naming_them_but_not_their_values(module_world, db):
    client = module_world.client(SUPERUSER)
    before = counts()
    for method, url in write_endpoints(module_world.case.reference):
        response = getattr(client, method)(
            f"{url}?card={CARD}&notify=yes&notify=again&empty=",
            data={},
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"query-{url}",
        )
        assert response.status_code == 400, (url, response.content[:300])
        error = error_of(response)
        assert error["code"] == "unknown_field"
        assert sorted(error["fields"]) == ["card", "empty", "notify"]
        assert {item["code"] for items in error["fields"].values() for item in items} == {
            "unknown_field"
        }
        assert CARD not in response.content.decode()
        assert "yes" not in json.dumps(error["fields"])
    assert counts() == before
    assert not IdempotencyRecord.objects.exists()  # refused before any key was claimed


def test_a_valid_write_with_a_query_parameter_does_nothing(module_world, db):
    """The body is valid: only the query string is wrong, and nothing is written."""
    client = module_world.client(PARTNER_A)
    before = counts()
    response = client.post("/api/v1/cases/?priority=40", case_body(n=951), format="json")
    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["priority"]
    assert counts() == before
    assert client.post("/api/v1/cases/", case_body(n=951), format="json").status_code == 201


def test_authentication_comes_before_the_query_check(module_world, db):
    response = module_world.client(ANONYMOUS).post("/api/v1/cases/?x=1", {}, format="json")
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


def test_a_method_the_endpoint_does_not_serve_stays_a_405(module_world, db):
    client = module_world.client(SUPERUSER)
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)("/api/v1/cases/?x=1", {}, format="json")
        assert response.status_code == 405
        assert error_of(response)["code"] == "method_not_allowed"


def test_lists_keep_their_filters_and_reads_their_own_rules(module_world, db):
    client = module_world.client(SUPERUSER)
    assert client.get("/api/v1/cases/?status=new&page_size=5").status_code == 200
    unknown = client.get(f"/api/v1/cases/?colour={CARD}")
    assert unknown.status_code == 400
    assert list(error_of(unknown)["fields"]) == ["colour"]
    assert CARD not in unknown.content.decode()


def test_every_viewset_of_the_api_refuses_query_parameters_on_writes():
    from api.views.base import ApiViewSet

    assert [
        viewset.__name__
        for _prefix, viewset, _basename in router.registry
        if not issubclass(viewset, ApiViewSet)
    ] == []


# --- a date of birth out of range -------------------------------------------------------------


def _tomorrow_in_the_deployment() -> str:
    from cases.validators import deployment_today

    return (deployment_today() + datetime.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (_tomorrow_in_the_deployment, "future_date"),
        (lambda: "2999-01-01", "future_date"),
        (lambda: "1899-12-31", "date_too_early"),
        (lambda: "0001-01-01", "date_too_early"),
    ],
)
@pytest.mark.parametrize("key", [None, "birth-date"])
def test_an_intake_with_a_birth_date_out_of_range_is_a_400_naming_the_field(
    module_world, db, value, code, key
):
    value = value()
    body = case_body(n=960)
    body["patient"]["date_of_birth"] = value
    before = counts()
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    response = module_world.client(PARTNER_A).post("/api/v1/cases/", body, format="json", **extra)
    assert response.status_code == 400, response.content[:300]
    error = error_of(response)
    assert error["code"] == code
    assert list(error["fields"]) == ["patient.date_of_birth"]
    assert error["fields"]["patient.date_of_birth"][0]["code"] == code
    assert value not in response.content.decode()  # the message never echoes the date
    assert counts() == before


def test_a_birth_date_of_today_is_accepted(module_world, db):
    from cases.validators import deployment_today

    body = case_body(n=961)
    body["patient"]["date_of_birth"] = deployment_today().isoformat()
    response = module_world.client(PARTNER_A).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201, response.content[:300]


# --- headers larger than the API accepts --------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "named"),
    [
        ({"HTTP_AUTHORIZATION": "Bearer pc_" + "a" * 1_100}, "Authorization"),
        ({"HTTP_X_PARTNER_TRACE": "t" * 4_097}, "X-Partner-Trace"),
        ({"HTTP_ACCEPT": "application/json;" + "q" * 5_000}, "Accept"),
        ({f"HTTP_X_NOTE_{n}": CARD + "n" * 3_000 for n in range(6)}, "total"),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_header_too_large_is_a_431_naming_it_but_not_its_value(
    module_world, db, headers, named, method
):
    client = module_world.client(PARTNER_A)
    before = counts()
    response = getattr(client, method)("/api/v1/cases/", case_body(n=970), format="json", **headers)
    assert response.status_code == 431
    error = error_of(response)
    assert error["code"] == "header_too_large"
    assert error["fields"] == {}
    assert named in error["message"]
    body = response.content.decode()
    assert all(value[:40] not in body for value in headers.values())
    assert counts() == before


def test_an_anonymous_request_with_a_huge_authorization_is_a_431_too(module_world, db):
    response = module_world.client(ANONYMOUS).get(
        "/api/v1/cases/", HTTP_AUTHORIZATION="Bearer " + "x" * 2_000
    )
    assert response.status_code == 431
    assert "Authorization" in error_of(response)["message"]


def test_headers_within_the_limits_are_served(module_world, db):
    response = module_world.client(PARTNER_A).get(
        "/api/v1/cases/", HTTP_X_PARTNER_TRACE="t" * 4_096, HTTP_AUTHORIZATION_EXTRA="x"
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("length", "status", "code"),
    [
        (256, 400, "invalid_idempotency_key"),
        (5_000, 400, "invalid_idempotency_key"),
        (20_000, 431, "header_too_large"),  # all the headers together are too large
    ],
)
def test_an_idempotency_key_too_long_keeps_its_own_400(module_world, db, length, status, code):
    response = module_world.client(PARTNER_A).post(
        "/api/v1/cases/", case_body(n=971), format="json", HTTP_IDEMPOTENCY_KEY="k" * length
    )
    assert response.status_code == status
    assert error_of(response)["code"] == code
    assert "k" * 100 not in response.content.decode()
    assert not IdempotencyRecord.objects.exists()


def test_pages_outside_the_api_are_not_checked(client, db):
    """The limits are the API's contract; the console and admin are for browsers."""
    response = client.get("/healthz", HTTP_X_BIG="b" * 5_000)
    assert response.status_code == 200


# --- the new errors in the OpenAPI schema ------------------------------------------------------


def test_the_schema_lists_431_everywhere_and_411_wherever_a_body_is_taken(tmp_path):
    import yaml
    from django.core.management import call_command

    path = tmp_path / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    schema = yaml.safe_load(path.read_text())
    operations = [
        (name, method, operation)
        for name, item in schema["paths"].items()
        for method, operation in item.items()
        if name.startswith("/api/v1/") and not name.startswith("/api/v1/schema")
    ]
    assert operations
    for name, method, operation in operations:
        responses = operation["responses"]
        assert "431" in responses, (name, method)
        examples = responses["431"]["content"]["application/json"]["examples"]
        assert any(
            example["value"]["error"]["code"] == "header_too_large" for example in examples.values()
        )
        if method in WRITE_METHODS:
            assert {"400", "411", "413"} <= set(responses), (name, method)


def test_a_card_number_as_a_parameter_or_header_name_is_not_echoed(module_world, db):
    client = module_world.client(SUPERUSER)
    response = client.post(f"/api/v1/cases/?{CARD}=1", {}, format="json")
    assert response.status_code == 400
    assert list(error_of(response)["fields"]) == ["411111******1111"]
    assert CARD not in response.content.decode()
    response = client.get("/api/v1/cases/", **{f"HTTP_X_{CARD}": "v" * 5_000})
    assert response.status_code == 431
    assert "X-411111******1111" in error_of(response)["message"]
    assert CARD not in response.content.decode()
