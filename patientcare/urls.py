"""URL map: the admin, the versioned REST API with its OpenAPI schema, and health checks."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from compliance.views import break_glass_request
from patientcare.health import healthz

api_v1 = [
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-v1:schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-v1:schema"), name="redoc"),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api-v1"))),
    path("access/emergency/", break_glass_request, name="break-glass-request"),
    path("compliance/", include("compliance.urls")),
    path("healthz", healthz, name="healthz"),
]
