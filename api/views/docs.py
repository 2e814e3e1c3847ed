"""The API's documentation pages, under the site's Content-Security-Policy (patientcare.headers).

drf-spectacular's own templates put the Swagger UI set-up in an inline script and ReDoc's page
loads Google Fonts; ours load only our static files (drf-spectacular-sidecar's builds and
``api/static/api/``) and give the scripts and ReDoc's generated styles the request's nonce.
"""

from __future__ import annotations

from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI; its set-up script is a second request to the same URL (``?script``)."""

    template_name = "api/swagger_ui.html"


class RedocView(SpectacularRedocView):
    template_name = "api/redoc.html"
