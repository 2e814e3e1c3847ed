"""Authentication events in the audit trail (issue 17; docs/architecture/audit.md): every login,
logout, failed login and lockout is one ACCESS entry about the account (the user model), with
``additional_data["auth"]``: the event, the user agent and the path; the client address is the
entry's ``remote_addr`` (``client_address``: ``TRUSTED_PROXY_COUNT``).

- ``login`` and ``logout``: the account is the actor and the subject.
- ``login_failed``: no actor (nobody authenticated). The username is kept as it was submitted
  (card numbers redacted like every text of the trail) and, when it names an account, that
  account is the subject; ``locked`` says whether the lockout refused it. The password never is:
  Django's signal carries it masked, and it is not read here.
- ``lockout``: django-axes' ``user_locked_out``, no actor, the username and address locked.
- The second factor (``mfa/``): ``mfa_enrolled`` (an authenticator app confirmed, or a passkey
  added: ``method`` ``totp`` or ``webauthn``), ``mfa_verified`` (the code step passed;
  ``method``: ``totp``, ``recovery_code`` or ``webauthn``), ``mfa_failed`` (a wrong or throttled
  code, ``throttled`` says which; a refused passkey, ``reason``: the library's error code),
  ``mfa_recovery_codes``
  (a new set issued, the old one void), ``mfa_removed`` (a person removed one of their own
  passkeys, ``method`` ``webauthn``) and ``mfa_reset`` (an administrator removed a person's
  devices: the administrator is the actor, the person the subject and ``username``). The
  account is the actor of its own events. No secret, code or recovery code is ever recorded.

Connected by ``ComplianceConfig.ready``; the kernel imports Django's and axes' signals, no
domain app.
"""

from __future__ import annotations

from typing import Any

from auditlog.cid import get_cid
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType

from compliance.access_log import client_address, safe_text
from compliance.models import AuditEntry


class AuthEvent:
    LOGIN = "login"
    LOGOUT = "logout"
    LOGIN_FAILED = "login_failed"
    LOCKOUT = "lockout"
    MFA_ENROLLED = "mfa_enrolled"
    MFA_VERIFIED = "mfa_verified"
    MFA_FAILED = "mfa_failed"
    MFA_RECOVERY_CODES = "mfa_recovery_codes"
    MFA_RESET = "mfa_reset"
    MFA_REMOVED = "mfa_removed"

    SECOND_FACTOR = (
        MFA_ENROLLED,
        MFA_VERIFIED,
        MFA_FAILED,
        MFA_RECOVERY_CODES,
        MFA_RESET,
        MFA_REMOVED,
    )
    ALL = (LOGIN, LOGOUT, LOGIN_FAILED, LOCKOUT, *SECOND_FACTOR)


LOGIN_UID = "compliance.auth_log.login"
MAX_USERNAME = 150
MAX_USER_AGENT = 300


def _account_named(username: str | None):
    if not username:
        return None
    model = get_user_model()
    return model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()


def record_auth_event(
    event: str,
    *,
    request=None,
    user=None,
    username: str | None = None,
    subject=None,
    **extra: Any,
) -> AuditEntry:
    """Write one entry for an authentication event. ``user``: the account that logged in or
    out (the actor); for a failed login or a lockout, ``username`` as submitted (no actor).
    ``subject``: the account the event is about when the actor acts on another one (an
    administrator resetting a person's second factor); by default the actor's own."""
    if event not in AuthEvent.ALL:
        raise ValueError(f"Unknown authentication event {event!r}.")
    meta = getattr(request, "META", {}) if request is not None else {}
    details: dict[str, Any] = {
        "event": event,
        "user_agent": safe_text(str(meta.get("HTTP_USER_AGENT", ""))[:MAX_USER_AGENT]),
        "path": safe_text(str(getattr(request, "path", "") or "")[:300]),
    }
    authenticated = user is not None and getattr(user, "pk", None) is not None
    if subject is not None and authenticated:
        details["username"] = safe_text(subject.get_username()[:MAX_USERNAME])
    else:
        subject = user if authenticated else None
    if not authenticated:
        submitted = "" if username is None else str(username)[:MAX_USERNAME]
        details["username"] = safe_text(submitted)
        subject = _account_named(submitted)
    details.update(extra)
    name = subject.get_username() if subject is not None else details.get("username", "")
    entry = AuditEntry(
        content_type=ContentType.objects.get_for_model(get_user_model()),
        object_pk=str(subject.pk) if subject is not None else "",
        object_id=subject.pk if subject is not None else None,
        object_repr=f"{event.replace('_', ' ')}: {name}"[:500],
        action=AuditEntry.Action.ACCESS,
        actor=user if authenticated else None,
        remote_addr=client_address(request) if request is not None else None,
        additional_data={"auth": details},
        cid=get_cid(),
    )
    entry.unauthenticated = not authenticated
    AuditEntry.append_many([entry])
    return entry


def _logged_in(sender, request=None, user=None, **kwargs) -> None:
    record_auth_event(AuthEvent.LOGIN, request=request, user=user)


def _logged_out(sender, request=None, user=None, **kwargs) -> None:
    if user is None or getattr(user, "pk", None) is None:
        return  # a logout without a session: nobody to record
    record_auth_event(AuthEvent.LOGOUT, request=request, user=user)


def _login_failed(sender, credentials=None, request=None, **kwargs) -> None:
    model = get_user_model()
    username = (credentials or {}).get(model.USERNAME_FIELD)
    # axes' receiver runs first ("axes" is before "compliance" in INSTALLED_APPS).
    locked = bool(getattr(request, "axes_locked_out", False))
    record_auth_event(AuthEvent.LOGIN_FAILED, request=request, username=username, locked=locked)


def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    record_auth_event(AuthEvent.LOCKOUT, request=request, username=username)


def connect() -> None:
    from axes.signals import user_locked_out

    user_logged_in.connect(_logged_in, dispatch_uid=LOGIN_UID)
    user_logged_out.connect(_logged_out, dispatch_uid="compliance.auth_log.logout")
    user_login_failed.connect(_login_failed, dispatch_uid="compliance.auth_log.failed")
    user_locked_out.connect(_locked_out, dispatch_uid="compliance.auth_log.lockout")
