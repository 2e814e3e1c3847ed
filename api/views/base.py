"""What every view of the API shares: the case a request is about, reached through ``restrict()``.

A case the user may not see is a 404 (its existence does not leak); a case the user sees but may
not act on in the asked way is a 403 (nothing leaks: they see it already).
"""

from __future__ import annotations

from django.http import Http404
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied

from cases.access import SUPERVISE, VIEW, WORK
from cases.models import Case

# A case reference as it appears in URLs (PC-2026-000123); anything else is no case.
REFERENCE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9-]{0,31}"

ACTION_REFUSALS = {
    WORK: "You may see this case but not work on it.",
    SUPERVISE: "Only a supervisor of this case's queue may do this.",
}


def case_for(user, reference: str, action: str = VIEW) -> Case:
    """The case ``reference`` if ``user`` may ``action`` it (with its patient, category, queue
    and assignee); Http404 if they may not even see it, PermissionDenied if they only see it."""
    try:
        return Case.objects.restrict(user, action).for_list().get(reference=reference)
    except Case.DoesNotExist:
        pass
    if action != VIEW and Case.objects.restrict(user, VIEW).filter(reference=reference).exists():
        raise PermissionDenied(ACTION_REFUSALS.get(action))
    raise Http404("No such case.")


def visible_case(user, case: Case) -> Case | None:
    """``case`` re-read through ``restrict()`` after a change, or None if the user no longer
    sees it (e.g. routed to a queue they do not work)."""
    return Case.objects.restrict(user, VIEW).for_list().filter(pk=case.pk).first()


class CaseScopedViewSet(viewsets.GenericViewSet):
    """A viewset whose URLs name a case by reference (``/cases/{reference}/…``)."""

    lookup_field = "reference"
    lookup_url_kwarg = "reference"
    lookup_value_regex = REFERENCE_PATTERN

    def get_queryset(self):
        return Case.objects.restrict(self.request.user, VIEW).for_list()
