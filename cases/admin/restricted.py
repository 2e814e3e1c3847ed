"""Admin pages of protected records read through ``restrict()`` like every other page: a
changelist shows only the rows the user may see, and an object they may not see is a 404 — not
Django's "doesn't exist" redirect and never a 403 that would reveal it exists.

A superuser is no exception (issue 17): on these pages the model permissions are those of their
roles (``accounts.permissions.RolePermissionsAdminMixin``), so a superuser without a support role
gets no patient, case or timeline page at all, and with one, what the role may.

Every page that shows such records is access-logged (``compliance.access_log``): the change page
logs the record, the changelist logs each record listed (as a search when a search term was
given)."""

from django.http import Http404

from accounts.permissions import RolePermissionsAdminMixin
from compliance.access_log import AccessKind, record_request_access


class RestrictedAdminMixin(RolePermissionsAdminMixin):
    """For ModelAdmins and inlines of models whose queryset has ``restrict(user, action)``."""

    access_logged = True  # the site's look-up view logs what it returns for these

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, "view")

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404("No such record.")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = (getattr(response, "context_data", None) or {}).get("original")
        if original is not None and response.status_code == 200:
            record_request_access(request, [original], kind=AccessKind.VIEW, via="admin")
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None and response.status_code == 200:
            # Evaluates the page's rows once; the template reuses them.
            listed = list(changelist.result_list)
            record_request_access(
                request,
                listed,
                kind=AccessKind.SEARCH if changelist.query else AccessKind.LIST,
                via="admin",
                model=self.model,
            )
        return response
