"""The security schemes: the Bearer token of ``partners.authentication.PartnerTokenAuthentication``
and the staff session of ``api.authentication.VerifiedSessionAuthentication``
(a drf-spectacular extension: registered when this module is imported)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object

# --- authentication -------------------------------------------------------------------------------


class PartnerTokenScheme(OpenApiAuthenticationExtension):
    """``Authorization: Bearer <token>`` of partner service accounts."""

    target_class = "partners.authentication.PartnerTokenAuthentication"
    name = "bearerAuth"
    optional = True  # documented once partners/authentication.py provides the class
    priority = 1  # before drf-spectacular's own knox extension, which would match a subclass

    def get_security_definition(self, auto_schema):
        scheme = build_bearer_security_scheme_object(
            header_name="AUTHORIZATION",
            token_prefix="Bearer",  # noqa: S106 - the scheme's name, not a secret
        )
        scheme["description"] = (
            "A partner service account's API token: `Authorization: Bearer pc_…`. Tokens are "
            "issued by an administrator (shown once), expire, and are refused when the "
            "organisation is inactive or its BAA is not in force."
        )
        return scheme


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    """Staff's session cookie (``api.authentication.VerifiedSessionAuthentication``): a logged-in
    person whose session has given its second factor."""

    target_class = "api.authentication.VerifiedSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        from django.conf import settings

        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": (
                "Staff: the session of the pages. A session that has not given its second "
                "factor yet is refused with 403 `mfa_required`."
            ),
        }
