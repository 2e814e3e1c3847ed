"""Routing rules, configured in the admin and evaluated in order: the first match wins. The
evaluation is ``cases.routing.route``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from cases.choices import Channel, Language, Priority
from cases.registry import support_kind_choices

CONDITION_FIELDS = (
    "category",
    "kind",
    "language",
    "channel",
    "min_priority",
    "interpreter_needed",
)


class RoutingRule(models.Model):
    """When every condition that is set holds, send the case to ``target_queue`` (or the
    category's default queue when empty) and raise its priority to ``set_priority``.

    Exactly one rule is the default: it has no conditions and is always evaluated last, so every
    case is routed. It cannot be deleted or deactivated."""

    name = models.CharField(max_length=100, unique=True)
    order = models.PositiveIntegerField(default=100, help_text="Lower runs first.")
    active = models.BooleanField(default=True)
    is_default = models.BooleanField(default=False, editable=False)
    # conditions: empty means "any"
    category = models.ForeignKey(
        "cases.Category",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
    )
    kind = models.CharField(max_length=32, choices=support_kind_choices, blank=True)
    language = models.CharField(max_length=8, choices=Language.choices, blank=True)
    channel = models.CharField(max_length=16, choices=Channel.choices, blank=True)
    min_priority = models.PositiveSmallIntegerField(
        "priority at least", choices=Priority.choices, null=True, blank=True
    )
    interpreter_needed = models.BooleanField(
        null=True, blank=True, help_text="Yes / No; empty: either."
    )
    # outcome
    target_queue = models.ForeignKey(
        "cases.Queue",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="routing_rules",
        help_text="Empty: the category's default queue (then language routing applies).",
    )
    set_priority = models.PositiveSmallIntegerField(
        choices=Priority.choices,
        null=True,
        blank=True,
        help_text="Raise the priority to at least this (never lowers it).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["is_default", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="routing_one_default"
            ),
            models.CheckConstraint(
                condition=Q(is_default=False)
                | (
                    Q(active=True)
                    & Q(category__isnull=True)
                    & Q(kind="")
                    & Q(language="")
                    & Q(channel="")
                    & Q(min_priority__isnull=True)
                    & Q(interpreter_needed__isnull=True)
                ),
                name="routing_default_is_active_and_unconditional",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.is_default:
            set_conditions = [name for name in CONDITION_FIELDS if self._condition_set(name)]
            if set_conditions or not self.active:
                raise ValidationError(
                    "The default rule catches every case: it stays active and has no conditions."
                )
        if self.category_id and self.kind and self.category.kind != self.kind:
            raise ValidationError({"kind": "The category is of another kind."})
        if self.target_queue_id and not self.target_queue.active and self.active:
            raise ValidationError({"target_queue": "An active rule needs an active queue."})

    def _condition_set(self, name: str) -> bool:
        value = getattr(self, f"{name}_id" if name == "category" else name)
        return value not in (None, "")

    def matches(self, *, category, language: str, channel: str, priority: int, interpreter: bool):
        return (
            (self.category_id is None or self.category_id == category.pk)
            and (not self.kind or self.kind == category.kind)
            and (not self.language or self.language == language)
            and (not self.channel or self.channel == channel)
            and (self.min_priority is None or priority >= self.min_priority)
            and (self.interpreter_needed is None or self.interpreter_needed == interpreter)
        )
