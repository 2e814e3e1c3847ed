"""``Idempotency-Key`` on the API's POSTs, with Stripe's semantics.

Apply :func:`idempotent` to the POST handler of a DRF view (``post``, a viewset's ``create``, an
``@action``)::

    class CaseViewSet(...):
        @extend_schema(parameters=[IDEMPOTENCY_KEY_PARAMETER], ...)
        @idempotent
        def create(self, request, *args, **kwargs):
            ...
            set_resulting_object(request, case)
            return Response(..., status=201, headers={"Location": ...})

Without the header the handler runs as usual. With it, in ONE transaction and without a
savepoint:

1. Take the key's lock (PostgreSQL: ``pg_advisory_xact_lock`` on the scope and key) and read the
   key's record. A concurrent twin waits on the lock until the first request's transaction ends,
   then reads the record it committed and replays it: exactly one case, no 409 dance.
2. Run the handler. If it raises, the transaction is rolled back (none of its writes are kept)
   and DRF answers the exception (``view.handle_exception``: api/errors.py's format); a 4xx that
   is stored is written under the key in a short transaction of its own.
3. Store the response (2xx and 4xx except 401, 403, 409 and 429, like Stripe) in ONE INSERT, the
   transaction's last statement, and commit. A 5xx, raised or returned, rolls the whole
   transaction back: nothing is stored and a retry runs again.

The record is written once, with its response: never inserted first and updated after. Without
the lock (SQLite, which serialises writers itself) the record's unique constraints decide: the
INSERT of a twin that lost the race fails, its transaction is rolled back (its case included)
and it replays the winner's response.

A later request with the key: same method, path and body fingerprint → the stored status, body
and Location with ``Idempotent-Replayed: true``; anything else → 422 ``idempotency_key_reused``.
An expired record (``expires_at`` passed) counts as absent: it is deleted and the key claimed
anew in the same transaction. docs/architecture/partner-api.md, "Idempotency", says why.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import logging
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.http.request import RawPostDataException
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from api.models import IdempotencyRecord
from api.parsers import DEEP_BODY_MESSAGE
from compliance.pci import holds_card_number, redact_card_data

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
META_KEY = "HTTP_IDEMPOTENCY_KEY"
REPLAYED_HEADER = "Idempotent-Replayed"
# Response headers stored and replayed with the status and body.
STORED_HEADERS = ("Location",)
# Results not stored (the key stays free), like Stripe: the client may retry these as they are.
UNSTORED_STATUSES = frozenset({401, 403, 409, 429})
# Keys are kept at least this long, whatever IDEMPOTENCY_KEY_HOURS says.
MINIMUM_KEY_HOURS = 24
_KEY_PATTERN = re.compile(r"[\x20-\x7e]{1,255}")
# The advisory lock of a key (PostgreSQL): this class id and 31 bits of the key's hash. The
# two-int4 key space never overlaps the sealer's bigint lock (compliance.models.chain).
LOCK_CLASS = 0x1DE7
_RESULT_ATTRIBUTE = "_idempotency_resulting_object"

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique key (1 to 255 printable ASCII characters; a UUID v4 is a good choice) to retry "
        "this request safely: for at least 24 hours the first response is replayed, with "
        "`Idempotent-Replayed: true`, instead of running the request again. Reusing a key with a "
        "different body, path or method is refused (422 `idempotency_key_reused`). A key that "
        "holds a payment card number is refused (400 `invalid_idempotency_key`): keys are stored."
    ),
)


class InvalidIdempotencyKey(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_idempotency_key"
    default_detail = "The Idempotency-Key header must be 1 to 255 printable ASCII characters."


class IdempotencyKeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was used with a different request body."


class IdempotencyKeyInUse(APIException):
    """Only when the first request's record cannot be read after its INSERT conflicted (an
    isolation level above READ COMMITTED, or a record removed three times in a row)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_key_in_use"
    default_detail = "Another request with this Idempotency-Key is in progress; retry it later."


# --- the pieces ----------------------------------------------------------------------------------


def key_lifetime() -> datetime.timedelta:
    """How long a key is remembered: ``IDEMPOTENCY_KEY_HOURS`` (default 24), never under 24 h."""
    hours = int(getattr(settings, "IDEMPOTENCY_KEY_HOURS", MINIMUM_KEY_HOURS))
    return datetime.timedelta(hours=max(hours, MINIMUM_KEY_HOURS))


