"""Who the actor of an audited write is: ``acting_as`` (a context), ``audited`` (a decorator
for services taking ``actor=``), ``current_actor`` (read by ``AuditEntry.save``) and
``system_actor``. Every app imports these names from ``compliance.audit``."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

_actor: ContextVar[Any] = ContextVar("patientcare_audit_actor", default=None)


# --- the actor ----------------------------------------------------------------------------------


def current_actor():
    """The actor set by the innermost ``acting_as`` (None outside one)."""
    return _actor.get()


@contextlib.contextmanager
def acting_as(actor) -> Iterator[None]:
    """Audit entries written inside are attributed to ``actor``. Nests and restores the outer
    actor on exit (auditlog's ``set_actor`` does not restore it, and leaks a signal receiver
    when nested inside its middleware's context)."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def audited(func: Callable) -> Callable:
    """Decorator for service functions taking ``actor=``: their writes are audited as that actor."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        actor = kwargs.get("actor")
        if actor is None or not getattr(actor, "pk", None):
            return func(*args, **kwargs)
        with acting_as(actor):
            return func(*args, **kwargs)

    return wrapper


def system_actor():
    """The system account, for writes nobody else is responsible for (commands, migrations' data,
    tasks). Looked up without caching: tests flush the table."""
    from accounts.models import SYSTEM_USERNAME, User
    from accounts.services import system_user

    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    return user if user is not None else system_user()
