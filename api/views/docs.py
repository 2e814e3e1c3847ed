"""The API's documentation page, under the site's Content-Security-Policy (patientcare.headers).

drf-spectacular's own template puts the Swagger UI set-up in an inline script and an inline
style; ours loads only our static files (drf-spectacular-sidecar's build, ``api/static/api/``),
each script with the request's nonce. There is no ReDoc page: ReDoc's build always fetches its
logo from cdn.redoc.ly and needs inline styles and a ``blob:`` worker.
"""

from __future__ import annotations

from drf_spectacular.views import SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI; its set-up script is a second request to the same URL (``?script``)."""

    template_name = "api/swagger_ui.html"
