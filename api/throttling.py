"""Rate limiting of the API: per partner organisation (all of its service accounts together), per
user for staff, per client address for anyone unauthenticated (docs/architecture/partner-api.md,
"Throttling").

A fixed one-minute window counted in the Django cache (``CACHES``: Redis in production, so every
worker and host shares the count; local memory in the embedded default). ``cache.add`` +
``cache.incr`` are atomic on Redis and on the local-memory cache, so concurrent requests of one
organisation are all counted — DRF's stock ``SimpleRateThrottle`` keeps a list of timestamps and
writes it back, which loses requests that race between workers. Over the limit: DRF's
``Throttled`` → 429 ``throttled`` with ``Retry-After`` (seconds to the next window) in the API's
error format.

The rate is ``settings.API_RATE_PER_MINUTE`` (env ``API_RATE_PER_MINUTE``), read on each request
so tests and operators can change it; 0 turns throttling off.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import BaseThrottle

WINDOW_SECONDS = 60
CACHE_KEY_PREFIX = "api-throttle"


def rate_per_minute() -> int:
    return int(getattr(settings, "API_RATE_PER_MINUTE", 600))


def throttle_identity(request) -> str:
    """Whose budget a request spends: ``org:<id>`` for a partner's service account, ``user:<id>``
    for anyone else signed in, ``addr:<ip>`` otherwise (ids and addresses only, never names)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        organisation_id = getattr(user, "organisation_id", None)
        if getattr(user, "kind", None) == "service" and organisation_id is not None:
            return f"org:{organisation_id}"
        return f"user:{user.pk}"
    from compliance.access_log import client_address

    return f"addr:{client_address(request)}"


def cache_key(identity: str, window: int) -> str:
    return f"{CACHE_KEY_PREFIX}:{identity}:{window}"


class OrganisationRateThrottle(BaseThrottle):
    """``API_RATE_PER_MINUTE`` requests per organisation (staff: per user) per clock minute."""

    cache_alias = "default"

    def __init__(self) -> None:
        self._wait: float | None = None

    def allow_request(self, request, view) -> bool:
        limit = rate_per_minute()
        if limit <= 0:
            return True
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        key = cache_key(throttle_identity(request), window)
        cache = caches[self.cache_alias]
        # The key outlives its window a little so that a slow request still finds it.
        cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr: count this request as the first
            cache.add(key, 1, timeout=WINDOW_SECONDS * 2)
            count = 1
        if count <= limit:
            return True
        self._wait = (window + 1) * WINDOW_SECONDS - now
        return False

    def wait(self) -> float | None:
        return self._wait
