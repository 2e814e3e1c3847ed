"""SLA policies and the business-hours calendars they count in. The arithmetic is in
``cases.business_time``; stamping, pausing and resuming in ``cases.sla``."""

from __future__ import annotations

import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from cases.choices import Priority
from cases.registry import registry, support_kind_choices


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            f"{value!r} is not a time zone name (e.g. America/New_York).", code="invalid"
        ) from exc


class BusinessCalendar(models.Model):
    """When the support team works: weekly hours in a time zone, minus holidays."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    always_open = models.BooleanField(
        default=False, help_text="24/7 (e.g. a nurse line): weekly hours and holidays are ignored."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BusinessHours(models.Model):
    """One opening interval on a weekday. Several per day are allowed (e.g. a lunch break);
    ``closes`` 00:00 means midnight at the end of the day."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["calendar_id", "weekday", "opens"]
        verbose_name = "business hours"
        verbose_name_plural = "business hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=0) & Q(weekday__lte=6), name="business_hours_weekday"
            ),
            models.CheckConstraint(
                condition=Q(closes__gt=models.F("opens")) | Q(closes=datetime.time(0, 0)),
                name="business_hours_closes_after_opens",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens is None or self.closes is None:
            return
        if self.closes != datetime.time(0, 0) and self.closes <= self.opens:
            raise ValidationError(
                {"closes": "Closing time must be after opening time (00:00 means midnight)."}
            )


class Holiday(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["calendar_id", "date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.name}"


class SlaPolicyQuerySet(models.QuerySet):
    def for_case(self, *, category, priority: int) -> SlaPolicy | None:
        """The most specific active policy: category over kind over any, and a policy for the
        priority over one for every priority. Ties go to the oldest policy."""
        candidates = (
            self.filter(active=True)
            .filter(Q(category=category) | Q(category__isnull=True))
            .filter(Q(kind=category.kind) | Q(kind=""))
            .filter(Q(priority=priority) | Q(priority__isnull=True))
            .select_related("calendar")
            .prefetch_related("calendar__hours", "calendar__holidays")
        )
        best = sorted(
            candidates,
            key=lambda p: (p.category_id is None, p.kind == "", p.priority is None, p.pk),
        )
        return best[0] if best else None


class SlaPolicy(models.Model):
    """Targets for the first response and the resolution, counted in business time."""

    name = models.CharField(max_length=100, unique=True)
    category = models.ForeignKey(
        "cases.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sla_policies",
        help_text="Empty: every category (of the kind, if one is set).",
    )
    kind = models.CharField(
        max_length=32,
        choices=support_kind_choices,
        blank=True,
        help_text="Empty: every kind.",
    )
    priority = models.PositiveSmallIntegerField(
        choices=Priority.choices, null=True, blank=True, help_text="Empty: every priority."
    )
    first_response_minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    resolution_minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, related_name="sla_policies"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SlaPolicyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        indexes = [models.Index(fields=["active", "kind", "priority"], name="sla_policy_match_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolution_minutes__gte=models.F("first_response_minutes")),
                name="sla_resolution_not_before_first_response",
            ),
            models.CheckConstraint(
                condition=Q(first_response_minutes__gte=1), name="sla_first_response_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.category_id and self.kind and self.category.kind != self.kind:
            raise ValidationError(
                {"kind": "The category is of another kind; leave the kind empty or match it."}
            )
        if (
            self.first_response_minutes
            and self.resolution_minutes
            and self.resolution_minutes < self.first_response_minutes
        ):
            raise ValidationError(
                {"resolution_minutes": "The resolution target cannot be before the first response."}
            )

    @property
    def scope(self) -> str:
        parts = [
            str(self.category) if self.category_id else registry.label(self.kind) or "Any kind",
            self.get_priority_display() if self.priority else "any priority",
        ]
        return " · ".join(parts)
