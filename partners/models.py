"""Partner organisations: the EHRs, billing systems, portals, IVRs, outsourced contact centers and
chatbots that submit cases. Cases keep the organisation they came from
(``Case.source_organisation``).

A partner may use the API only while it is active and its Business Associate Agreement (BAA) is
in force: ``baa_effective_on`` ≤ today ≤ ``baa_expires_on``, "today" in ``settings.TIME_ZONE``
(``PartnerOrganisation.refusal_reason``). It acts through service accounts (``accounts.User``
with ``kind="service"``) holding ``ServiceToken``s: django-rest-knox tokens (SHA-512 digests,
expiring) that stay on record when revoked or expired. docs/architecture/partner-api.md.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import UserManager
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from knox.models import AbstractAuthToken, AuthTokenManager
from knox.settings import CONSTANTS

from accounts.models import User


def local_today() -> datetime.date:
    """Today's date in the deployment's time zone (``settings.TIME_ZONE``), whatever time zone
    the current request activated: BAA dates are dates of the contract, not of a viewer."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


@dataclass(frozen=True)
class Refusal:
    """Why an organisation may not use the API today: a stable ``code`` for clients to branch on
    and a ``message`` for people (dates only, never anything about patients)."""

    code: str
    message: str


class RefusalCode:
    ORGANISATION_INACTIVE = "organisation_inactive"
    BAA_MISSING = "baa_missing"
    BAA_NOT_YET_EFFECTIVE = "baa_not_yet_effective"
    BAA_EXPIRED = "baa_expired"


class PartnerOrganisationQuerySet(models.QuerySet):
    def baa_in_force(self, on: datetime.date | None = None):
        """Organisations whose BAA covers the date ``on`` (default: today, local time)."""
        on = on or local_today()
        return self.filter(baa_effective_on__lte=on, baa_expires_on__gte=on)

    def api_usable(self, on: datetime.date | None = None):
        """Active organisations whose BAA is in force: the ones whose tokens authenticate."""
        return self.baa_in_force(on).filter(active=True)


