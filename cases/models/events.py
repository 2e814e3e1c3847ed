"""A case's timeline: ``CaseEvent`` (replies, notes, status changes and the rest) and its
queryset (what the patient may see)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q

from cases.choices import CONVERSATION_KINDS, EventKind, Visibility
from cases.models._common import MAX_TEXT_LENGTH, _in
from cases.models.case import Case


class CaseEventQuerySet(models.QuerySet):
    def restrict(self, user, action: str) -> CaseEventQuerySet:
        """Events of the cases ``user`` may ``action``; partner accounts see only what the
        patient sees (never internal notes)."""
        from accounts.models import User
        from cases.access import restrict_related

        queryset = restrict_related(self, user, action)
        if getattr(user, "kind", None) == User.Kind.SERVICE:
            queryset = queryset.filter(visibility=Visibility.PATIENT)
        return queryset


class CaseEvent(models.Model):
    """The timeline agents read: the conversation and every change, in order. Append-only."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    body = models.TextField(
        blank=True, max_length=MAX_TEXT_LENGTH, validators=[MaxLengthValidator(MAX_TEXT_LENGTH)]
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_events"
    )
    old_value = models.CharField(max_length=200, blank=True)
    new_value = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="caseevent_case_time_idx")]
        constraints = [
            models.CheckConstraint(condition=_in("kind", EventKind), name="caseevent_kind_valid"),
            models.CheckConstraint(
                condition=_in("visibility", Visibility), name="caseevent_visibility_valid"
            ),
            # Only the conversation (replies to the patient, messages from the patient) is
            # patient-visible; everything else stays internal.
            models.CheckConstraint(
                condition=(Q(kind__in=CONVERSATION_KINDS) & Q(visibility=Visibility.PATIENT))
                | (~Q(kind__in=CONVERSATION_KINDS) & Q(visibility=Visibility.INTERNAL)),
                name="caseevent_only_replies_reach_patient",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=[*CONVERSATION_KINDS, EventKind.NOTE]) | ~Q(body=""),
                name="caseevent_message_has_body",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on case {self.case_id}"
