"""Redis down: throttling fails open (one warning), the API keeps answering, the probes say so;
Redis back: requests are counted again. Against a real ``redis-server`` this test starts and
stops (never the shared one)."""

from __future__ import annotations

import datetime
import logging
import time

import pytest
import redis
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache

from api import throttling
from api.throttling import cache_key
from tests.api.conftest import PARTNER_A
from tests.redis_server import REDIS_SERVER, OwnRedis

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        REDIS_SERVER is None,
        reason="redis-server is not on PATH: the outage test needs a Redis it can stop",
    ),
]

NOW = datetime.datetime(2026, 3, 2, 9, 15, 20, tzinfo=datetime.UTC)


@pytest.fixture
def own_redis(settings):
    server = OwnRedis()
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": {
                "socket_connect_timeout": django_settings.CACHE_REDIS_TIMEOUT,
                "socket_timeout": django_settings.CACHE_REDIS_TIMEOUT,
            },
        }
    }
    throttling.outage.reset()
    try:
        yield server
    finally:
        server.stop()
        throttling.outage.reset()


def throttling_records(caplog, level):
    return [r for r in caplog.records if r.name == "api.throttling" and r.levelno == level]


def timed_get(client, url="/api/v1/categories/"):
    started = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - started


@time_machine.travel(NOW, tick=False)
def test_redis_down_fails_open_then_counts_again(own_redis, world, settings, caplog):
    settings.API_RATE_PER_MINUTE = 2
    partner = world.client(PARTNER_A)
    key = cache_key(f"org:{world.org_a.pk}", int(NOW.timestamp() // 60))

    assert partner.get("/api/v1/categories/").status_code == 200
    assert cache.get(key) == 1  # counted in this Redis

    own_redis.stop()
    caplog.set_level(logging.INFO, logger="api.throttling")
    answers = [timed_get(partner) for _ in range(4)]
    # Counted, the 3rd and 4th would be 429: uncounted, all pass, and none waits on Redis.
    assert [response.status_code for response, _ in answers] == [200] * 4
    assert max(seconds for _, seconds in answers) < 2
    warnings = throttling_records(caplog, logging.WARNING)
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert "failing open" in message
    assert throttling.CACHE_KEY_PREFIX not in message
    assert f"org:{world.org_a.pk}" not in message

    for path in ("/healthz", "/readyz"):
        response = partner.get(path)
        assert response.status_code == 200, path
        body = response.json()
        assert body["status"] == "degraded"
        assert body["checks"]["cache"] == "down"
        assert body["checks"]["database"] == "ok"
    assert partner.get("/readyz").json()["degraded"] == ["api_throttling"]

    own_redis.start()  # the same port, empty
    caplog.clear()
    statuses = [partner.get("/api/v1/categories/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]  # counted again from an empty count
    assert [r.getMessage() for r in throttling_records(caplog, logging.INFO)] == [
        "API throttling counts again: the cache answers"
    ]
    ready = partner.get("/readyz").json()
    assert (ready["status"], ready["checks"]["cache"], ready["degraded"]) == ("ok", "ok", [])


def test_other_cache_errors_still_raise(world, settings, monkeypatch):
    """Only an unreachable cache is forgiven: a bug or a refused command is not hidden."""
    monkeypatch.setattr(
        throttling.OrganisationRateThrottle,
        "_count",
        lambda self, key: (_ for _ in ()).throw(redis.exceptions.ResponseError("WRONGTYPE")),
    )
    with pytest.raises(redis.exceptions.ResponseError):
        world.client(PARTNER_A).get("/api/v1/categories/")
