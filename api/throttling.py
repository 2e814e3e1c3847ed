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

Redis unreachable (refused, timed out, still loading its data): the request is allowed — throttling
fails open, the API keeps serving — and a warning is logged at most once per
``OUTAGE_LOG_SECONDS`` per process (no key, no identity, only the error's class); the first count
that works again logs that counting resumed. Any other error of the cache still raises.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60
CACHE_KEY_PREFIX = "api-throttle"
# The cache is down: what throttling catches (redis-py's BusyLoadingError is a ConnectionError).
CACHE_UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
OUTAGE_LOG_SECONDS = 60


class _Outage:
    """This process's view of the cache's outage: when it last warned, whether it is failing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.failing = False
        self.last_warning: float | None = None

    def failed(self, error: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            self.failing = True
            if self.last_warning is not None and now - self.last_warning < OUTAGE_LOG_SECONDS:
                return
            self.last_warning = now
        logger.warning(
            "API throttling is failing open: the cache is unreachable (%s); requests are allowed "
            "uncounted (this warning repeats at most every %d s per process)",
            type(error).__name__,
            OUTAGE_LOG_SECONDS,
        )

    def counted(self) -> None:
        if not self.failing:
            return
        with self._lock:
            was_failing, self.failing = self.failing, False
            self.last_warning = None
        if was_failing:
            logger.info("API throttling counts again: the cache answers")


outage = _Outage()


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
        try:
            count = self._count(key)
        except CACHE_UNREACHABLE as error:
            outage.failed(error)
            return True
        outage.counted()
        if count <= limit:
            return True
        self._wait = (window + 1) * WINDOW_SECONDS - now
        return False

    def _count(self, key: str) -> int:
        cache = caches[self.cache_alias]
        # The key outlives its window a little so that a slow request still finds it.
        cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
        try:
            return cache.incr(key)
        except ValueError:  # evicted between add and incr: count this request as the first
            cache.add(key, 1, timeout=WINDOW_SECONDS * 2)
            return 1

    def wait(self) -> float | None:
        return self._wait
