"""Admin pages of protected records read through ``restrict()`` like every other page: a
non-superuser's changelist shows only the rows they may see, and an object they may not see is a
404 — not Django's "doesn't exist" redirect and never a 403 that would reveal it exists."""

from django.http import Http404


class RestrictedAdminMixin:
    """For ModelAdmins and inlines of models whose queryset has ``restrict(user, action)``."""

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, "view")

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404("No such record.")