class PartnerOrganisation(models.Model):
    class Kind(models.TextChoices):
        EHR = "ehr", "EHR"
        BILLING = "billing", "Billing system"
        PORTAL = "portal", "Patient portal"
        TELEPHONY = "telephony", "IVR / telephony"
        CONTACT_CENTER = "contact_center", "Outsourced contact center"
        CHATBOT = "chatbot", "Chatbot"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=64, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.OTHER)
    active = models.BooleanField(
        default=True, help_text="An inactive organisation's tokens are refused."
    )
    baa_effective_on = models.DateField(
        "BAA effective on",
        null=True,
        blank=True,
        help_text="First day the Business Associate Agreement covers. Required for API access.",
    )
    baa_expires_on = models.DateField(
        "BAA expires on",
        null=True,
        blank=True,
        help_text="Last day the Business Associate Agreement covers (inclusive). Required for "
        "API access.",
    )
    allowed_categories = models.ManyToManyField(
        "cases.Category",
        blank=True,
        related_name="partner_organisations",
        help_text="The only categories this partner may open cases in.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PartnerOrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "partner organisation"
        constraints = [
            models.CheckConstraint(
                condition=Q(baa_effective_on__isnull=True)
                | Q(baa_expires_on__isnull=True)
                | Q(baa_expires_on__gt=F("baa_effective_on")),
                name="partners_baa_expires_after_effective",
                violation_error_message="The BAA must expire after its effective date.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def refusal_reason(self, today: datetime.date | None = None) -> Refusal | None:
        """Why this organisation may not use the API on ``today`` (default: today in
        ``settings.TIME_ZONE``), or None when it may."""
        today = today or local_today()
        if not self.active:
            return Refusal(
                RefusalCode.ORGANISATION_INACTIVE,
                "This partner organisation is deactivated; API access is refused.",
            )
        missing = [
            label
            for label, value in (
                ("effective date", self.baa_effective_on),
                ("expiry date", self.baa_expires_on),
            )
            if value is None
        ]
        if missing:
            return Refusal(
                RefusalCode.BAA_MISSING,
                "No Business Associate Agreement is on record for this organisation (its "
                f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing); "
                "API access is refused until one is recorded.",
            )
        if today < self.baa_effective_on:
            return Refusal(
                RefusalCode.BAA_NOT_YET_EFFECTIVE,
                "This organisation's Business Associate Agreement takes effect on "
                f"{self.baa_effective_on.isoformat()}; API access starts that day.",
            )
        if today > self.baa_expires_on:
            return Refusal(
                RefusalCode.BAA_EXPIRED,
                "This organisation's Business Associate Agreement expired on "
                f"{self.baa_expires_on.isoformat()}; API access is refused until a new "
                "agreement is recorded.",
            )
        return None

    def baa_in_force(self, today: datetime.date | None = None) -> bool:
        """Whether the BAA covers ``today`` (whatever ``active`` says)."""
        today = today or local_today()
        return (
            self.baa_effective_on is not None
            and self.baa_expires_on is not None
            and self.baa_effective_on <= today <= self.baa_expires_on
        )

    def may_use_api(self, today: datetime.date | None = None) -> bool:
        return self.refusal_reason(today) is None

    def allows_category(self, category) -> bool:
        """Whether this partner may open cases in ``category`` (one query)."""
        return self.allowed_categories.filter(pk=category.pk).exists()


# --- service accounts -----------------------------------------------------------------------------


class ServiceAccountManager(UserManager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=User.Kind.SERVICE)


class ServiceAccount(User):
    """The service accounts among the users (a proxy: same table, no fields of its own), for the
    partner admin. Created by ``partners.credentials.service_account_create`` only; audited as
    ``accounts.User`` (the service saves a User)."""

    objects = ServiceAccountManager()

    class Meta:
        proxy = True
        verbose_name = "service account"
        ordering = ["username"]


# --- service tokens -------------------------------------------------------------------------------


class ServiceTokenQuerySet(models.QuerySet):
    def usable(self, now: datetime.datetime | None = None):
        """Not revoked and not expired at ``now``."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expiry__gt=now)


class ServiceTokenManager(AuthTokenManager.from_queryset(ServiceTokenQuerySet)):
    """knox's manager (its ``create`` returns ``(token, plaintext)``) with our queryset. Project
    code issues tokens through ``partners.credentials.token_issue``, never ``create``."""


class ServiceToken(AbstractAuthToken):
    """A partner service account's API token: knox's hashed, expiring token (``KNOX_TOKEN_MODEL``)
    plus a name, who made it, revocation and last use. Tokens are never deleted: revoked and
    expired ones stay on record (``partners.authentication`` refuses them without deleting them,
    unlike knox's own authentication).

    The primary key is a plain id, not knox's digest, so that admin URLs, the audit trail's
    object ids and log lines never carry token material. ``token_key`` is knox's look-up prefix
    (the first characters of the plaintext): it is never shown or audited either."""

    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True, editable=False)
    token_key = models.CharField(
        max_length=CONSTANTS.MAXIMUM_TOKEN_PREFIX_LENGTH + CONSTANTS.TOKEN_KEY_LENGTH,
        db_index=True,
        editable=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="service_tokens",
        limit_choices_to={"kind": "service"},
        verbose_name="service account",
    )
    expiry = models.DateTimeField(help_text="Every token expires; after this it is refused.")
    name = models.CharField(
        max_length=100, help_text="What the token is for, e.g. “production EHR interface”."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rotated_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rotated_into",
        help_text="The token this one replaced (which expires after the rotation's grace period).",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    last_used_at = models.DateTimeField(
        null=True, blank=True, help_text="Updated at most once a minute."
    )

    objects = ServiceTokenManager()

    # What the audit trail records of a token (partners.apps): never the
    # digest or the look-up key (token material), nor last_used_at (bookkeeping, updated by a
    # queryset UPDATE that the trail does not see anyway).
    AUDITED_FIELDS = (
        "name",
        "user",
        "created",
        "expiry",
        "created_by",
        "rotated_from",
        "revoked_at",
        "revoked_by",
    )

    class Meta:
        ordering = ["-created"]
        verbose_name = "service token"
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_by__isnull=True)
                | Q(revoked_at__isnull=False, revoked_by__isnull=False),
                name="partners_token_revocation_names_who",
            ),
        ]
        indexes = [models.Index(fields=["user", "expiry"], name="partners_token_user_expiry")]

    def __str__(self) -> str:
        # Also the audit trail's object_repr: never the digest or the key (knox's __str__ shows
        # the digest).
        return f"{self.name} (token #{self.pk})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now: datetime.datetime | None = None) -> bool:
        return self.expiry <= (now or timezone.now())

    def is_usable(self, now: datetime.datetime | None = None) -> bool:
        return not self.is_revoked and not self.is_expired(now)

    def status(self, now: datetime.datetime | None = None) -> str:
        if self.is_revoked:
            return "revoked"
        if self.is_expired(now):
            return "expired"
        return "active"
