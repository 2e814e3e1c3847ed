"""The agents' console pages (docs/architecture/live-queue.md)."""

from django.urls import path  # noqa: F401  (the pages register here)

app_name = "console"

urlpatterns: list = []
