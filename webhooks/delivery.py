"""Delivery of outbox messages: one signed POST per attempt, logged, retried with backoff.

``deliver_message`` (the ``webhooks.deliver`` task) works in three steps so that no database
transaction stays open during the HTTP call:

1. **Claim**, in a short transaction: lock the message row (``SELECT … FOR UPDATE SKIP LOCKED``
   on PostgreSQL; SQLite serialises writers at BEGIN), check it is pending and due, count the
   attempt and push ``next_attempt_at`` one lease ahead. A second worker holding the same id
   either skips the locked row or finds it not due: one message, one delivery at a time.
2. **POST** the signed body (10 s timeout, no redirects followed).
3. **Record** the attempt (``WebhookDelivery``) and the outcome: delivered on 2xx; otherwise the
   next attempt after an exponential backoff with jitter, or ``failed`` after the last attempt.

A worker that dies between 1 and 3 leaves the message pending with an expired lease: the sweeper
(``webhooks.outbox.sweep_due``) hands it over again (at-least-once; partners deduplicate by the
event id).

The ``webhooks.deliver`` task is defined here, with the code it runs; ``webhooks.tasks`` imports
it for the worker's autodiscovery. This module imports nothing else of the app's but its models
and signing: the outbox hands messages to it, never the reverse.
"""

from __future__ import annotations

import json
import logging
import random
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from webhooks import signing
from webhooks.models import (
    RESPONSE_EXCERPT_LIMIT,
    OutboxMessage,
    WebhookDelivery,
    validate_endpoint_url,
)

logger = logging.getLogger(__name__)

USER_AGENT = "PatientCare-Webhooks/1"
TIMEOUT_SECONDS = 10
# Retries: BACKOFF_BASE * 2^(attempt-1), at most BACKOFF_CAP, ±20 % jitter; MAX_ATTEMPTS in all
# (the first attempt and 11 retries: about 20.5 hours, about a day with jitter and timeouts).
BACKOFF_BASE = timedelta(seconds=60)
BACKOFF_CAP = timedelta(hours=6)
JITTER = 0.2
MAX_ATTEMPTS = 12
# How long a claimed attempt owns the message (well above the timeout): after it, a message whose
# worker died is due again.
LEASE = timedelta(minutes=5)


def max_attempts() -> int:
    return int(getattr(settings, "WEBHOOKS_MAX_ATTEMPTS", MAX_ATTEMPTS))


def backoff(attempt: int, *, rng: random.Random | None = None) -> timedelta:
    """The wait after failed attempt number ``attempt`` (1-based)."""
    exponent = min(max(attempt - 1, 0), 30)
    base = min(BACKOFF_BASE * (2**exponent), BACKOFF_CAP)
    factor = 1 + (rng or random).uniform(-JITTER, JITTER)
    return timedelta(seconds=base.total_seconds() * factor)


def encode_body(payload: dict) -> bytes:
    """The exact bytes sent and signed (sorted keys: the same on SQLite and PostgreSQL, whose
    jsonb reorders keys)."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


# --- HTTP ---------------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is a failed attempt: the endpoint's URL is the one an administrator approved."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass
class HttpResult:
    status: int | None
    body: str
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _excerpt(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")[:RESPONSE_EXCERPT_LIMIT]


def post(url: str, body: bytes, headers: dict[str, str]) -> HttpResult:
    """POST ``body``; never raises. Errors are described without the body or the URL's query."""
    started = time.monotonic()
    status: int | None = None
    excerpt = error = ""
    try:
        validate_endpoint_url(url)
        # https only (or loopback http in development): validated just above
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
            excerpt = _excerpt(response.read(RESPONSE_EXCERPT_LIMIT))
    except urllib.error.HTTPError as exc:  # any status outside 2xx, redirects included
        status = exc.code
        try:
            excerpt = _excerpt(exc.read(RESPONSE_EXCERPT_LIMIT))
        except Exception:  # noqa: S110 (the status is what matters)
            pass
        finally:
            exc.close()
        error = f"HTTP {exc.code}"
    except ValidationError as exc:
        error = f"URL refused: {'; '.join(exc.messages)}"
    except urllib.error.URLError as exc:
        error = f"{type(exc.reason).__name__}: {exc.reason}"[:500]
    except Exception as exc:  # timeouts, resets, TLS errors
        error = f"{type(exc).__name__}: {exc}"[:500]
    duration_ms = int((time.monotonic() - started) * 1000)
    return HttpResult(status=status, body=excerpt, error=error, duration_ms=duration_ms)


# --- one attempt ------------------------------------------------------------------------------


