"""``Authorization: Bearer <token>`` for partner systems (docs/architecture/partner-api.md).

django-rest-knox's ``TokenAuthentication`` with PatientCare's rules:

* 401 (``WWW-Authenticate: Bearer``) for a malformed header, an unknown, revoked or expired token,
  an inactive account and an account that is not a partner's service account;
* 403 for an organisation that is deactivated or whose BAA is not in force today (the message
  says which date is missing or past; ``PartnerOrganisation.refusal_reason``);
* one query to find the token with its account and organisation, plus at most one UPDATE a minute
  per token for ``last_used_at``;
* revoked and expired tokens are refused, never deleted (knox's own class deletes expired ones).

Every refusal carries a stable ``code`` (``exc.get_codes()``) for the API's error format.
"""

from __future__ import annotations

import binascii
import logging
from datetime import timedelta
from hmac import compare_digest

from django.db.models import Q
from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header

from accounts.models import User
from partners.models import ServiceToken

logger = logging.getLogger(__name__)

LAST_USED_RESOLUTION = timedelta(minutes=1)
# knox tokens are TOKEN_PREFIX + 64 hex characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = CONSTANTS.MAXIMUM_TOKEN_PREFIX_LENGTH + 2 * 128


class TokenRefused(exceptions.AuthenticationFailed):
    """401: the credentials themselves are not acceptable."""


class OrganisationRefused(exceptions.PermissionDenied):
    """403: the credentials are good, but the organisation may not use the API today."""


def _unauthenticated(message: str, code: str) -> TokenRefused:
    return TokenRefused(detail=message, code=code)


class PartnerTokenAuthentication(TokenAuthentication):
    """Bearer tokens of partner service accounts (``partners.ServiceToken``)."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # no credentials, or another scheme: let the next class try
        if len(header) == 1:
            raise _unauthenticated(
                "Invalid Authorization header: no token after “Bearer”.", "invalid_header"
            )
        if len(header) > 2:
            raise _unauthenticated(
                "Invalid Authorization header: the token must not contain spaces.",
                "invalid_header",
            )
        return self.authenticate_credentials(header[1])

    @property
    def keyword(self) -> str:
        return knox_settings.AUTH_HEADER_PREFIX

    def authenticate_header(self, request) -> str:
        """The challenge of a 401; its presence is what makes DRF answer 401 rather than 403."""
        return f'{self.keyword} realm="api"'

    def authenticate_credentials(self, token: bytes):
        try:
            token_text = token.decode("ascii")
        except UnicodeDecodeError:
            raise _unauthenticated("Invalid token.", "invalid_token") from None
        if len(token_text) > MAX_TOKEN_LENGTH:
            raise _unauthenticated("Invalid token.", "invalid_token")
        try:
            digest = hash_token(token_text)
        except (TypeError, ValueError, binascii.Error):
            raise _unauthenticated("Invalid token.", "invalid_token") from None

        # One query: the token, its account and the account's organisation.
        candidates = ServiceToken.objects.select_related("user__organisation").filter(
            token_key=token_text[: CONSTANTS.TOKEN_KEY_LENGTH]
        )
        found = next((c for c in candidates if compare_digest(digest, c.digest)), None)
        if found is None:
            raise _unauthenticated("Invalid token.", "invalid_token")

        now = timezone.now()
        if found.is_revoked:
            raise _unauthenticated(
                "This token was revoked; ask the organisation's administrator for a new one.",
                "token_revoked",
            )
        if found.is_expired(now):
            raise _unauthenticated(
                f"This token expired at {found.expiry.isoformat()}; ask for a new one.",
                "token_expired",
            )
        user, token_row = self.validate_user(found)
        organisation = user.organisation
        refusal = organisation.refusal_reason()
        if refusal is not None:
            # ids and codes only in logs
            logger.info(
                "partner token refused: token %s organisation %s code %s",
                found.pk,
                organisation.pk,
                refusal.code,
            )
            raise OrganisationRefused(detail=refusal.message, code=refusal.code)
        self._touch(found, now)
        return user, token_row

    def validate_user(self, auth_token: ServiceToken):
        user = auth_token.user
        if not user.is_active:
            raise _unauthenticated("This service account is deactivated.", "account_inactive")
        if user.kind != User.Kind.SERVICE:
            raise _unauthenticated(
                "Only a partner's service account may use an API token.", "not_service_account"
            )
        if user.organisation_id is None:
            raise _unauthenticated(
                "This service account belongs to no partner organisation.", "no_organisation"
            )
        return user, auth_token

    @staticmethod
    def _touch(token: ServiceToken, now) -> None:
        """Record the use, at most once per ``LAST_USED_RESOLUTION`` (and never twice in that
        minute, even from concurrent workers: the UPDATE is conditional). A queryset update: no
        audit entry and no signal for a bookkeeping timestamp."""
        stale = now - LAST_USED_RESOLUTION
        if token.last_used_at is not None and token.last_used_at > stale:
            return
        ServiceToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale)
        ).update(last_used_at=now)
        token.last_used_at = now
