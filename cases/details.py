"""Category details: the per-kind record (one-to-one with Case) that category apps define.

A detail model subclasses :class:`CaseDetail`; the services validate and store it through
:func:`validate_details` and :func:`save_details`, naming every refused field as
``details.<field>``. Field rules belong in the model (choices, validators, ``clean()``), so that
the admin, the API serializer and the services enforce the same ones.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from accounts.models import User
from cases.registry import SupportKindSpec, registry
from compliance.pci import redact_card_data

if TYPE_CHECKING:
    from cases.models import Case, Category

logger = logging.getLogger(__name__)

RESERVED_FIELDS = frozenset({"case", "created_at", "updated_at"})


class DetailQuerySet(models.QuerySet):
    def restrict(self, user, action: str) -> DetailQuerySet:
        """Details of the cases ``user`` may ``action`` (cases.access)."""
        from cases.access import restrict_related

        return restrict_related(self, user, action)


class CaseDetail(models.Model):
    """Base of every category detail model. Holds PHI: read it through the case's access rules."""

    # The author of the next row version: django-simple-history reads it when a service sets it
    # (to its actor). An annotation for the type checker only, not a field.
    _history_user: User

    case = models.OneToOneField(
        "cases.Case",
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="%(app_label)s_detail",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DetailQuerySet.as_manager()
    # Row versions of every detail model (inherit: each subclass gets its own Historical<Model>
    # in its own app, keyed by case_id); 64-bit version ids like cases.models.patients and .case.
    history = HistoricalRecords(
        inherit=True, history_id_field=models.BigAutoField(primary_key=True)
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} of case {self.case_id}"

    @classmethod
    def input_fields(cls) -> list[str]:
        """The fields a caller may set (computed and bookkeeping fields are excluded)."""
        return [
            field.name
            for field in cls._meta.concrete_fields
            if field.editable and field.name not in RESERVED_FIELDS
        ]

    def on_case_opened(self, case: Case) -> None:
        """Hook run by ``case_open`` before the details are first saved (e.g. deadlines)."""


def spec_for_category(category: Category) -> SupportKindSpec:
    spec = registry.get(category.kind)
    if spec is None:
        raise ValidationError(
            {
                "category": ValidationError(
                    f"Support kind {category.kind!r} is not installed.", code="unknown_kind"
                )
            }
        )
    return spec


def validate_details(category: Category, data: Mapping[str, Any] | None) -> CaseDetail | None:
    """Validate ``data`` as the details of a case in ``category``; return the unsaved instance.

    Details of another kind show up as unknown fields; a kind without a detail model refuses any.
    """
    spec = spec_for_category(category)
    data = dict(data or {})
    if spec.detail_model is None:
        if data:
            raise ValidationError(
                {
                    "details": ValidationError(
                        f"Cases of kind {spec.label!r} take no details.",
                        code="details_not_accepted",
                    )
                }
            )
        return None
    allowed = set(spec.detail_model.input_fields())
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError(
            {
                f"details.{name}": ValidationError(
                    f"Not a field of {spec.label} details.", code="unknown_field"
                )
                for name in unknown
            }
        )
    data.update(_resolve_foreign_keys(spec.detail_model, data))
    as_typed = _redact_card_data(spec.detail_model, data)
    refused = _refusals_as_typed(spec.detail_model, as_typed, data)
    detail = spec.detail_model(**data)
    try:
        detail.full_clean(exclude=["case"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        refused = {**exc.error_dict, **refused}
    if refused:
        raise ValidationError({f"details.{field}": errors for field, errors in refused.items()})
    detail._card_data_redacted = sorted(as_typed)  # logged by save_details, with the case id
    return detail


def _redact_card_data(model: type[CaseDetail], data: dict[str, Any]) -> dict[str, str]:
    """PCI DSS: mask card numbers and codes (compliance.pci) in every text value of ``data``, in
    place, before validation. Returns the values as typed of the fields that changed."""
    as_typed: dict[str, str] = {}
    for field in model._meta.concrete_fields:
        value = data.get(field.name)
        if isinstance(field, models.CharField | models.TextField) and isinstance(value, str):
            redacted, redactions = redact_card_data(value)
            if redactions:
                as_typed[field.name], data[field.name] = value, redacted
    return as_typed


def _refusals_as_typed(
    model: type[CaseDetail], as_typed: dict[str, str], data: dict[str, Any]
) -> dict[str, list[ValidationError]]:
    """A field's own validators also judge the value as typed: a field that refuses card data
    (billing's account number) keeps its own refusal rather than the masked value's. The errors
    carry the masked value, never the typed one."""
    refused: dict[str, list[ValidationError]] = {}
    for name, value in as_typed.items():
        try:
            model._meta.get_field(name).run_validators(value)
        except ValidationError as exc:
            refused[name] = [
                ValidationError(error.message, code=error.code, params=error.params)
                for error in exc.error_list
            ]
            for error in refused[name]:
                if error.params and "value" in error.params:
                    error.params = {**error.params, "value": data[name]}
    return refused


def _resolve_foreign_keys(model: type[CaseDetail], data: dict[str, Any]) -> dict[str, Any]:
    """Accept related records by primary key (as an API or a form sends them)."""
    resolved: dict[str, Any] = {}
    errors: dict[str, ValidationError] = {}
    for field in model._meta.concrete_fields:
        if not field.is_relation or field.name not in data:
            continue
        value = data[field.name]
        if value is None or isinstance(value, field.related_model):
            continue
        try:
            key = field.target_field.to_python(value)
            resolved[field.name] = field.related_model._default_manager.get(pk=key)
        except (ValidationError, ValueError, TypeError, field.related_model.DoesNotExist):
            errors[f"details.{field.name}"] = ValidationError(
                f"No {field.related_model._meta.verbose_name} with id {value!r}.",
                code="does_not_exist",
            )
    if errors:
        raise ValidationError(errors)
    return resolved


def save_details(case: Case, detail: CaseDetail | None, *, actor: User) -> None:
    if detail is None:
        return
    detail.case = case
    detail.on_case_opened(case)
    detail._history_user = actor  # the row version's author, also outside a request
    detail.save(force_insert=True)
    for name in getattr(detail, "_card_data_redacted", ()):
        logger.warning("card data redacted from case %s field %s", case.pk, f"details.{name}")


def detail_for(case: Case) -> CaseDetail | None:
    """The case's details, or None (a kind without details, or none recorded)."""
    spec = registry.get(case.category.kind)
    if spec is None or spec.detail_model is None:
        return None
    return spec.detail_model.objects.filter(case_id=case.pk).first()
