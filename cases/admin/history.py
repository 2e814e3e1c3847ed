"""Row history (django-simple-history) in the admin: "the record as it was at time T".

Patients and cases change only through ``cases.services``, so their history is for reading. Use
:class:`ReadOnlyHistoryAdmin` in place of ``admin.ModelAdmin``, after the project mixins
(``RestrictedAdminMixin, MinimumNecessaryAdminMixin, ReadOnlyHistoryAdmin``). Unlike a bare
``SimpleHistoryAdmin``, it

* reaches the record through ``get_queryset`` (``restrict()``) on the history list *and* on each
  version page: a record the user may not see is a 404. (``SimpleHistoryAdmin.history_view``
  falls back to the latest version of a row missing from the queryset, and ``history_form_view``
  reads the history table directly; neither may decide on access here.)
* never reverts: no Revert button, every version field read-only, and any other method than
  GET/HEAD on a version page refused (403), since a revert would write around the services;
* logs each history page as an access to the record (``compliance.access_log``);
* shows field changes under minimum necessary: a field the user may not see is left out of the
  list of changes, a masked one is masked (``cases.minimum_necessary``).
"""

from __future__ import annotations

import dataclasses

from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from cases import minimum_necessary as mn
from compliance.access_log import AccessKind, record_request_access

_VERSION_FIELDS = "_history_version_readonly_fields"


class MinimumNecessaryHistoryHelper(HistoricalRecordContextHelper):
    """The changes between two versions as ``user`` may see them."""

    def __init__(self, model, historical_record, *, user, **kwargs):
        super().__init__(model, historical_record, **kwargs)
        self.user = user

    def context_for_delta_changes(self, delta):
        label = self.model._meta.label_lower
        shown = []
        for change in delta.changes:
            view = mn.field_view(self.user, label, change.field)
            if view == mn.LAST4:
                change = dataclasses.replace(
                    change, old=mn.mask_last4(change.old), new=mn.mask_last4(change.new)
                )
            if view != mn.HIDDEN:
                shown.append(change)
        return super().context_for_delta_changes(dataclasses.replace(delta, changes=shown))


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """A ``SimpleHistoryAdmin`` whose history is read through ``restrict()`` and never reverted."""

    def _visible_or_404(self, request, object_id: str):
        obj = self.get_object(request, unquote(object_id))  # through get_queryset: restrict()
        if obj is None:
            raise Http404("No such record.")
        return obj

    def history_view(self, request, object_id, extra_context=None):
        obj = self._visible_or_404(request, object_id)
        response = super().history_view(request, object_id, extra_context)
        record_request_access(request, [obj], kind=AccessKind.HISTORY, via="admin")
        return response

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        obj = self._visible_or_404(request, object_id)
        if not str(version_id).isdigit():
            raise Http404("No such version.")
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied  # versions are read, never reverted: changes go via services
        # Every field of the version is shown read-only (computed here, on the live record, so
        # that get_readonly_fields need not call get_fieldsets itself).
        setattr(request, _VERSION_FIELDS, flatten_fieldsets(self.get_fieldsets(request, obj)))
        response = super().history_form_view(request, object_id, version_id, extra_context)
        record_request_access(
            request, [obj], kind=AccessKind.HISTORY, via="admin", query={"version": version_id}
        )
        return response

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        version_fields = getattr(request, _VERSION_FIELDS, None)
        if version_fields is not None:
            readonly += [name for name in version_fields if name not in readonly]
        return readonly

    def revert_disabled(self, request, obj=None):
        return True

    def get_historical_record_context_helper(self, request, historical_record):
        return MinimumNecessaryHistoryHelper(self.model, historical_record, user=request.user)
