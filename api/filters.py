"""Filters of the case list (django-filter), and the refusal of query parameters nobody asked for.

``GET /api/v1/cases/?status=new&status=triaged&category=statement-question&created_after=…``

Every filter narrows a queryset that ``restrict()`` already made; none widens it. ``queue`` is
for staff only: partners do not see where their cases are routed (minimum necessary), so for
them it is an unknown parameter. Invalid values are a 400 naming the parameter; unknown
parameters a 400 ``unknown_field`` naming each one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

import django_filters
from django import forms
from django_filters import utils
from django_filters.fields import IsoDateTimeField, RangeField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ErrorDetail, ValidationError

from api.permissions import is_partner
from cases.choices import Priority, Status
from cases.models import Case, Category, Queue
from compliance.pci import redact_card_data

STAFF_ONLY_FILTERS = frozenset({"queue"})


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, normalised to UTC. An offset the database cannot store (PostgreSQL:
    beyond ±15:59) or a moment at the edge of the calendar that cannot be converted (year 1,
    year 9999) is a 400 naming the parameter, never a 500."""

    def to_python(self, value):
        try:
            moment = super().to_python(value)
            return moment.astimezone(UTC) if moment is not None else None
        except (OverflowError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class UtcIsoDateTimeRangeField(RangeField):
    widget = django_filters.widgets.DateRangeWidget

    def __init__(self, *args, **kwargs):
        super().__init__((UtcIsoDateTimeField(), UtcIsoDateTimeField()), *args, **kwargs)


class UtcIsoDateTimeFromToRangeFilter(django_filters.IsoDateTimeFromToRangeFilter):
    field_class = UtcIsoDateTimeRangeField


@extend_schema_field(OpenApiTypes.STR)
class SlugsFilter(django_filters.ModelMultipleChoiceFilter):
    """One or more related records by slug (``?category=a&category=b``)."""


class CaseFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, help_text="One or more statuses (repeat the parameter)."
    )
    priority = django_filters.TypedMultipleChoiceFilter(
        choices=Priority.choices, coerce=int, help_text="One or more priorities: 10, 20, 30, 40."
    )
    category = SlugsFilter(
        field_name="category__slug",
        to_field_name="slug",
        queryset=Category.objects.all(),
        help_text="One or more category slugs.",
    )
    queue = SlugsFilter(
        field_name="queue__slug",
        to_field_name="slug",
        queryset=Queue.objects.all(),
        help_text="One or more queue slugs (staff only).",
    )
    created = UtcIsoDateTimeFromToRangeFilter(
        field_name="created_at",
        help_text="`created_after` / `created_before`: ISO 8601 date-times, both inclusive.",
    )
    updated = UtcIsoDateTimeFromToRangeFilter(
        field_name="updated_at",
        help_text="`updated_after` / `updated_before`: ISO 8601 date-times, both inclusive.",
    )
    external_reference = django_filters.CharFilter(
        field_name="external_reference",
        max_length=100,
        help_text="The submitting partner's own reference (exact).",
    )

    class Meta:
        model = Case
        fields = [
            "status",
            "priority",
            "category",
            "queue",
            "created",
            "updated",
            "external_reference",
        ]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        if user is not None and is_partner(user):
            for name in STAFF_ONLY_FILTERS:
                self.filters.pop(name, None)


def filter_parameters(filterset: django_filters.FilterSet) -> set[str]:
    """The query parameters a filterset reads (a range filter reads ``<name>_after`` and
    ``<name>_before``)."""
    names: set[str] = set()
    for name, field in filterset.form.fields.items():
        suffixes = getattr(field.widget, "suffixes", None)
        if suffixes:
            names.update(f"{name}_{suffix}" if suffix else name for suffix in suffixes)
        else:
            names.add(name)
    return names


def reject_unknown_parameters(
    request, allowed: Iterable[str], *, message: str = "Unknown query parameter."
) -> None:
    """A 400 ``unknown_field`` keyed by each query parameter not in ``allowed``: the names the
    client sent (a card number in a name masked by the PCI redactor), never their values."""
    unknown = sorted(set(request.query_params) - set(allowed))
    if unknown:
        raise ValidationError(
            {
                redact_card_data(name)[0]: [ErrorDetail(message, code="unknown_field")]
                for name in unknown
            }
        )


def _by_parameter(error: ValidationError, filterset, request) -> ValidationError:
    """Errors of a range filter (``created``) named by the parameters given (``created_after``),
    so that the field path is what the client sent."""
    detail = {}
    for name, errors in error.detail.items():
        field = filterset.form.fields.get(name)
        suffixes = getattr(getattr(field, "widget", None), "suffixes", None)
        given = [f"{name}_{suffix}" for suffix in suffixes or () if suffix]
        given = [parameter for parameter in given if parameter in request.query_params]
        for parameter in given or [name]:
            detail[parameter] = errors
    return ValidationError(detail)


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, refusing parameters that neither the filterset nor the view's
    paginator reads."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        paginator = getattr(view, "paginator", None)
        allowed = set(getattr(paginator, "query_parameters", ()))
        if filterset is not None:
            allowed |= filter_parameters(filterset)
        reject_unknown_parameters(request, allowed)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise _by_parameter(utils.translate_validation(filterset.errors), filterset, request)
        return filterset.qs
