"""Where cases go: queues (with the languages and support kinds each serves) and categories (a
case's topic, with its default queue and priority)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from cases.choices import Language, Priority
from cases.models._common import _in
from cases.registry import registry, support_kind_choices


class Queue(models.Model):
    """A work queue that agents watch; access to cases is granted per queue (issue 4)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=64, unique=True)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        permissions = [
            ("work_queue", "Work the queue's cases"),
            ("supervise_queue", "Supervise the queue (reassign, workload)"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.active and self.pk:
            in_use = (
                self.categories.filter(active=True).exists()
                or self.routing_rules.filter(active=True).exists()
            )
            if in_use:
                raise ValidationError(
                    {
                        "active": ValidationError(
                            "Active categories or routing rules route to this queue; "
                            "move them to another queue first.",
                            code="queue_in_use",
                        )
                    }
                )

    @property
    def language_codes(self) -> list[str]:
        """Languages this queue serves (uses a prefetch of ``languages`` when there is one)."""
        return sorted(item.language for item in self.languages.all())


class QueueLanguage(models.Model):
    """A language a queue's agents serve: one row per (queue, language), so that "a queue that
    serves Spanish" is a plain SQL filter on every database."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(max_length=8, choices=Language.choices)

    class Meta:
        ordering = ["queue_id", "language"]
        verbose_name = "language served"
        verbose_name_plural = "languages served"
        constraints = [
            models.UniqueConstraint(fields=["queue", "language"], name="queue_language_unique"),
            models.CheckConstraint(
                condition=_in("language", Language), name="queue_language_valid"
            ),
        ]
        indexes = [models.Index(fields=["language"], name="queue_language_idx")]

    def __str__(self) -> str:
        return self.get_language_display()


class QueueKind(models.Model):
    """A support kind a queue handles. A queue with none handles every kind (a generalist queue);
    language routing prefers a queue that lists the case's kind over a generalist one."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="kinds")
    kind = models.CharField(max_length=32, choices=support_kind_choices)

    class Meta:
        ordering = ["queue_id", "kind"]
        verbose_name = "support kind handled"
        verbose_name_plural = "support kinds handled"
        constraints = [
            models.UniqueConstraint(fields=["queue", "kind"], name="queue_kind_unique"),
        ]
        indexes = [models.Index(fields=["kind"], name="queue_kind_idx")]

    def __str__(self) -> str:
        return registry.label(self.kind)


class Category(models.Model):
    """What a contact is about, configured by administrators. Several categories share a kind."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=64, unique=True)
    kind = models.CharField(
        max_length=32,
        choices=support_kind_choices,
        help_text="Installed support kinds: docs/architecture/support-categories.md.",
    )
    description = models.TextField(blank=True)
    default_queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="categories")
    default_priority = models.PositiveSmallIntegerField(
        choices=Priority.choices, default=Priority.NORMAL
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name_plural = "categories"
        indexes = [models.Index(fields=["kind", "active"], name="category_kind_active_idx")]
        constraints = [
            models.CheckConstraint(
                condition=_in("default_priority", Priority), name="category_priority_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        return registry.label(self.kind)

    def clean(self) -> None:
        queue = getattr(self, "default_queue", None) if self.default_queue_id else None
        if self.active and queue is not None and not queue.active:
            raise ValidationError(
                {
                    "default_queue": ValidationError(
                        "An active category needs an active default queue.", code="queue_inactive"
                    )
                }
            )
