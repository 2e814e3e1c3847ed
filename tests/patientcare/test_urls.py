"""The URL map: the root redirect, the API schema and its documentation pages, and the ASGI
application that serves them (the health probes: test_health.py)."""

from __future__ import annotations

import json
import re

import pytest
from channels.routing import ProtocolTypeRouter
from channels.testing import HttpCommunicator, WebsocketCommunicator

from tests.factories import UserFactory


@pytest.fixture
def staff_client(client, db):
    client.force_login(UserFactory(username="api-staff", is_staff=True))
    return client


# --- root ----------------------------------------------------------------------------------------


def test_root_redirects_to_the_admin(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


# --- API schema and documentation ----------------------------------------------------------------


def test_schema_is_an_openapi_3_document_for_staff(staff_client):
    response = staff_client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "PatientCare API"
    assert document["info"]["version"].startswith("1.0.0")
    assert "paths" in document


@pytest.mark.django_db
def test_schema_is_refused_to_anonymous(client):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code in (401, 403)


@pytest.mark.parametrize(("path", "marker"), [("/api/v1/docs/", b"swagger-ui")])
def test_api_documentation_renders_for_a_logged_in_user(staff_client, path, marker):
    response = staff_client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert marker in response.content.lower()
    if path == "/api/v1/docs/":  # Swagger UI's set-up is a script of its own (no inline script)
        response = staff_client.get(path, {"script": ""})
        assert response["Content-Type"].startswith("application/javascript")
    assert b"/api/v1/schema/" in response.content  # the page loads our schema


@pytest.mark.parametrize("path", ["/api/v1/docs/"])
def test_api_documentation_loads_nothing_from_another_origin(staff_client, path):
    """Swagger UI comes from drf-spectacular-sidecar's static files: no CDN, no fonts;
    every script is a file of ours with this response's nonce."""
    response = staff_client.get(path)
    page = response.content.decode()
    assert "http://" not in page and "https://" not in page
    assert "/static/drf_spectacular_sidecar/" in page
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts
    for tag in scripts:
        assert ' src="/' in tag and f'nonce="{nonce}"' in tag, tag


# --- ASGI ----------------------------------------------------------------------------------------


def test_asgi_application_routes_http_and_websocket():
    from patientcare.asgi import application

    assert isinstance(application, ProtocolTypeRouter)
    assert set(application.application_mapping) == {"http", "websocket"}


async def test_asgi_serves_http():
    from patientcare.asgi import application

    communicator = HttpCommunicator(application, "GET", "/", headers=[(b"host", b"localhost")])
    response = await communicator.get_response()
    assert response["status"] == 302
    assert (b"Location", b"/admin/") in response["headers"]


async def test_asgi_refuses_websockets_from_foreign_origins():
    from patientcare.asgi import application

    communicator = WebsocketCommunicator(
        application, "/ws/queues/1/", headers=[(b"origin", b"https://attacker.example")]
    )
    connected, _ = await communicator.connect()
    assert connected is False
    await communicator.disconnect()
