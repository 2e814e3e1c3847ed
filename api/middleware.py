"""``ApiErrorMiddleware``: everything under /api/ answers in the API's error format, including what
Django answers itself, and oversized bodies are refused before anything reads them.

* A body whose ``Content-Length`` exceeds ``DATA_UPLOAD_MAX_MEMORY_SIZE`` → 413 ``too_large``,
  without reading it. (DRF's parsers read the stream directly, so Django's own limit, which
  guards ``request.body`` and form parsing, would not stop a large JSON body.)
* ``RequestDataTooBig`` raised anywhere below → 413 ``too_large``.
* A request header longer than the API accepts (``HEADER_LIMITS``, else
  ``HEADER_VALUE_LIMIT``), or headers that together pass ``HEADERS_TOTAL_LIMIT`` → 431
  ``header_too_large`` naming the header, never its value. The limits sit below the servers' own
  (gunicorn 8,190 bytes a header line, daphne 16,384 bytes for all of them), which answer in
  their own format: docs/operations/serving.md, "Request size limits".
* A non-JSON error response (Django's 404 for an unknown URL, a 500 page) → the same status in
  the error format. DRF views already answer in it (api/errors.py).

Placed right after ``django.middleware.common.CommonMiddleware`` in ``MIDDLEWARE``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.urls import is_valid_path

from api.errors import STATUS_CODES, error_response, too_large_message
from compliance.pci import redact_card_data

API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        return 0


# The most the API accepts of a header it reads (bytes of the value). A partner's
# "Bearer pc_…" is 74 bytes. Idempotency-Key has its own, smaller limit (255: a 400
# ``invalid_idempotency_key``, api/idempotency.py) and is left to it.
HEADER_LIMITS = {"HTTP_AUTHORIZATION": 1024}
UNCHECKED_HEADERS = frozenset({"HTTP_IDEMPOTENCY_KEY"})
HEADER_VALUE_LIMIT = 4096
HEADERS_TOTAL_LIMIT = 16384


def _header_name(meta_key: str) -> str:
    """The header's name as a client writes it; a card number in it masked (PCI)."""
    return redact_card_data(meta_key.removeprefix("HTTP_").replace("_", "-").title())[0]


def oversized_header_message(meta) -> str | None:
    """What is too large about the request's headers (names and limits only), or None."""
    total = 0
    for key, value in meta.items():
        if not (key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH")):
            continue
        if not isinstance(value, str):
            continue
        total += len(key) + len(value) + 4  # "Name: value\r\n"
        limit = HEADER_LIMITS.get(key, HEADER_VALUE_LIMIT)
        if key not in UNCHECKED_HEADERS and len(value) > limit:
            return (
                f"The {_header_name(key)} header is longer than the {limit:,} bytes the API "
                "accepts."
            )
    if total > HEADERS_TOTAL_LIMIT:
        return (
            f"The request's headers total more than the {HEADERS_TOTAL_LIMIT:,} bytes the API "
            "accepts."
        )
    return None


def _too_large():
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error_response(413, "too_large", too_large_message(limit))


class ApiErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _is_api(request):
            return self.get_response(request)
        oversized = oversized_header_message(request.META)
        if oversized is not None:
            return error_response(431, "header_too_large", oversized)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and _declared_length(request) > limit:
            return _too_large()
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_json(response):
            data = getattr(response, "data", None)  # a DRF response rendered otherwise (YAML)
            if isinstance(data, dict) and isinstance(data.get("error"), dict):
                error = data["error"]
                return error_response(
                    response.status_code,
                    error.get("code"),
                    error.get("message"),
                    fields=error.get("fields"),
                    headers=_kept_headers(response),
                )
            return error_response(
                response.status_code,
                STATUS_CODES.get(response.status_code, "error"),
                _hint(request) if response.status_code == 404 else None,
                headers=_kept_headers(response),
            )
        return response

    def process_exception(self, request, exception):
        if _is_api(request) and isinstance(exception, RequestDataTooBig):
            return _too_large()
        return None


def _hint(request) -> str | None:
    """A 404 for a URL that exists with a trailing slash says so (the API never redirects)."""
    path = request.path_info
    if path.endswith("/") or not is_valid_path(f"{path}/", getattr(request, "urlconf", None)):
        return None
    return f"Not found. Did you mean {request.path}/ (with a trailing slash)?"


def _is_json(response) -> bool:
    content_type = response.get("Content-Type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def _kept_headers(response) -> dict[str, str]:
    kept = ("Allow", "Retry-After", "WWW-Authenticate")
    return {name: response[name] for name in kept if response.has_header(name)}
