"""The base of every category app's admin inline: the kind's details on the Case page,
read-only like the rest of the case record (details are written by the services)."""

from django.contrib import admin

from cases.admin.minimum import MinimumNecessaryAdminMixin
from cases.admin.restricted import RestrictedAdminMixin


class DetailInline(RestrictedAdminMixin, MinimumNecessaryAdminMixin, admin.StackedInline):
    """Subclass with ``model = YourDetail``; ``fields`` default to the detail's input fields
    (add computed fields by setting ``extra_fields``)."""

    can_delete = False
    extra = 0
    max_num = 1
    extra_fields: tuple[str, ...] = ()

    def get_fields(self, request, obj=None):
        return self._shown(request, [*self.model.input_fields(), *self.extra_fields])

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_view_permission(self, request, obj=None):
        """Whoever may open the case's page may read its details (rows and fields are still
        narrowed by restrict() and minimum necessary); no separate model permission."""
        return True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
