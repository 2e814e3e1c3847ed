"""Partner credentials: service accounts and their API tokens (the one write path for them).

Each function is a service in the house style: keyword-only, an explicit ``actor`` (the audit
trail's), one transaction, ``full_clean()`` before saving, refusals of ``cases.errors``
(``Invalid``, ``Conflict``) with stable codes.
The admin actions and ``manage.py partner_token`` call these and nothing else.

A token's plaintext is returned once, by ``token_issue`` and ``token_rotate``, and is never
stored (only knox's SHA-512 digest and look-up prefix are), logged or audited.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from knox.models import get_digest_token
from knox.settings import CONSTANTS

from accounts.models import User
from accounts.roles import Role
from cases.errors import Conflict, Invalid
from cases.services import require_actor
from compliance.audit import audited
from partners.models import PartnerOrganisation, RefusalCode, ServiceToken

logger = logging.getLogger(__name__)

MAX_TOKEN_DAYS = 5 * 366
MAX_GRACE_MINUTES = 7 * 24 * 60


def _lock_organisation(organisation: PartnerOrganisation) -> PartnerOrganisation:
    """The organisation as committed now (an admin may just have deactivated it)."""
    return PartnerOrganisation.objects.select_for_update().get(pk=organisation.pk)


def _check_organisation_for_tokens(organisation: PartnerOrganisation | None, field: str) -> None:
    """Tokens are issued to active organisations with a BAA on record that has not expired. A
    BAA that takes effect later is allowed (integration can be prepared; the token is refused
    until the effective date)."""
    if organisation is None:  # _lock_service_account refuses it first
        raise Invalid(
            "This service account belongs to no partner organisation.",
            code="no_organisation",
            field=field,
        )
    refusal = organisation.refusal_reason()
    if refusal is not None and refusal.code != RefusalCode.BAA_NOT_YET_EFFECTIVE:
        raise Invalid(refusal.message, code=refusal.code, field=field)


def _lock_service_account(account: User, field: str = "account") -> User:
    if account is None or account.pk is None:
        raise Invalid("Choose a saved service account.", code="required", field=field)
    account = (
        User.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=account.pk)
    )
    if account.kind != User.Kind.SERVICE:
        raise Invalid(
            "Tokens are only issued to partner service accounts, never to people or the "
            "system account.",
            code="not_service_account",
            field=field,
        )
    if not account.is_active:
        raise Invalid("This service account is deactivated.", code="account_inactive", field=field)
    if account.organisation is None:
        raise Invalid(
            "This service account belongs to no partner organisation.",
            code="no_organisation",
            field=field,
        )
    return account


def _require_staff_actor(actor: User) -> None:
    """People and the system account manage credentials; a partner never mints its own."""
    require_actor(actor)
    if getattr(actor, "kind", User.Kind.PERSON) == User.Kind.SERVICE:
        raise Invalid(
            "A service account cannot manage partner credentials.",
            code="not_allowed",
            field="actor",
        )


def _token_days(days: int | None) -> int:
    days = settings.PARTNER_TOKEN_DAYS if days is None else days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_TOKEN_DAYS:
        raise Invalid(
            f"A token lasts between 1 and {MAX_TOKEN_DAYS} days.", code="out_of_range", field="days"
        )
    return days


def _new_token(*, actor: User, account: User, name: str, expiry, rotated_from=None):
    digest, plaintext = get_digest_token()
    token = ServiceToken(
        digest=digest,
        token_key=plaintext[: CONSTANTS.TOKEN_KEY_LENGTH],
        user=account,
        expiry=expiry,
        name=(name or "").strip(),
        created_by=actor,
        rotated_from=rotated_from,
    )
    token.full_clean(exclude=["user", "created_by", "rotated_from"])
    token.save(force_insert=True)
    return token, plaintext


@audited
@transaction.atomic
def service_account_create(
    *, actor: User, organisation: PartnerOrganisation, username: str
) -> User:
    """A service account for ``organisation``: kind service, in the Partner system group, not
    staff, with no usable password (it authenticates with tokens only)."""
    _require_staff_actor(actor)
    if organisation is None or organisation.pk is None:
        raise Invalid("Choose a saved partner organisation.", code="required", field="organisation")
    organisation = _lock_organisation(organisation)
    if not organisation.active:
        raise Invalid(
            "This partner organisation is deactivated; it gets no new accounts.",
            code=RefusalCode.ORGANISATION_INACTIVE,
            field="organisation",
        )
    username = (username or "").strip()
    if User.objects.filter(username__iexact=username).exists():
        raise Invalid(
            "An account with this username already exists.", code="unique", field="username"
        )
    account = User(
        username=username,
        kind=User.Kind.SERVICE,
        organisation=organisation,
        first_name=organisation.name[:150],
        is_staff=False,
        is_superuser=False,
        is_active=True,
    )
    account.set_unusable_password()
    account.full_clean(exclude=["organisation"])
    account.save(force_insert=True)
    group, _ = Group.objects.get_or_create(name=Role.PARTNER_SYSTEM)
    account.groups.add(group)
    logger.debug("service account %s created for organisation %s", account.pk, organisation.pk)
    return account


@audited
@transaction.atomic
def token_issue(
    *, actor: User, account: User, name: str, days: int | None = None
) -> tuple[ServiceToken, str]:
    """A new token for the service ``account``, valid ``days`` (default
    ``settings.PARTNER_TOKEN_DAYS``). Returns the token and its plaintext: show the plaintext
    once, it cannot be recovered."""
    _require_staff_actor(actor)
    account = _lock_service_account(account)
    _check_organisation_for_tokens(account.organisation, "account")
    days = _token_days(days)
    token, plaintext = _new_token(
        actor=actor, account=account, name=name, expiry=timezone.now() + timedelta(days=days)
    )
    logger.info("partner token %s issued to service account %s", token.pk, account.pk)
    return token, plaintext


@audited
@transaction.atomic
def token_rotate(
    *, actor: User, token: ServiceToken, grace_minutes: int = 60, days: int | None = None
) -> tuple[ServiceToken, str]:
    """Replace ``token`` by a new one with the same name and account; the old one keeps working
    for ``grace_minutes`` (0: stops now) so that the partner can deploy the new one. Returns the
    new token and its plaintext (shown once)."""
    _require_staff_actor(actor)
    if token is None or token.pk is None:
        raise Invalid("Choose a saved token.", code="required", field="token")
    if (
        isinstance(grace_minutes, bool)
        or not isinstance(grace_minutes, int)
        or not 0 <= grace_minutes <= MAX_GRACE_MINUTES
    ):
        raise Invalid(
            f"The grace period is between 0 and {MAX_GRACE_MINUTES} minutes.",
            code="out_of_range",
            field="grace_minutes",
        )
    old = ServiceToken.objects.select_for_update().get(pk=token.pk)
    now = timezone.now()
    if old.is_revoked:
        raise Conflict(
            "This token was revoked; issue a new one instead.", code="token_revoked", field="token"
        )
    if old.is_expired(now):
        raise Conflict(
            "This token has expired; issue a new one instead.", code="token_expired", field="token"
        )
    if ServiceToken.objects.filter(rotated_from=old).exists():
        raise Invalid(
            "This token was already rotated; rotate its replacement.",
            code="already_rotated",
            field="token",
        )
    account = _lock_service_account(old.user, field="token")
    _check_organisation_for_tokens(account.organisation, "token")
    days = _token_days(days)
    new, plaintext = _new_token(
        actor=actor,
        account=account,
        name=old.name,
        expiry=now + timedelta(days=days),
        rotated_from=old,
    )
    old.expiry = min(old.expiry, now + timedelta(minutes=grace_minutes))
    old.save(update_fields=["expiry"])
    logger.info("partner token %s rotated into %s (grace %s min)", old.pk, new.pk, grace_minutes)
    token.expiry = old.expiry
    return new, plaintext


@audited
@transaction.atomic
def token_revoke(*, actor: User, token: ServiceToken) -> ServiceToken:
    """Revoke ``token`` now. It stays on record (who revoked it, when); it is refused from the
    next request on."""
    _require_staff_actor(actor)
    if token is None or token.pk is None:
        raise Invalid("Choose a saved token.", code="required", field="token")
    locked = ServiceToken.objects.select_for_update().get(pk=token.pk)
    if locked.is_revoked:
        raise Conflict("This token is already revoked.", code="already_revoked", field="token")
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor
    locked.full_clean(exclude=["user", "created_by", "rotated_from", "revoked_by"])
    locked.save(update_fields=["revoked_at", "revoked_by"])
    logger.info("partner token %s revoked", locked.pk)
    token.revoked_at, token.revoked_by = locked.revoked_at, locked.revoked_by
    return locked
