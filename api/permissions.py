"""Who may use which endpoint (docs/architecture/partner-api.md, "Who may do what").

Rows are never decided here: every case comes from ``Case.objects.restrict(user, action)``, and a
case a user may not see is a 404. These classes answer the coarse questions before any row is
read: may this account open cases at all, read the catalogue, list queues.
"""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework.permissions import BasePermission

from accounts.models import User
from cases.models import Category

ADD_CASE = "cases.add_case"
VIEW_CATEGORY = "cases.view_category"
VIEW_QUEUE = "cases.view_queue"


def is_partner(user) -> bool:
    """A partner system's service account (acting for ``user.organisation``)."""
    return getattr(user, "kind", None) == User.Kind.SERVICE


def is_person(user) -> bool:
    return getattr(user, "kind", User.Kind.PERSON) == User.Kind.PERSON


def may_open_cases(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if is_partner(user):
        return user.organisation_id is not None and user.has_perm(ADD_CASE)
    return is_person(user) and user.has_perm(ADD_CASE)


def partner_allows_categories(organisation) -> bool:
    """Whether partner organisations restrict categories (``PartnerOrganisation.
    allowed_categories``); organisations without that field may use every active category."""
    return hasattr(type(organisation), "allowed_categories")


def categories_for(user) -> QuerySet[Category]:
    """The categories ``user`` may open cases in (inactive ones included: ``case_open`` refuses
    them with ``category_inactive``). A partner: its organisation's allowed categories; nobody
    else is limited."""
    categories = Category.objects.all()
    if is_partner(user):
        organisation = user.organisation
        if organisation is None:
            return categories.none()
        if partner_allows_categories(organisation):
            return organisation.allowed_categories.all()
    return categories


class CanOpenCases(BasePermission):
    """Opening a case: partner service accounts (with an organisation) and people with
    ``add_case``."""

    message = "This account may not open cases."
    code = "permission_denied"

    def has_permission(self, request, view) -> bool:
        if getattr(view, "action", None) != "create":
            return True  # reads are restricted per row; other methods are a 405
        return may_open_cases(request.user)


class HasModelPermission(BasePermission):
    """The user holds ``permission`` (superusers hold every one)."""

    permission = ""
    message = "This account may not use this endpoint."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user.is_authenticated and user.is_active and user.has_perm(self.permission))


class CanReadCategories(HasModelPermission):
    permission = VIEW_CATEGORY


class CanReadQueues(HasModelPermission):
    """Staff only: a partner never learns how cases are routed (minimum necessary)."""

    permission = VIEW_QUEUE

    def has_permission(self, request, view) -> bool:
        return is_person(request.user) and super().has_permission(request, view)
