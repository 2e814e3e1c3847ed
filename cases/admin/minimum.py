"""The admin side of minimum necessary (cases.minimum_necessary): fields a role may not see are
left out of forms and lists, masked fields are shown read-only as ••••1234."""

from __future__ import annotations

from cases import minimum_necessary as mn

MASK_PREFIX = "masked__"


class MinimumNecessaryAdminMixin:
    """For ModelAdmins and inlines. Works on ``fields`` or ``fieldsets`` and ``list_display``."""

    def _policy_label(self) -> str:
        return self.model._meta.label_lower

    def _shown(self, request, names):
        shown = []
        for name in names:
            if not isinstance(name, str) or name.startswith(MASK_PREFIX):
                shown.append(name)
                continue
            if not self._is_model_field(name):
                shown.append(name)  # admin display methods decide for themselves
                continue
            view = mn.field_view(request.user, self._policy_label(), name)
            if view == mn.FULL:
                shown.append(name)
            elif view == mn.LAST4:
                shown.append(MASK_PREFIX + name)
        return shown

    def _is_model_field(self, name: str) -> bool:
        try:
            self.model._meta.get_field(name)
        except Exception:
            return False
        return True

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        result = []
        for title, options in fieldsets:
            fields = self._shown(request, options.get("fields", ()))
            if fields:
                result.append((title, {**options, "fields": fields}))
        return result

    def get_fields(self, request, obj=None):
        return self._shown(request, super().get_fields(request, obj))

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        masked = [
            name
            for name in self._shown(request, [f.name for f in self.model._meta.fields])
            if name.startswith(MASK_PREFIX)
        ]
        return [*readonly, *masked]

    def get_list_display(self, request):
        return self._shown(request, super().get_list_display(request))

    def get_exclude(self, request, obj=None):
        not_full = [
            f.name
            for f in self.model._meta.fields
            if mn.field_view(request.user, self._policy_label(), f.name) != mn.FULL
        ]
        return [*(super().get_exclude(request, obj) or ()), *not_full] or None

    def __getattr__(self, name: str):
        if name.startswith(MASK_PREFIX):
            field = name[len(MASK_PREFIX) :]

            def display(obj):
                return mn.mask_last4(getattr(obj, field, ""))

            display.short_description = self.model._meta.get_field(field).verbose_name
            return display
        raise AttributeError(name)
