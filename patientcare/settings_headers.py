"""Browser hardening settings, imported by settings.py (docs/architecture/access.md, "Browser
hardening").

Every response Django answers gets a Content-Security-Policy with a per-request nonce
(django-csp), a Permissions-Policy and ``Cache-Control: no-store`` (patientcare.headers); static
files are served before Django's middleware and keep their long cache.
"""

from __future__ import annotations

from csp.constants import NONCE, NONE, SELF

# CSPMiddleware is outermost of the two, so the nonce the inner one asks for is in the header.
HEADERS_MIDDLEWARE = [
    "patientcare.headers.PatientCareCSPMiddleware",  # django-csp's, plus the socket origin
    "patientcare.headers.BrowserHardeningMiddleware",
]

# No third-party origin anywhere: scripts only from our static files or with this request's
# nonce, never 'unsafe-inline' or 'unsafe-eval'. connect-src also gets the same host's ws:/wss:
# origin per request (the live queue's socket; patientcare.headers).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}

# Powerful browser features no page of ours uses are off for every origin; passkeys (WebAuthn)
# stay available to our own pages.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
    "serial": [],
    "usb": [],
}

# Older headers of the same kind (Django's SecurityMiddleware and XFrameOptionsMiddleware).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# drf-spectacular's Swagger UI from drf-spectacular-sidecar's static files, never a CDN
# (SPECTACULAR_SETTINGS in settings.py). No ReDoc: its build always loads its logo from
# cdn.redoc.ly and needs inline styles and a blob: worker (api/views/docs.py).
API_DOCS_SIDECAR = {
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}
