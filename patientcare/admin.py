"""The admin site: Django's, with the intake look-up (autocomplete) access-logged.

Installed through ``PatientCareAdminConfig.default_site``, so ``admin.site`` and every
``@admin.register`` use it."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView

from compliance.access_log import AccessKind, record_request_access


class AccessLoggedAutocompleteJsonView(AutocompleteJsonView):
    """Logs every record a look-up returns (and a look-up that found nothing) when the searched
    model's admin is access-logged (``RestrictedAdminMixin``)."""

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        if getattr(self.model_admin, "access_logged", False):
            found = list(context["object_list"])  # evaluated once; the response reuses them
            record_request_access(
                self.request,
                found,
                kind=AccessKind.LOOKUP,
                via="admin",
                model=self.model_admin.model,
                query={"term": self.term[:200]} if self.term else {},
            )
        return context


class PatientCareAdminSite(admin.AdminSite):
    site_header = "PatientCare administration"
    site_title = "PatientCare"
    index_title = "Configuration and records"
    index_template = "console/admin_index.html"  # the admin home plus the way into the console

    def autocomplete_view(self, request):
        return AccessLoggedAutocompleteJsonView.as_view(admin_site=self)(request)
