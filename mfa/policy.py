"""Who must give a second factor, and what a session still owes (docs/architecture/roles.md,
"Second factor").

A person must when they are a superuser, hold one of ``MFA_REQUIRED_ROLES``, when
``MFA_REQUIRED_FOR_ALL_STAFF`` is on, or when they enrolled an authenticator of their own
accord (once enrolled, always asked). Service accounts and the system account never: they act
through tokens and tasks, not through the pages. Enrolled means a confirmed authenticator app
(TOTP device) or a confirmed passkey (django-otp-webauthn's credential); recovery codes alone
are not an enrolment.

``session_state`` answers for one request in one query (the roles and the devices together);
a session django-otp already marked verified costs none here.
"""

from __future__ import annotations

import enum

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, Q
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import User


class State(enum.Enum):
    SATISFIED = "satisfied"  # verified, or a person who need not and did not enrol
    ENROL = "enrol"  # must, and has no authenticator yet
    VERIFY = "verify"  # has an authenticator: the code step


def required_roles() -> list[str]:
    return list(settings.MFA_REQUIRED_ROLES)


def _enrolled() -> Q:
    """A condition on the user model: a confirmed authenticator app or passkey."""
    return Q(Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))) | Q(
        Exists(WebAuthnCredential.objects.filter(user=OuterRef("pk"), confirmed=True))
    )


def _facts(user) -> tuple[bool, bool]:
    """(holds a required role, has a confirmed authenticator or passkey) in one query."""
    row = (
        get_user_model()
        ._default_manager.filter(pk=user.pk)
        .annotate(
            in_role=Exists(Group.objects.filter(user=OuterRef("pk"), name__in=required_roles())),
            totp=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            passkey=Exists(WebAuthnCredential.objects.filter(user=OuterRef("pk"), confirmed=True)),
        )
        .values_list("in_role", "totp", "passkey")
        .first()
    )
    return (bool(row[0]), bool(row[1] or row[2])) if row else (False, False)


def is_person(user) -> bool:
    return bool(user.is_authenticated) and getattr(user, "kind", None) == User.Kind.PERSON


def must_use(user) -> bool:
    """Whether ``user`` must give a second factor (enrolled or not)."""
    if not is_person(user):
        return False
    if user.is_superuser or settings.MFA_REQUIRED_FOR_ALL_STAFF:
        return True
    in_role, enrolled = _facts(user)
    return in_role or enrolled


def is_enrolled(user) -> bool:
    """A confirmed authenticator app or passkey (one query)."""
    return (
        bool(user.is_authenticated)
        and get_user_model()._default_manager.filter(_enrolled(), pk=user.pk).exists()
    )


def _owed(user, verified: bool) -> State:
    if verified or not is_person(user):
        return State.SATISFIED
    in_role, enrolled = _facts(user)
    if enrolled:
        return State.VERIFY
    if user.is_superuser or settings.MFA_REQUIRED_FOR_ALL_STAFF or in_role:
        return State.ENROL
    return State.SATISFIED


def session_state(user) -> State:
    """What the request of ``user`` (after django-otp's middleware) still owes."""
    is_verified = getattr(user, "is_verified", None)
    return _owed(user, bool(is_verified is not None and is_verified()))


def session_state_of(user, session) -> State:
    """The same for a socket: no request, the session the handshake carried."""
    verified = False
    persistent_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
    if persistent_id and is_person(user):
        device = Device.from_persistent_id(persistent_id)
        verified = device is not None and device.user_id == user.pk and bool(device.confirmed)
    return _owed(user, verified)
