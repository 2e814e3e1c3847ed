"""``/api/v1/``: the versioned REST API and its OpenAPI schema (namespace ``api-v1``).

URLs end with a slash and have exactly one form: a URL without it is a 404 in the error format
that names the right one (never a redirect, which would turn a POST into a GET).
"""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from api.views import (
    CaseActionViewSet,
    CaseMessageViewSet,
    CaseViewSet,
    CategoryViewSet,
    ComplaintActionViewSet,
    QueueViewSet,
)
from api.views.changes import CaseChangeViewSet
from api.views.docs import SwaggerView

app_name = "api-v1"

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("cases", CaseMessageViewSet, basename="case-message")
router.register("cases", CaseActionViewSet, basename="case-action")
# Issue 15: sensitivity, move, category, priority (api.views.changes).
router.register("cases", CaseChangeViewSet, basename="case-change")
# Complaint actions: /cases/{reference}/complaint/acknowledge|respond/ (api.views.complaints).
router.register("cases", ComplaintActionViewSet, basename="case-complaint")
router.register("categories", CategoryViewSet, basename="category")
router.register("queues", QueueViewSet, basename="queue")

urlpatterns = [
    *router.urls,
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="api-v1:schema"), name="swagger-ui"),
]

# No APPEND_SLASH redirect into the API (CommonMiddleware honours this flag).
for pattern in urlpatterns:
    pattern.callback.should_append_slash = False
