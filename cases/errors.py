"""The one refusal hierarchy of the services (docs/architecture/overview.md, "Errors").

A service that refuses raises one of four kinds, each with a stable ``code``, the ``field`` it is
about (the input's name, dotted for nested input: ``patient.mrn``) and a safe message — a sentence
for people with no patient data in it:

* ``Invalid`` — the input is wrong (a blank reason, a choice not on the list, an inactive queue);
* ``Conflict`` — the input is fine but the record's current state refuses it (someone else claimed
  the case first, the complaint was already acknowledged, the transition is not in the table);
* ``NotFound`` — the record does not exist *or the actor may not see it*: the read path never
  tells the two apart (a forbidden case is a 404, never a 403);
* ``Forbidden`` — the actor sees the record but lacks a permission the action needs.

Each edge maps the kinds to its responses in one place: the API in ``api.errors`` (400, 409, 404,
403 in its one JSON shape), the console in ``console.refusals`` (the page again with the refusal
and a 400/409; Django's 404/403 pages), the admin in ``cases.admin.refusals`` (a message per row).

``ServiceError`` is a Django ``ValidationError`` (a field map: ``error_dict``, ``message_dict``),
so forms, ``full_clean`` callers and admin code that already handle one keep working; a plain
``ValidationError`` a model's ``full_clean()`` raises inside a service counts as ``Invalid``.
``NotFound`` is also an ``Http404`` and ``Forbidden`` a ``PermissionDenied``, so a view that lets
them through gets Django's own 404 and 403.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404

__all__ = ["Conflict", "Forbidden", "Invalid", "NotFound", "ServiceError"]


class ServiceError(ValidationError):
    """A service's refusal: ``code``, ``field`` and ``safe_message`` (see the module). (Not
    ``message``: Django's ``ValidationError`` reads that name as "a single message".)"""

    default_code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str = NON_FIELD_ERRORS,
        params: dict[str, Any] | None = None,
    ) -> None:
        code = code or self.default_code
        super().__init__({field: [ValidationError(message, code=code, params=params)]})
        self.code = code
        self.field = field
        self.safe_message = message

    @classmethod
    def wrap(cls, error: ValidationError, *, prefix: str = "") -> ServiceError:
        """A ``ValidationError`` (a model's or a field's, perhaps of several fields) as this kind,
        each field name prefixed (``patient.``). ``code`` is the one code its errors share, or
        ``invalid``; ``field`` the first field."""
        if hasattr(error, "error_dict"):
            fields = {f"{prefix}{name}": errors for name, errors in error.error_dict.items()}
        else:
            fields = {prefix.rstrip(".") or NON_FIELD_ERRORS: error.error_list}
        return cls._of(fields)

    @classmethod
    def _of(cls, fields: Mapping[str, list[ValidationError]]) -> ServiceError:
        codes = {item.code or "invalid" for items in fields.values() for item in items}
        first_field = next(iter(fields), NON_FIELD_ERRORS)
        first = fields[first_field][0] if fields.get(first_field) else None
        refusal = cls.__new__(cls)
        ValidationError.__init__(refusal, dict(fields))
        refusal.code = codes.pop() if len(codes) == 1 else "invalid"
        refusal.field = first_field
        refusal.safe_message = str(first.message) if first is not None else ""
        return refusal

    def renamed(self, names: Mapping[str, str]) -> ServiceError:
        """The same refusal with its fields as the caller named them (``status`` →
        ``to_status``): an edge whose input names differ from the service's arguments."""
        return type(self)._of(
            {names.get(name, name): errors for name, errors in self.error_dict.items()}
        )

    def __reduce__(self):  # pickling (Celery, the cache) keeps the kind, code and field
        return (_rebuild, (type(self), self.error_dict, self.code, self.field, self.safe_message))


def _rebuild(cls, fields, code, field, message) -> ServiceError:
    refusal = cls._of(fields)
    refusal.code, refusal.field, refusal.safe_message = code, field, message
    return refusal


class Invalid(ServiceError):
    """Bad input: the edges answer 400."""


class Conflict(ServiceError):
    """The record's current state refuses the request: the edges answer 409."""

    default_code = "conflict"


class NotFound(ServiceError, Http404):
    """No such record, or one the actor may not see (never told apart): 404."""

    default_code = "not_found"


class Forbidden(ServiceError, PermissionDenied):
    """The actor sees the record but may not do this: 403."""

    default_code = "permission_denied"
