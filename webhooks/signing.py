"""The signature of a webhook body, Stripe-style.

Header: ``X-PatientCare-Signature: t=<unix seconds>,v1=<hex>`` where ``<hex>`` is
HMAC-SHA256(secret, ``"<t>.<raw body>"``). During a secret rotation the header carries one ``v1``
per secret in force (``t=…,v1=<new>,v1=<old>``); a receiver accepts the body when any ``v1``
matches the secret it knows.

``verify`` is what partners implement (docs/architecture/partner-api.md shows it); it is used by
the tests as the partner would.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable

SCHEME = "v1"
DEFAULT_TOLERANCE = 300  # seconds between signing and verifying, either way


def compute(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(int(timestamp)).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def signature_header(secrets: Iterable[str], timestamp: int, body: bytes) -> str:
    parts = [f"t={int(timestamp)}"]
    parts += [f"{SCHEME}={compute(secret, timestamp, body)}" for secret in secrets]
    return ",".join(parts)


def parse_header(header: str) -> tuple[int | None, list[str]]:
    """(timestamp, v1 signatures) of a header; (None, []) when it is malformed."""
    timestamp: int | None = None
    signatures: list[str] = []
    for item in (header or "").split(","):
        key, _, value = item.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                return None, []
        elif key == SCHEME and value:
            signatures.append(value)
    return timestamp, signatures


def verify(
    secret: str,
    header: str,
    body: bytes | str,
    tolerance: int = DEFAULT_TOLERANCE,
    *,
    now: float | None = None,
) -> bool:
    """True when ``header`` signs exactly ``body`` with ``secret`` and its timestamp is within
    ``tolerance`` seconds of now (older: a replayed request; newer: a skewed clock)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    timestamp, signatures = parse_header(header)
    if timestamp is None or not signatures:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = compute(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)
