"""URL map: the admin (at ``ADMIN_URL``), the second factor's pages, the versioned REST API with
its OpenAPI schema, and health checks."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from oversight.views import break_glass_request
from patientcare.health import healthz, readyz

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path(settings.ADMIN_URL, admin.site.urls),  # "admin/" unless ADMIN_URL says otherwise
    path("account/mfa/", include("mfa.urls")),  # namespace "mfa": the second factor
    # namespace "otp_webauthn": passkey ceremonies (mfa/passkeys.py), second factor only
    path("account/mfa/passkey/", include("mfa.passkey_urls")),
    path("api/v1/", include("api.urls")),  # namespace "api-v1": the REST API and its schema
    path("access/emergency/", break_glass_request, name="break-glass-request"),
    path("compliance/", include("oversight.urls")),
    path("console/", include("console.urls")),
    path("healthz", healthz, name="healthz"),  # liveness, each dependency's state
    path("readyz", readyz, name="readyz"),  # readiness: 503 without the database
]
