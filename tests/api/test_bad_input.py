"""Bad input on every write of the API (issue 15, "Bad-input defects found"): a body nested
thousands deep, with and without an ``Idempotency-Key``, and query parameters on a write. The
write endpoints are read from the router, so an endpoint added later is covered too."""

from __future__ import annotations

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
    another: whatever the depth and wherever the deep value sits, the answer is a 4xx, and the
    same with a key as without one."""
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
    assert 400 <= plain.status_code < 500, plain.content[:300]
    assert keyed.status_code == plain.status_code, keyed.content[:300]
    assert error_of(keyed)["code"] == error_of(plain)["code"]


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
