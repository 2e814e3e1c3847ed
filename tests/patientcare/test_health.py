"""The health probes: ``/healthz`` (liveness, each dependency's state) and ``/readyz`` (readiness:
503 with ``Retry-After`` without the database, 200 ``degraded`` without Redis). The outage of a
real Redis is in tests/api/test_throttling_redis_down.py."""

from __future__ import annotations

import socket

import pytest

from patientcare import health
from tests.factories import UserFactory

PROBES = ("/healthz", "/readyz")


@pytest.fixture
def signed_in_client(client, db):
    from django.test import Client

    other = Client()
    other.force_login(UserFactory(username="health-staff", is_staff=True))
    return other


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"  # nothing listens there once the socket is closed


@pytest.mark.django_db
@pytest.mark.parametrize("path", PROBES)
def test_everything_up_is_ok(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"
    assert set(body["checks"].values()) == {"ok"}
    if path == "/readyz":
        assert body["degraded"] == []


def test_the_channel_layer_is_checked_only_when_it_is_redis(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    assert health.redis_channel_hosts() == []
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    assert health.redis_channel_hosts() == ["redis://127.0.0.1:1/0"]


def test_database_unreachable_liveness_200_readiness_503(client, monkeypatch, settings):
    class BrokenConnection:
        def cursor(self):
            raise OSError("connection refused by db.internal.example")

    monkeypatch.setattr(health, "connection", BrokenConnection())
    live = client.get("/healthz")
    assert live.status_code == 200
    assert live.json()["status"] == "unavailable"
    assert live.json()["checks"]["database"] == "down"

    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready["Retry-After"] == str(settings.DATABASE_RETRY_AFTER_SECONDS)
    assert "no-store" in ready["Cache-Control"]
    assert ready.json()["status"] == "unavailable"
    for response in (live, ready):
        assert b"refused" not in response.content  # no exception text
        assert b"db.internal" not in response.content


@pytest.mark.django_db
def test_channel_layer_down_is_degraded_live_updates(client, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [closed_port_url()]},
        }
    }
    live = client.get("/healthz")
    assert live.status_code == 200
    assert live.json()["checks"]["channel_layer"] == "down"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["degraded"] == ["live_updates"]
    assert b"127.0.0.1" not in ready.content


@pytest.mark.django_db
def test_cache_down_is_degraded_api_throttling(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": closed_port_url(),
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["cache"] == "down"
    assert "api_throttling" in ready.json()["degraded"]


@pytest.mark.parametrize("path", PROBES)
@pytest.mark.parametrize("database", ["ok", "down"])
def test_anonymous_and_signed_in_get_the_same_answer(
    client, signed_in_client, monkeypatch, path, database
):
    monkeypatch.setattr(health, "database_state", lambda: database)
    anonymous, signed_in = client.get(path), signed_in_client.get(path)
    assert anonymous.status_code == signed_in.status_code
    assert anonymous.status_code == (503 if path == "/readyz" and database == "down" else 200)
    assert anonymous.json() == signed_in.json()


@pytest.mark.parametrize("path", PROBES)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_probes_are_get_only(client, path, method):
    assert getattr(client, method)(path).status_code == 405
