"""What every case service shares: the actor check, the row locks.

Refusals are the kinds of ``cases.errors`` (``Invalid``, ``Conflict``, ``NotFound``,
``Forbidden``: a code, a field, a safe message); ``require_actor`` refuses a missing, unsaved or
deactivated actor; ``lock_case`` and ``lock_accessible_case`` re-read a case under its row lock
(the second through the read path, ``access_case``).
``_log_redactions`` says which fields had card data masked. Also used by ``cases.changes`` and
the other apps' services.
"""

from __future__ import annotations

import logging

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import Http404

from accounts.models import User
from cases.access import access_case
from cases.errors import Invalid, NotFound
from cases.models import Case

# The logger's name is the package's, as it was before cases/services.py became a package.
logger = logging.getLogger("cases.services")


def _log_redactions(case: Case, **redactions: int) -> None:
    """PCI DSS: say which fields had card data masked (compliance.pci); ids only, never text."""
    for field, count in redactions.items():
        if count:
            logger.warning("card data redacted from case %s field %s", case.pk, field)


def require_actor(actor: AbstractBaseUser | None) -> None:
    if actor is None or getattr(actor, "pk", None) is None:
        raise TypeError(
            "Services need an explicit, saved actor (use accounts.services.system_user)."
        )
    if not actor.is_active:
        raise Invalid(
            "This account is deactivated and cannot act.", code="inactive_actor", field="actor"
        )


def _is_sensitive(case: Case) -> bool:
    return bool(case.sensitivity or case.patient.sensitivity)


def lock_case(case: Case) -> Case:
    """Re-read the case under a row lock so concurrent changes serialise instead of clobbering.
    The patient comes along (not locked) for the rules that need it."""
    locked = Case.objects.select_for_update(of=("self",)).select_related("patient").get(pk=case.pk)
    return locked


def _locking_queryset():
    """Cases read under their row lock (the patient along, unlocked), for ``access_case``."""
    return Case.objects.select_for_update(of=("self",)).select_related("patient")


def lock_accessible_case(actor: User, case: Case, action: str) -> Case:
    """``case`` if ``actor`` may ``action`` it (else ``NotFound``, an Http404: the read path's
    answer), read under its row lock with its patient — one query."""
    try:
        locked = access_case(actor, case.pk, action, queryset=_locking_queryset())
    except Http404 as exc:
        raise NotFound("No such case.", code="not_found", field="case") from exc
    return locked
