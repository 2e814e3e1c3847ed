"""The one place the admin maps the services' refusals (``cases.errors``) to what it shows.

An admin action or save calls a service per row; a refusal of any kind (``Invalid``,
``Conflict``, ``NotFound``, ``Forbidden``, or a model's plain ``ValidationError``) becomes one line
of the error message for that row, and the row is left as it was. The admin never shows a 404 or
403 page for a row: the row was listed, so naming the refusal discloses nothing new.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


def refusal_message(error: ValidationError) -> str:
    """The refusal's messages, joined (they never contain patient data)."""
    return "; ".join(error.messages)