def validated_key(value: str) -> str:
    if not _KEY_PATTERN.fullmatch(value):
        raise InvalidIdempotencyKey()
    if holds_card_number(value):
        # PCI DSS 3.4: the key is stored; masked, two keys could become one. Refused instead,
        # without echoing it (a random UUID is refused about once in a few thousand).
        raise InvalidIdempotencyKey(
            "The Idempotency-Key header looks like it holds a payment card number; "
            "use another key (a new UUID v4)."
        )
    return value


def stored_path(request) -> str:
    """The path and query string as the record stores them: card numbers masked (the storage
    boundary does the same to ``IdempotencyRecord.path``), so replays compare like with like."""
    return redact_card_data(request.get_full_path())[0]


def _is_json(content_type: str) -> bool:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def _raw_body(request) -> bytes | None:
    django_request = getattr(request, "_request", request)
    try:
        return django_request.body
    except RawPostDataException:  # a parser (a CSRF check's form parsing) consumed the stream
        return None


def _canonical_json(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=JSONEncoder
    ).encode()


def canonical_body(request) -> bytes:
    """The body as compared between attempts: a JSON body parsed and re-serialised with sorted
    keys and no whitespace (so key order and formatting do not matter); anything else, its raw
    bytes. If the stream was already consumed, DRF's parsed ``request.data`` stands in."""
    raw = _raw_body(request)
    if _is_json(request.content_type):
        if raw is None:
            try:
                return _canonical_json(request.data)
            except RecursionError:  # parsed, but too deep to re-serialise: the parser's 400
                raise ParseError(DEEP_BODY_MESSAGE) from None
        try:
            return _canonical_json(json.loads(raw))
        except (ValueError, RecursionError):
            # Not JSON after all, or nested too deeply to decode: compare the bytes, and let the
            # handler's parser (api/parsers.py) answer as it does without a key (400
            # parse_error), a result stored under the key like any other 4xx.
            return raw
    if raw is not None:
        return raw
    data = request.data
    if hasattr(data, "lists"):
        data = {name: [str(value) for value in values] for name, values in data.lists()}
    return _canonical_json(data)


def request_fingerprint(request) -> str:
    """SHA-256 of the method, the full path and the canonical body."""
    digest = hashlib.sha256()
    digest.update(request.method.upper().encode())
    digest.update(b"\n")
    digest.update(request.get_full_path().encode())
    digest.update(b"\n")
    digest.update(canonical_body(request))
    return digest.hexdigest()


def _scope(user) -> tuple[dict[str, Any], dict[str, Any]]:
    """(lookup, create) keyword arguments of the user's key scope: the organisation for a
    partner's service account, the user otherwise."""
    if user is None or not user.is_authenticated:
        raise InvalidIdempotencyKey("An Idempotency-Key needs an authenticated request.")
    organisation_id = getattr(user, "organisation_id", None)
    if getattr(user, "kind", None) == "service" and organisation_id is not None:
        return {"organisation_id": organisation_id}, {
            "organisation_id": organisation_id,
            "user_id": user.pk,
        }
    return {"organisation__isnull": True, "user_id": user.pk}, {
        "organisation_id": None,
        "user_id": user.pk,
    }


def set_resulting_object(request, obj) -> None:
    """Tell the idempotency layer which object the request made (stored with the response)."""
    setattr(request, _RESULT_ATTRIBUTE, obj)


def _json_safe(data: Any) -> Any:
    return json.loads(json.dumps(data, cls=JSONEncoder))


