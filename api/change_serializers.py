"""Input serializers of the case changes (``api.views.changes``; the services are in
``cases.changes``): strict like those of ``api.serializers`` (unknown fields refused, JSON types
checked). They parse and look up; the services decide. Refusals never echo the value sent."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from api.serializers import IntegerChoiceField, StrictCharField, StrictChoiceField, StrictSerializer
from cases.changes import MAX_REASON_LENGTH
from cases.choices import Priority
from cases.models import Category, Queue, Sensitivity
from cases.registry import registry

REASON_HELP = "Why: shown on the case's timeline (internal) and kept in the audit trail."


def _reason(*, required: bool) -> StrictCharField:
    return StrictCharField(
        max_length=MAX_REASON_LENGTH,
        required=required,
        allow_blank=not required,
        trim_whitespace=True,
        help_text=REASON_HELP + (" Required." if required else " Optional."),
    )


class SensitivitySerializer(StrictSerializer):
    """The sensitivity to set (``""`` clears it) and why."""

    sensitivity = StrictChoiceField(
        choices=Sensitivity.choices,
        allow_blank=True,
        help_text="One of the sensitivity codes; an empty string clears it.",
    )
    reason = _reason(required=True)


class MoveSerializer(StrictSerializer):
    """The queue to move the case to (a queue you work or supervise) and why."""

    queue = StrictCharField(max_length=64, help_text="A queue slug (GET /queues/).")
    reason = _reason(required=False)

    def validate_queue(self, slug: str) -> Queue:
        queue = Queue.objects.filter(slug=slug).first()
        if queue is None:
            raise ValidationError("No queue with this slug.", code="does_not_exist")
        return queue


class CategoryChangeSerializer(StrictSerializer):
    """The new category, its kind's details, and why."""

    category = StrictCharField(max_length=64, help_text="A category slug (GET /categories/).")
    details = serializers.DictField(
        required=False,
        allow_null=True,
        help_text="The new kind's details. Same kind: only the fields to change. Another kind: "
        "its details, required fields included (GET /categories/ lists each kind's fields).",
    )
    reason = _reason(required=False)

    def validate_category(self, slug: str) -> Category:
        category = Category.objects.filter(slug=slug).first()
        if category is None:
            raise ValidationError("No category with this slug.", code="does_not_exist")
        return category

    def typed_details(self, case) -> dict[str, Any]:
        """The details typed by the new kind's own serializer (``cases.registry``): all of them
        for a change of kind, only those sent within the same kind (``partial``). Errors name
        ``details.<field>``; the service validates them again with the model's rules."""
        data = self.validated_data
        category, details = data["category"], dict(data.get("details") or {})
        spec = registry.get(category.kind)
        if (
            spec is None
            or spec.serializer is None
            or (not details and category.kind == case.category.kind)
        ):
            return details
        serializer = spec.serializer(data=details, partial=category.kind == case.category.kind)
        writable = {name for name, field in serializer.fields.items() if not field.read_only}
        unknown = sorted(set(details) - writable)
        errors: dict[str, Any] = {}
        if not serializer.is_valid():
            errors.update(serializer.errors)
        for name in unknown:
            errors[name] = [serializers.ErrorDetail("Unknown field.", code="unknown_field")]
        if errors:
            raise ValidationError({"details": errors})
        return dict(serializer.validated_data)


class PrioritySerializer(StrictSerializer):
    """The new priority (10 low … 40 urgent) and why."""

    priority = IntegerChoiceField(choices=Priority.choices, help_text="10 low … 40 urgent.")
    reason = _reason(required=False)
