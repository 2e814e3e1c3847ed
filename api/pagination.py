"""Cursor pagination for every list of the API: no COUNT query, stable under inserts (a case opened
while a client pages through appears at the end, never shifts a page), O(page) on millions of
rows. Ordered by (created_at, id), oldest first, so a partner that keeps the last ``next`` link
sees every new case exactly once.

``page_size`` (1 … ``max_page_size``) is validated, not silently clamped; a cursor that cannot be
decoded is a 400 ``invalid_cursor`` on the ``cursor`` parameter.
"""

from __future__ import annotations

from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError
from rest_framework.pagination import CursorPagination

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def _invalid(parameter: str, message: str, code: str) -> ValidationError:
    return ValidationError({parameter: [ErrorDetail(message, code=code)]})


class CreatedCursorPagination(CursorPagination):
    ordering = ("created_at", "id")
    page_size = PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE
    page_size_query_param = "page_size"
    cursor_query_param = "cursor"
    query_parameters = frozenset({"cursor", "page_size"})

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise _invalid("page_size", "A whole number is required.", "invalid") from None
        if not 1 <= size <= self.max_page_size:
            raise _invalid(
                "page_size",
                f"Ensure page_size is between 1 and {self.max_page_size}.",
                "out_of_range",
            )
        return size

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise _invalid(
                "cursor",
                "This cursor is not valid; use a `next` or `previous` link.",
                "invalid_cursor",
            ) from None

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["next", "previous", "results"]
        response["properties"]["next"]["example"] = (
            "https://support.example.org/api/v1/cases/?cursor=cD0yMDI2LTAzLTAy"
        )
        response["properties"]["next"]["description"] = "The next page; null on the last."
        response["properties"]["previous"]["example"] = None
        response["properties"]["previous"]["description"] = "The previous page; null on the first."
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
        return parameters
