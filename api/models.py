"""Models of the REST edge: idempotency records (api/idempotency.py).

An ``IdempotencyRecord`` is the stored outcome of one POST made with an ``Idempotency-Key``
header. It is INSERTed once, with the response, at the end of the request's own transaction; a
concurrent twin waits on the key's advisory lock (PostgreSQL), and the unique constraints are the
last word (docs/architecture/partner-api.md, "Idempotency").
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q


class IdempotencyRecord(models.Model):
    """One Idempotency-Key in its scope, the request it was first used with, and its response.

    Scope: a partner's service accounts share their organisation's keys (``organisation`` set);
    anyone else (staff, a service account without an organisation) has keys of their own
    (``organisation`` empty, ``user``). Two partial unique constraints enforce one record per
    (scope, key) on PostgreSQL and SQLite alike, where a plain unique (organisation, user, key)
    would not (NULLs are distinct in a unique index).

    The stored response body may contain patient data: it is kept in the database, like the case
    itself, only until ``expires_at`` (then ``api.purge_idempotency_keys`` deletes it); only a
    hash of the request body is kept.
    """

    organisation = models.ForeignKey(
        "partners.PartnerOrganisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="The key's scope for a partner's service accounts; empty: the user's own keys.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Who made the first request with this key.",
    )
    key = models.CharField(max_length=255, help_text="The Idempotency-Key header's value.")
    method = models.CharField(max_length=10)
    path = models.TextField(help_text="The path, with its query string if any.")
    fingerprint = models.CharField(
        max_length=64,
        help_text="SHA-256 (hex) of the method, the path and the canonical request body.",
    )
    response_status = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Written with the record; empty only in records claimed before their answer "
        "(releases before issue 18).",
    )
    response_body = models.JSONField(null=True, blank=True)
    response_headers = models.JSONField(
        default=dict, blank=True, help_text="The headers replayed with the body (Location)."
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True, default="")
    resulting_object = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(help_text="At least 24 hours after created_at.")

    class Meta:
        verbose_name = "idempotency record"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "key"],
                condition=Q(organisation__isnull=False),
                name="api_idempotency_key_unique_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["user", "key"],
                condition=Q(organisation__isnull=True),
                name="api_idempotency_key_unique_per_user",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="api_idempotency_expires_after_creation",
            ),
            models.CheckConstraint(
                condition=Q(response_status__isnull=True)
                | Q(response_status__gte=100, response_status__lte=599),
                name="api_idempotency_response_status_valid",
            ),
        ]
        indexes = [
            # The purge: DELETE … WHERE expires_at <= now, in batches.
            models.Index(fields=["expires_at"], name="api_idempotency_expires_idx"),
        ]

    def __str__(self) -> str:
        return f"Idempotency-Key record {self.pk}"
