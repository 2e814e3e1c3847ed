"""The idle timeout (HIPAA automatic logoff) without a session write on every request.

A session expires ``SESSION_COOKIE_AGE`` (``SESSION_IDLE_TIMEOUT_SECONDS``, 15 minutes) after it
was last saved. Django's ``SESSION_SAVE_EVERY_REQUEST`` would save it on every request, one
UPDATE each; ``IdleTimeoutMiddleware`` saves it instead when its last refresh is at least
``SESSION_IDLE_REFRESH_SECONDS`` (default 60) old, by stamping the time in the session
(``LAST_REFRESH_KEY``): Django's session middleware then saves it with a new expiry. A request
within the minute writes nothing. A login stamps the session it saves (``stamp_at_login``).

The logoff is never late: the stored expiry is the last refresh plus the idle limit, and the last
refresh is at most a minute before the last request, so an idle session ends between
``SESSION_COOKIE_AGE - SESSION_IDLE_REFRESH_SECONDS`` and ``SESSION_COOKIE_AGE`` after its last
request (14 to 15 minutes by default), never after.

Only a request that carries a session is considered: a partner system's Bearer-token request
(no session cookie) never reads or writes one. Placed right after
``django.contrib.sessions.middleware.SessionMiddleware`` in ``MIDDLEWARE``.
"""

from __future__ import annotations

import time

from django.conf import settings

LAST_REFRESH_KEY = "_idle_refreshed_at"
DEFAULT_REFRESH_SECONDS = 60


def refresh_seconds() -> int:
    """How old the last refresh may grow before a request saves the session again; never more
    than the idle limit itself."""
    seconds = int(getattr(settings, "SESSION_IDLE_REFRESH_SECONDS", DEFAULT_REFRESH_SECONDS))
    return max(0, min(seconds, int(settings.SESSION_COOKIE_AGE)))


def refresh_due(session, now: float) -> bool:
    """Whether this request must save ``session`` to push its expiry on."""
    if session.modified:  # saved anyway: the stamp rides along
        return True
    stamp = session.get(LAST_REFRESH_KEY)
    if not isinstance(stamp, (int, float)) or stamp > now:
        return True
    return now - stamp >= refresh_seconds()


def stamp_at_login(sender, request, user, **kwargs) -> None:
    """``user_logged_in``: the login saves the session anyway; stamped, the requests of its
    first minute write nothing."""
    session = getattr(request, "session", None)
    if session is not None:
        session[LAST_REFRESH_KEY] = int(time.time())


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # No session key: no session cookie (a token request, a first visit) or a session just
        # ended (logged out): nothing to keep alive, and nothing is read.
        if session is None or session.session_key is None:
            return response
        now = time.time()
        due = refresh_due(session, now)  # reads the session if the request did not
        # The cookie named no live session (expired, deleted): never make one to hold a stamp.
        if due and session.session_key is not None and len(session.keys()) > 0:
            session[LAST_REFRESH_KEY] = int(now)
        return response
