"""What every view of the API shares: the case a request is about, reached through ``restrict()``.

A case the user may not see is a 404 (its existence does not leak); a case the user sees but may
not act on in the asked way is a 403 (nothing leaks: they see it already).
"""

from __future__ import annotations

from django.http import Http404
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied

from api.filters import reject_unknown_parameters
from cases.access import SUPERVISE, VIEW, WORK
from cases.models import Case

# Methods that change something: their input is the JSON body, never the query string.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WRITE_QUERY_MESSAGE = "Unknown query parameter: this request takes its input in the JSON body."

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


class ApiViewSet(viewsets.GenericViewSet):
    """The base of every viewset of the API. A write (POST, PUT, PATCH, DELETE) takes its input
    in the JSON body: any query parameter is a 400 ``unknown_field`` naming each parameter
    (never its value), after authentication, permissions and throttling (so a 401, 403 or 429
    comes first) and before the handler, so no ``Idempotency-Key`` is claimed. A method the view
    does not serve stays a 405. A write that needs a parameter lists it in
    ``write_query_parameters``. Reads check their own parameters (``api.filters``)."""

    write_query_parameters: frozenset[str] = frozenset()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        method = request.method.upper()
        if method in WRITE_METHODS and hasattr(self, method.lower()):
            reject_unknown_parameters(
                request, self.write_query_parameters, message=WRITE_QUERY_MESSAGE
            )


class CaseScopedViewSet(ApiViewSet):
    """A viewset whose URLs name a case by reference (``/cases/{reference}/…``)."""

    lookup_field = "reference"
    lookup_url_kwarg = "reference"
    lookup_value_regex = REFERENCE_PATTERN

    def get_queryset(self):
        return Case.objects.restrict(self.request.user, VIEW).for_list()
