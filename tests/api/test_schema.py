"""The OpenAPI schema: valid with no warning (as CI runs it), served behind authentication,
documenting every endpoint with examples, the error schema and the Bearer scheme."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.api.conftest import AGENT, PARTNER_A, error_of

OPERATIONS = {
    ("/api/v1/cases/", "get"),
    ("/api/v1/cases/", "post"),
    ("/api/v1/cases/{reference}/", "get"),
    ("/api/v1/cases/{reference}/messages/", "get"),
    ("/api/v1/cases/{reference}/messages/", "post"),
    ("/api/v1/cases/{reference}/claim/", "post"),
    ("/api/v1/cases/{reference}/assign/", "post"),
    ("/api/v1/cases/{reference}/transition/", "post"),
    ("/api/v1/cases/{reference}/resolve/", "post"),
    # Issue 15's case changes (api.views.changes)
    ("/api/v1/cases/{reference}/sensitivity/", "post"),
    ("/api/v1/cases/{reference}/patient-sensitivity/", "post"),
    ("/api/v1/cases/{reference}/move/", "post"),
    ("/api/v1/cases/{reference}/category/", "post"),
    ("/api/v1/cases/{reference}/priority/", "post"),
    ("/api/v1/categories/", "get"),
    ("/api/v1/queues/", "get"),
    # the complaint actions (api.views.complaints)
    ("/api/v1/cases/{reference}/complaint/acknowledge/", "post"),
    ("/api/v1/cases/{reference}/complaint/respond/", "post"),
}


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def test_the_schema_validates_without_warnings(schema):
    assert schema["openapi"].startswith("3.")


def test_every_endpoint_is_documented_with_examples_and_errors(schema):
    found = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert found == OPERATIONS
    for path, method in OPERATIONS:
        operation = schema["paths"][path][method]
        responses = operation["responses"]
        success = next(code for code in responses if code.startswith("2"))
        assert responses[success]["content"]["application/json"].get("examples"), (path, method)
        # claim and the complaint acknowledgement take no body
        if method == "post" and not path.endswith(("/claim/", "/complaint/acknowledge/")):
            assert operation["requestBody"]["content"]["application/json"]["examples"], path
        if method == "post":
            assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
        for code in ("401", "429"):
            content = responses[code]["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/ApiError"}
            assert content["examples"]
    assert set(schema["components"]["schemas"]["ApiErrorBody"]["properties"]) == {
        "code",
        "message",
        "fields",
    }


def test_bearer_tokens_are_documented(schema):
    schemes = schema["components"]["securitySchemes"]
    try:
        import partners.authentication  # noqa: F401
    except ImportError:
        pytest.skip("partners.authentication is not there yet")
    assert schemes["bearerAuth"]["scheme"] == "bearer"
    assert {"bearerAuth": []} in schema["paths"]["/api/v1/cases/"]["post"]["security"]


@pytest.mark.django_db
def test_the_schema_and_docs_are_served_to_the_authenticated_only(world):
    assert APIClient().get("/api/v1/schema/").status_code == 401
    assert error_of(APIClient().get("/api/v1/schema/"))["code"] == "not_authenticated"
    for role in (AGENT, PARTNER_A):
        response = world.client(role).get("/api/v1/schema/?format=json")
        assert response.status_code == 200
    assert world.client(AGENT).get("/api/v1/docs/").status_code == 200
    # No ReDoc page: its build fetches its logo from a CDN (api/views/docs.py).
    assert world.client(AGENT).get("/api/v1/redoc/").status_code == 404