@dataclass
class _Claim:
    message_id: int
    attempt: int
    url: str
    event_type: str
    event_id: str
    body: bytes
    secrets: list[str]


def _locked(message_id: int) -> OutboxMessage | None:
    queryset = OutboxMessage.objects.select_related("endpoint", "endpoint__organisation")
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True, of=("self",))
    else:  # SQLite: the write lock taken at BEGIN already serialises the claim
        queryset = queryset.select_for_update()
    return queryset.filter(pk=message_id).first()


def _refusal(endpoint) -> str:
    """Why nothing may be sent to this endpoint now (empty when it may): the endpoint or its
    organisation is inactive, or the organisation's BAA is not in force (partners'
    ``refusal_reason``) — payloads can carry PHI (a reply's text)."""
    if not endpoint.active:
        return "endpoint inactive"
    organisation = endpoint.organisation
    if not organisation.active:
        return "organisation inactive"
    refusal_reason = getattr(organisation, "refusal_reason", None)  # BAA dates (issue 6)
    refusal = refusal_reason() if callable(refusal_reason) else None
    return f"organisation refused ({refusal.code})" if refusal is not None else ""


def _claim(message_id: int) -> tuple[_Claim | None, str]:
    now = timezone.now()
    with transaction.atomic():
        message = _locked(message_id)
        if message is None:
            return None, "locked or missing"
        if message.state != OutboxMessage.State.PENDING:
            return None, f"already {message.state}"
        if message.next_attempt_at > now:
            return None, "not due"
        endpoint = message.endpoint
        refusal = _refusal(endpoint)
        if refusal:
            message.state = OutboxMessage.State.FAILED
            message.last_error = f"Not sent: {refusal}. Replay once it is resolved."
            message.enqueued_at = None
            message.save(update_fields=["state", "last_error", "enqueued_at"])
            logger.info("webhook message %s not sent: %s", message_id, refusal)
            return None, "refused"
        message.attempts += 1
        message.next_attempt_at = now + LEASE
        message.enqueued_at = None  # picked up: the sweeper may hand it over again when due
        message.save(update_fields=["attempts", "next_attempt_at", "enqueued_at"])
        claim = _Claim(
            message_id=message.pk,
            attempt=message.attempts,
            url=endpoint.url,
            event_type=message.event_type,
            event_id=str(message.event_id),
            body=encode_body(message.payload),
            secrets=endpoint.signing_secrets(now),
        )
    return claim, "claimed"


def _headers(claim: _Claim, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-PatientCare-Event": claim.event_type,
        "X-PatientCare-Event-Id": claim.event_id,
        "X-PatientCare-Signature": signing.signature_header(claim.secrets, timestamp, claim.body),
    }


def _record(claim: _Claim, started_at: datetime, timestamp: int, result: HttpResult) -> str:
    finished = timezone.now()
    with transaction.atomic():
        WebhookDelivery.objects.create(
            message_id=claim.message_id,
            attempt=claim.attempt,
            url=claim.url,
            started_at=started_at,
            duration_ms=result.duration_ms,
            response_status=result.status,
            response_body=result.body,
            error=result.error,
            signature_timestamp=timestamp,
        )
        if result.ok:
            changes = {
                "state": OutboxMessage.State.DELIVERED,
                "delivered_at": finished,
                "last_error": "",
                "next_attempt_at": finished,
            }
            outcome = "delivered"
        elif claim.attempt >= max_attempts():
            changes = {"state": OutboxMessage.State.FAILED, "last_error": result.error}
            outcome = "failed"
        else:
            changes = {
                "last_error": result.error,
                "next_attempt_at": finished + backoff(claim.attempt),
            }
            outcome = "retry"
        OutboxMessage.objects.filter(pk=claim.message_id).update(**changes)
    logger.info(
        "webhook message %s attempt %s: %s (%s)",
        claim.message_id,
        claim.attempt,
        outcome,
        result.status if result.status is not None else result.error.split(":")[0],
    )
    return outcome


def deliver_message(message_id: int) -> str:
    """One attempt at delivering a message, if it is pending, due and not being delivered by
    another worker. Returns what happened: delivered, retry, failed, or why nothing was sent."""
    claim, reason = _claim(message_id)
    if claim is None:
        return reason
    timestamp = int(time.time())
    started_at = timezone.now()
    result = post(claim.url, claim.body, _headers(claim, timestamp))
    return _record(claim, started_at, timestamp, result)


@shared_task(name="webhooks.deliver", ignore_result=True)
def deliver(message_id: int) -> str:
    """The Celery task: one attempt at one message (its argument is the id, never a payload)."""
    return deliver_message(message_id)
