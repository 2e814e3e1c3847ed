"""Health probes for load balancers and orchestrators (docs/operations/serving.md, "Health").

``/healthz`` — liveness: 200 whenever the process can answer, with each dependency's state in the
body, so a supervisor restarts only a process that is stuck, never one whose database or Redis is.
``/readyz`` — readiness: 503 with ``Retry-After`` when the database is unreachable (nothing can be
served), 200 otherwise; with Redis down the body says ``degraded`` and names what no longer works
(throttling fails open, live updates stop) while the API keeps serving.

An unreachable database is logged once per outage (patientcare/outage.py), not once per probe.
Bodies hold states and feature names only: no exception text, no host names, no PHI. Both probes
answer anyone the same (no authentication), GET only, never cached.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from patientcare import outage

OK = "ok"
DOWN = "down"
PROBE_KEY = "healthz-probe"
CHANNEL_LAYER_TIMEOUT_SECONDS = 0.5
# What stops working when a dependency is down, named in /readyz's body.
DEGRADES = {"cache": "api_throttling", "channel_layer": "live_updates"}


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # a probe reports, it does not raise
        if outage.is_database_unreachable(exc):
            outage.note_outage(exc)  # the outage's one warning line, if it is the first
        return DOWN
    return OK


def cache_state() -> str:
    try:
        caches["default"].get(PROBE_KEY)
    except Exception:  # a probe reports, it does not raise
        return DOWN
    return OK


def redis_channel_hosts() -> list[str]:
    """The Redis URLs of a channels-redis layer; empty for any other layer (in-memory)."""
    layer = settings.CHANNEL_LAYERS.get("default", {})
    if not layer.get("BACKEND", "").startswith("channels_redis."):
        return []
    hosts = layer.get("CONFIG", {}).get("hosts", [])
    return [h if isinstance(h, str) else h.get("address", "") for h in hosts]


def channel_layer_state(hosts: list[str]) -> str:
    import redis

    for url in hosts:
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=CHANNEL_LAYER_TIMEOUT_SECONDS,
            socket_timeout=CHANNEL_LAYER_TIMEOUT_SECONDS,
        )
        try:
            client.ping()
        except Exception:  # a probe reports, it does not raise
            return DOWN
        finally:
            client.close()
    return OK


def checks() -> dict[str, str]:
    """Each dependency's state: the database and the cache always, the channel layer when it is
    Redis (an in-memory layer is part of the process)."""
    states = {"database": database_state(), "cache": cache_state()}
    hosts = redis_channel_hosts()
    if hosts:
        states["channel_layer"] = channel_layer_state(hosts)
    return states


def overall(states: dict[str, str]) -> str:
    if states["database"] != OK:
        return "unavailable"
    return OK if all(state == OK for state in states.values()) else "degraded"


@require_GET
@never_cache
def healthz(request):
    states = checks()
    return JsonResponse({"status": overall(states), "checks": states})


@require_GET
@never_cache
def readyz(request):
    states = checks()
    status = overall(states)
    body = {"status": status, "checks": states}
    if status == "unavailable":
        response = JsonResponse(body, status=503)
        response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER_SECONDS)
        outage.answered_unavailable(request)  # logged once per outage, not once per probe
        return response
    body["degraded"] = [feature for name, feature in DEGRADES.items() if states.get(name, OK) != OK]
    return JsonResponse(body)
