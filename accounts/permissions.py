"""Permissions as a person's roles give them (issue 17).

Django's ``user.has_perm()`` answers True for every permission of an active superuser. That is
right for configuration (the Django admin's pages of queues, categories, pathways, accounts) and
wrong for patient data: minimum necessary (45 CFR 164.502(b)) and the sensitive-records rules
apply to the person, whatever flag their account carries. The read path (``cases.access``),
the field allow-lists (``cases.minimum_necessary``), the console and the compliance pages ask
``holds(user, perm)`` instead: the permission granted to the user directly or through one of
their groups (their roles), superuser or not.

For anyone but a superuser ``holds`` is ``has_perm`` (and so shares its per-user cache). For a
superuser it reads their own and their groups' permissions once, cached on the user object.
"""

from __future__ import annotations

from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Permission
from django.db.models import Q

_CACHE = "_role_permissions_cache"


def role_permissions(user) -> frozenset[str]:
    """``app_label.codename`` of every permission given to ``user`` or one of their groups."""
    cached = getattr(user, _CACHE, None)
    if cached is None:
        rows = (
            Permission.objects.filter(Q(user=user) | Q(group__user=user))
            .values_list("content_type__app_label", "codename")
            .distinct()
        )
        cached = frozenset(f"{app}.{codename}" for app, codename in rows)
        setattr(user, _CACHE, cached)
    return cached


def holds(user, perm: str) -> bool:
    """Whether the active ``user``'s roles give ``perm`` (a superuser's blanket permission does
    not count)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if not user.is_superuser:
        return user.has_perm(perm)
    return perm in role_permissions(user)


class RolePermissionsAdminMixin:
    """For the ModelAdmins and inlines of models that hold PHI (patients, cases, timeline events,
    break-the-glass reasons, the audit trail): on their pages a superuser's blanket permissions do
    not count — their roles must give the model permission, as for anybody. Anyone else is decided
    by Django's own check alone."""

    def _by_role(self, request, *actions: str) -> bool:
        user = request.user
        if not user.is_superuser:
            return True
        opts = self.opts  # type: ignore[attr-defined]
        return any(
            holds(user, f"{opts.app_label}.{get_permission_codename(action, opts)}")
            for action in actions
        )

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._by_role(  # type: ignore[misc]
            request, "view", "change"
        )

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and self._by_role(request, "add")  # type: ignore[misc]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._by_role(request, "change")  # type: ignore[misc]

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._by_role(request, "delete")  # type: ignore[misc]
