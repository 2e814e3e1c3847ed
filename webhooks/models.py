"""Webhook endpoints, the transactional outbox and deliveries.

* ``WebhookEndpoint`` — where a partner organisation wants to hear about its cases, which events,
  and the secret the bodies are signed with (kept, because signing needs it; shown once).
* ``OutboxMessage`` — one event for one endpoint, written in the transaction of the case change
  that caused it (``webhooks.outbox``), then delivered by Celery (``webhooks.delivery``).
* ``WebhookDelivery`` — the log: one row per HTTP attempt.

docs/architecture/partner-api.md, section "Webhooks", explains the design.
"""

from __future__ import annotations

import ipaddress
import secrets
import uuid
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
RESPONSE_EXCERPT_LIMIT = 2048  # characters of a partner's response body kept in the log


def generate_secret() -> str:
    """A new signing secret: 256 random bits, URL-safe, with a recognisable prefix."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


class EventType(models.TextChoices):
    STATUS_CHANGED = "case.status_changed", "Case status changed"
    REPLY = "case.reply", "Reply to the patient"
    TEST = "webhook.test", "Test event"


# What an endpoint may subscribe to (the test event is sent on request, to any endpoint).
SUBSCRIBABLE_EVENT_TYPES = (EventType.STATUS_CHANGED, EventType.REPLY)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def http_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "WEBHOOKS_ALLOW_HTTP", False))


def validate_endpoint_url(url: str) -> None:
    """https only; plain http only to a loopback address, and only with ``DEBUG`` or
    ``WEBHOOKS_ALLOW_HTTP`` (tests, the demo). No credentials in the URL (they would show in the
    admin and in logs); the partner authenticates us by the signature."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.username or parts.password:
        raise ValidationError(
            "Put no user name or password in the URL; the signature authenticates us.",
            code="credentials_in_url",
        )
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and host and _is_loopback(host) and http_allowed():
        return
    raise ValidationError(
        "Webhook URLs must use https (plain http only to a loopback address in development).",
        code="https_required",
    )


def validate_event_types(value) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError("A list of event types.", code="invalid")
    unknown = sorted(set(value) - set(SUBSCRIBABLE_EVENT_TYPES))
    if unknown:
        raise ValidationError(
            "Unknown event types: %(unknown)s.",
            code="unknown_event_type",
            params={"unknown": ", ".join(unknown)},
        )


class WebhookEndpoint(models.Model):
    """A partner organisation's URL for the events it subscribed to."""

    organisation = models.ForeignKey(
        "partners.PartnerOrganisation", on_delete=models.PROTECT, related_name="webhook_endpoints"
    )
    description = models.CharField(max_length=200, blank=True)
    url = models.URLField("URL", max_length=500, validators=[validate_endpoint_url])
    event_types = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_event_types],
        help_text="The events this endpoint receives.",
    )
    # The secret signs every body (HMAC-SHA256), so it is stored as is — a digest could not sign.
    # Shown once in the admin, masked afterwards, never logged, excluded from the audit trail.
    secret = models.CharField(max_length=100, default=generate_secret, editable=False)
    # During a rotation the old secret also signs (a second v1 in the header) until it expires.
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    secret_rotated_at = models.DateTimeField(null=True, blank=True, editable=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation__name", "url", "id"]
        verbose_name = "webhook endpoint"
        permissions = [
            ("rotate_secret_webhookendpoint", "Can rotate webhook signing secrets"),
            ("send_test_webhookendpoint", "Can send test webhook events"),
        ]

    def __str__(self) -> str:
        parts = urlsplit(self.url)
        return f"{self.organisation} → {parts.scheme}://{parts.netloc}{parts.path}"

    def subscribes_to(self, event_type: str) -> bool:
        return event_type in (self.event_types or [])

    def signing_secrets(self, now: datetime) -> list[str]:
        """The current secret, and the previous one while its overlap lasts."""
        found = [self.secret]
        if (
            self.previous_secret
            and self.previous_secret_expires_at is not None
            and self.previous_secret_expires_at > now
        ):
            found.append(self.previous_secret)
        return found

    @property
    def masked_secret(self) -> str:
        return f"{SECRET_PREFIX}…{self.secret[-4:]}" if self.secret else ""


class MessageState(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (gave up)"


class OutboxMessage(models.Model):
    """One event for one endpoint. Written in the transaction of the change it reports."""

    State = MessageState

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.PROTECT, related_name="messages")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    event_type = models.CharField(max_length=64, choices=EventType.choices)
    event_id = models.UUIDField(
        default=uuid.uuid4, help_text="Sent as X-PatientCare-Event-Id: partners deduplicate by it."
    )
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        help_text="Due time of the next attempt; while an attempt runs, the end of its lease."
    )
    enqueued_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a delivery task was last handed to the broker and not yet picked up.",
    )
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "outbox message"
        indexes = [
            # the sweeper: pending messages whose next attempt is due
            models.Index(fields=["state", "next_attempt_at"], name="webhooks_outbox_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="webhooks_outbox_endpoint_event_unique"
            ),
            models.CheckConstraint(
                condition=Q(state__in=MessageState.values),
                name="webhooks_outbox_state_valid",
            ),
        ]
        permissions = [("replay_outboxmessage", "Can replay webhook messages")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class WebhookDelivery(models.Model):
    """One HTTP attempt of an outbox message: the delivery log."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="deliveries")
    attempt = models.PositiveIntegerField()
    url = models.URLField("URL", max_length=500)
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(
        blank=True, help_text=f"The first {RESPONSE_EXCERPT_LIMIT} characters of the response."
    )
    error = models.TextField(blank=True)
    signature_timestamp = models.BigIntegerField(help_text="The t= of the signature header.")

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"attempt {self.attempt} of {self.message_id}"

    @property
    def succeeded(self) -> bool:
        return self.response_status is not None and 200 <= self.response_status < 300
