"""The one place the console maps the services' refusals (``cases.errors``) to a response.

A page that called a service shows itself again with the refusal's text and a 4xx:

* ``Conflict`` — 409: someone else got there first, or the record's state refuses it;
* ``Invalid`` (or a plain ``ValidationError`` a model raised) — 400: the input is wrong;
* ``NotFound`` and ``Forbidden`` are not shown on the page: they are re-raised as the Http404 and
  PermissionDenied they are, so Django answers its 404 (a case the user may not see: never a
  403) and 403 pages, exactly as when the view let them through.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from cases.errors import Conflict, Forbidden, NotFound

BAD_INPUT, CONFLICT = 400, 409


def refusal_status(error: ValidationError) -> int:
    """The status of a page that shows ``error``: 409 for a ``Conflict``, 400 otherwise.
    ``NotFound`` and ``Forbidden`` are raised again (Django's 404 and 403)."""
    if isinstance(error, NotFound | Forbidden):
        raise error
    return CONFLICT if isinstance(error, Conflict) else BAD_INPUT


def refusal_text(error: ValidationError) -> str:
    """The refusal's messages as one sentence for the page (they never contain patient data)."""
    if hasattr(error, "error_dict"):
        return " ".join(message for items in error.message_dict.values() for message in items)
    return " ".join(error.messages)