def lock_id(key: str, lookup: dict[str, Any]) -> int:
    """The second half of the key's advisory lock: 31 bits of SHA-256 of its scope and key (two
    keys sharing one only wait for each other, never share a record)."""
    scope = ",".join(f"{name}={value}" for name, value in sorted(lookup.items()))
    digest = hashlib.sha256(f"{scope}\n{key}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def _lock_key(key: str, lookup: dict[str, Any]) -> None:
    """PostgreSQL: hold the key's advisory lock until the transaction ends. A concurrent twin
    waits here until the first request commits (then the next statement, a new snapshot under
    READ COMMITTED, sees its record) or rolls back (then the twin runs the request itself).
    Other databases serialise writers themselves; the record's unique constraints decide."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, lock_id(key, lookup)])


def _locked_record(key: str, lookup: dict[str, Any]) -> IdempotencyRecord | None:
    """The key's stored record, read under the key's lock; an expired record is deleted and
    counts as absent. Runs inside ``transaction.atomic()``."""
    _lock_key(key, lookup)
    record = IdempotencyRecord.objects.filter(key=key, **lookup).first()
    if record is not None and record.expires_at <= timezone.now():
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return None
    return record


def _replay(record: IdempotencyRecord, request, fingerprint: str) -> Response:
    if record.response_status is None:  # a record without its response: never written now
        raise IdempotencyKeyInUse()
    if record.method != request.method.upper() or record.path != stored_path(request):
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used with a different request (another path or method)."
        )
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    headers = {**record.response_headers, REPLAYED_HEADER: "true"}
    return Response(record.response_body, status=record.response_status, headers=headers)


def _store(request, response, *, key: str, fingerprint: str, create: dict[str, Any]) -> None:
    """The key's record, written once: the request and its response in one INSERT."""
    if not isinstance(response, Response):
        raise TypeError("An @idempotent handler must return a rest_framework Response.")
    now = timezone.now()
    record = IdempotencyRecord(
        key=key,
        method=request.method.upper(),
        path=stored_path(request),
        fingerprint=fingerprint,
        created_at=now,
        expires_at=now + key_lifetime(),
        response_status=response.status_code,
        response_body=_json_safe(response.data),
        response_headers={
            name: response[name] for name in STORED_HEADERS if response.has_header(name)
        },
        **create,
    )
    obj = getattr(request, _RESULT_ATTRIBUTE, None)
    if obj is not None and obj.pk is not None:
        record.content_type = ContentType.objects.get_for_model(obj)
        record.object_id = str(obj.pk)
    record.save(force_insert=True)


def _committed_replay(request, *, key: str, lookup: dict[str, Any], fingerprint: str):
    """This request's INSERT of the key lost to a twin's (a database without the advisory
    lock, or an isolation level above READ COMMITTED), and all its writes are undone: the
    twin's committed response."""
    record = IdempotencyRecord.objects.filter(key=key, **lookup).first()
    if record is None:
        raise IdempotencyKeyInUse()
    return _replay(record, request, fingerprint)


def is_stored(status_code: int) -> bool:
    return (200 <= status_code < 300 or 400 <= status_code < 500) and (
        status_code not in UNSTORED_STATUSES
    )


def _refusal(
    view, request, failure: Exception | None, *, lookup: dict[str, Any], stored: dict[str, Any]
):
    """The handler raised and its writes are rolled back: DRF answers the exception (api/
    errors.py's format; one it does not handle propagates: a 500). A 4xx that is stored is kept
    under the key in a transaction of its own, unless a twin stored its answer first: that one
    is replayed."""
    if failure is None:  # pragma: no cover - the wrapper passes the handler's exception
        raise TypeError("no exception to answer")
    try:
        raise failure
    except Exception as exc:  # DRF re-raises what it does not handle with a bare ``raise``
        response = view.handle_exception(exc)
    if not is_stored(response.status_code):
        return response
    key, fingerprint = stored["key"], stored["fingerprint"]
    try:
        with transaction.atomic():
            record = _locked_record(key, lookup)
            if record is not None:
                return _replay(record, request, fingerprint)
            _store(request, response, **stored)
    except IntegrityError:
        return _committed_replay(request, key=key, lookup=lookup, fingerprint=fingerprint)
    return response


# --- the decorator -------------------------------------------------------------------------------


def idempotent(handler: Callable) -> Callable:
    """Make a DRF view's POST handler honour ``Idempotency-Key`` (see the module docstring).

    The handler must be a method of an ``APIView`` (or viewset) and return a DRF ``Response``.
    It runs after authentication, permissions and throttling, so their 401/403/429 never touch
    a key. With ``@action``, put ``@idempotent`` below it (next to the function)."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        raw_key = request.META.get(META_KEY)
        if raw_key is None:
            return handler(view, request, *args, **kwargs)
        key = validated_key(raw_key)
        fingerprint = request_fingerprint(request)
        lookup, create = _scope(request.user)
        stored = {"key": key, "fingerprint": fingerprint, "create": create}
        failure: Exception | None = None
        try:
            with transaction.atomic():
                record = _locked_record(key, lookup)
                if record is not None:
                    return _replay(record, request, fingerprint)
                try:
                    response = handler(view, request, *args, **kwargs)
                except Exception as exc:  # undo the handler's writes, then answer it (below)
                    failure = exc
                    transaction.set_rollback(True)
                else:
                    if response.status_code >= 500:
                        transaction.set_rollback(True)
                        logger.info(
                            "idempotent request failed with %s; its key was rolled back",
                            response.status_code,
                        )
                    elif is_stored(response.status_code):
                        _store(request, response, **stored)
                    return response
        except IntegrityError:  # the INSERT of the key lost to a twin's: all of it undone
            return _committed_replay(request, key=key, lookup=lookup, fingerprint=fingerprint)
        return _refusal(view, request, failure, lookup=lookup, stored=stored)

    wrapper.idempotent = True
    return wrapper
