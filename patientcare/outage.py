"""A database outage answers 503 with ``Retry-After``, not a 500 and a traceback per request
(docs/operations/serving.md, "When the database is unreachable").

``DatabaseOutageMiddleware`` (right after ``AuthenticationMiddleware`` in ``MIDDLEWARE``):

* ``process_exception``: a view that fails because the database cannot be reached (a
  ``django.db.OperationalError`` / ``InterfaceError`` from connecting or from a connection that
  dropped; ``is_database_unreachable``) answers 503 with ``Retry-After:
  DATABASE_RETRY_AFTER_SECONDS`` — in the API's error format under /api/ (code ``unavailable``),
  a plain page elsewhere. DRF views re-raise what their exception handler does not answer, so
  API views reach it too. An integrity, programming or query error is not an outage: it stays a
  500 with its traceback.
* ``__call__``: a signed-in request's user is loaded here, before the audit middleware needs it
  (that load is the first query of nearly every request), so an outage there answers the same.
  The session is then left untouched: its cookie kept (the agent is still signed in when the
  database is back), nothing saved.

Logging: ONE warning line per outage per process (the first failure), one info line when a
connection succeeds again (``connection_created``), no traceback, no SQL, no exception text (it
names hosts), and Django's per-request "Service Unavailable" error line is filtered out for these
answers (``OutageLogFilter`` on ``django.request``). ``/readyz`` reports the same state
(patientcare/health.py: ``"status": "unavailable"``, the same ``Retry-After``).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time

import psycopg
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.backends.signals import connection_created
from django.http import HttpResponse

from api.errors import STATUS_MESSAGES, error_response

logger = logging.getLogger(__name__)

# SQLSTATEs of a server that refuses or loses the connection: class 08 (connection exception),
# 57P01-57P03 (admin or crash shutdown, cannot connect now). Anything else with a SQLSTATE (a
# deadlock, a statement timeout, a constraint) is about the query, not the database's reach.
_UNREACHABLE_SQLSTATES = ("57P01", "57P02", "57P03")
_MARK = "_patientcare_database_unavailable"
_PAGE = (
    "<!doctype html><html lang=en><head><meta charset=utf-8><title>Temporarily unavailable"
    "</title></head><body><h1>Temporarily unavailable</h1><p>PatientCare cannot reach its "
    "database right now. Please try again in {seconds} seconds.</p></body></html>"
)

_lock = threading.Lock()
_down_since: float | None = None


def retry_after_seconds() -> int:
    return settings.DATABASE_RETRY_AFTER_SECONDS


def is_database_unreachable(exc: BaseException) -> bool:
    """True for an error of reaching PostgreSQL: connection refused or timed out, the server gone
    or shutting down, a connection that dropped. Judged by the driver's error Django wraps
    (``__cause__``): psycopg's errors without a SQLSTATE are its own connection failures."""
    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    cause = exc.__cause__
    if not isinstance(cause, psycopg.OperationalError | psycopg.InterfaceError):
        return False
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is None:
        return True
    return sqlstate.startswith("08") or sqlstate in _UNREACHABLE_SQLSTATES


def note_outage(exc: BaseException) -> None:
    """Log the first failure of an outage (one line); later ones until a connection succeeds
    are silent."""
    global _down_since
    with _lock:
        if _down_since is not None:
            return
        _down_since = time.monotonic()
    logger.warning(
        "database unreachable (%s): answering 503 with Retry-After %ss until a connection "
        "succeeds; further failures are not logged",
        type(exc).__name__,
        retry_after_seconds(),
    )


def note_connected(**kwargs) -> None:
    """``connection_created`` receiver: the outage (if any) is over."""
    global _down_since
    with _lock:
        since, _down_since = _down_since, None
    if since is not None:
        logger.info("database reachable again after %.0f s", time.monotonic() - since)


def answered_unavailable(request) -> None:
    """Mark a request answered 503 for an outage: Django's per-request error line is dropped."""
    setattr(request, _MARK, True)


def unavailable_response(request) -> HttpResponse:
    seconds = retry_after_seconds()
    headers = {"Retry-After": str(seconds), "Cache-Control": "no-store"}
    answered_unavailable(request)
    # The idle timeout's middleware would load the session again to refresh it (accounts/
    # idle.py): without ``request.session`` it and the session middleware leave the response
    # alone, the cookie kept.
    with contextlib.suppress(AttributeError):
        del request.session
    if request.path_info.startswith("/api/"):
        return error_response(503, "unavailable", STATUS_MESSAGES[503], headers=headers)
    # No template: rendering one runs context processors that would query the database again.
    return HttpResponse(_PAGE.format(seconds=seconds), status=503, headers=headers)


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        connection_created.connect(note_connected, dispatch_uid=__name__)
        logging.getLogger("django.request").addFilter(_LOG_FILTER)

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None:
            try:
                user.is_authenticated  # noqa: B018 - loads the session's user (lazy) now
            except (OperationalError, InterfaceError) as exc:
                if not is_database_unreachable(exc):
                    raise
                note_outage(exc)
                return unavailable_response(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_unreachable(exception):
            return None
        note_outage(exception)
        return unavailable_response(request)


class OutageLogFilter(logging.Filter):
    """Drops ``django.request``'s per-request line for a 503 this module answered (the outage
    has its one warning)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(getattr(record, "request", None), _MARK, False)


_LOG_FILTER = OutageLogFilter()
