"""The REST API's settings (DRF, drf-spectacular, the rate limit, the body limit) and the partner
API tokens (django-rest-knox): docs/architecture/partner-api.md, docs/operations/configuration.md.
Imported by ``patientcare/settings.py`` like its other topic modules."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from patientcare.env import env_int
from patientcare.settings_headers import API_DOCS_SIDECAR

# --- REST API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "partners.authentication.PartnerTokenAuthentication",
        "api.authentication.VerifiedSessionAuthentication",  # staff: session + second factor
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only (anything else is a 415); deeply nested bodies are a 400, not a crash.
    "DEFAULT_PARSER_CLASSES": ["api.parsers.StrictJSONParser"],
    # The one error format (docs/architecture/partner-api.md, "Endpoints, errors, …").
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    # Per organisation (staff: per user), counted in the shared cache: API_RATE_PER_MINUTE.
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.OrganisationRateThrottle"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PatientCare API",
    "DESCRIPTION": (
        "Cases, messages and categories for healthcare patient support. Partner systems "
        "authenticate with `Authorization: Bearer <token>`. Errors always have the shape "
        '`{"error": {"code", "message", "fields"}}`; lists are cursor-paginated (follow '
        "`next`); POSTs accept an `Idempotency-Key`; requests are rate-limited per "
        "organisation (429 with `Retry-After`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    **API_DOCS_SIDECAR,  # the docs' scripts from our static files (settings_headers)
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Outputs are read-only and minimum necessary leaves out what a role may not see: no output
    # field is promised to every client.
    "COMPONENT_NO_READ_ONLY_REQUIRED": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.choices.Status",
        "LanguageEnum": "cases.choices.Language",
        "ChannelEnum": "cases.choices.Channel",
        "PriorityEnum": "cases.choices.Priority",
        "VisibilityEnum": "cases.choices.Visibility",
        "EventKindEnum": "cases.choices.EventKind",
        "ContactChannelEnum": "cases.choices.ContactChannel",
        "SlaStateEnum": "cases.sla_state.STATE_CHOICES",
    },
}
# Requests per minute of one partner organisation (all its service accounts together) or one
# staff account; 0 turns the limit off. Over it: 429 with Retry-After.
API_RATE_PER_MINUTE = env_int("API_RATE_PER_MINUTE", 600)
# The largest request body accepted (bytes): a case with a 20,000-character description fits many
# times over. Larger API bodies are refused with 413 before they are read (api.middleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)

# --- partner API tokens (partners/, docs/architecture/partner-api.md) ----------------------------
# django-rest-knox with our token model: SHA-512 digests, a name, revocation and last use; revoked
# and expired tokens stay on record. "Authorization: Bearer pc_…"; every token expires.
KNOX_TOKEN_MODEL = "partners.ServiceToken"  # noqa: S105 - a model label, not a secret
PARTNER_TOKEN_DAYS = env_int("PARTNER_TOKEN_DAYS", 365)
if not 1 <= PARTNER_TOKEN_DAYS <= 1830:
    raise ImproperlyConfigured("PARTNER_TOKEN_DAYS must be 1 to 1830 (5 years): tokens expire.")
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Bearer",
    "TOKEN_TTL": timedelta(days=PARTNER_TOKEN_DAYS),
    "AUTO_REFRESH": False,
    "TOKEN_PREFIX": "pc_",
}
