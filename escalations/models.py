"""Clinical escalation: the pathways a case can be handed to, the escalations (SBAR handoffs)
and the red-flag phrases that open one by themselves (docs/architecture/escalations.md).

Models hold data, constraints and read helpers only; every change goes through
``escalations.services`` (one write path).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from escalations.choices import (
    UNRESOLVED_STATUSES,
    EscalationStatus,
    Language,
    Outcome,
    PathwayKind,
    Source,
    Urgency,
)

SBAR_MAX_LENGTH = 4000
# The read action of the recipients' lists (EscalationQuerySet.restrict).
RECEIVE = "receive"


def _in(field: str, choices: type[models.Choices]) -> Q:
    return Q(**{f"{field}__in": choices.values})


class EscalationPathwayQuerySet(models.QuerySet):
    def active(self) -> EscalationPathwayQuerySet:
        return self.filter(active=True)

    def for_kind(self, kind: str) -> EscalationPathway | None:
        """The pathway the automatic rules use for ``kind``: the first active one (lowest id)."""
        return self.active().filter(kind=kind).order_by("pk").select_related("calendar").first()


class EscalationPathway(models.Model):
    """Where a kind of clinical or specialist question goes, and how fast it must be taken.

    The recipients are the members of ``recipient_queue`` — the people and the groups (queue
    teams) granted the queue, exactly as for any queue — so that a group is a recipient by being
    given the queue, and the live queue's per-queue delivery reaches every recipient unchanged."""

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=32, choices=PathwayKind.choices)
    recipient_queue = models.ForeignKey(
        "cases.Queue",
        on_delete=models.PROTECT,
        related_name="escalation_pathways",
        help_text="Its members (people, and groups granted the queue) receive the escalations "
        "and get time-limited access to the case.",
    )
    acknowledgement_minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(7 * 24 * 60)],
        help_text="An escalation not acknowledged within this many minutes goes to the fallback "
        "pathway. Emergent escalations use a third of it (at least one minute).",
    )
    calendar = models.ForeignKey(
        "cases.BusinessCalendar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalation_pathways",
        help_text="On-call hours. Empty: around the clock. Outside them an escalation goes "
        "straight to the fallback pathway.",
    )
    fallback = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fallback_for",
        help_text="Where unacknowledged escalations, and those opened outside on-call hours, go.",
    )
    access_hours = models.PositiveIntegerField(
        default=72,
        validators=[MinValueValidator(1), MaxValueValidator(30 * 24)],
        help_text="How long the recipients' access to the case lasts at most; resolving the "
        "escalation ends it earlier.",
    )
    use_default_red_flags = models.BooleanField(
        default=True,
        help_text="Also detect the built-in red-flag phrases of this pathway's kind "
        "(nurse triage: medical emergencies; behavioral health: suicide and self-harm).",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EscalationPathwayQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "escalation pathway"
        constraints = [
            models.CheckConstraint(condition=_in("kind", PathwayKind), name="pathway_kind_valid"),
            models.CheckConstraint(
                condition=~Q(fallback=models.F("pk")), name="pathway_not_own_fallback"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def acknowledgement_target(self, urgency: str) -> timedelta:
        minutes = self.acknowledgement_minutes
        if urgency == Urgency.EMERGENT:
            minutes = max(1, minutes // 3)
        return timedelta(minutes=minutes)


class RedFlagPhrase(models.Model):
    """A phrase that, in a patient's words, opens an emergent escalation to ``pathway``. Matched
    word by word in order, ignoring case, accents and punctuation, each word by its stem and with
    one typo in words of five letters or more (``escalations.redflags``)."""

    pathway = models.ForeignKey(
        EscalationPathway, on_delete=models.CASCADE, related_name="red_flag_phrases"
    )
    language = models.CharField(max_length=8, choices=Language.choices)
    phrase = models.CharField(max_length=200)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pathway", "language", "phrase"]
        verbose_name = "red-flag phrase"
        constraints = [
            models.UniqueConstraint(
                fields=["pathway", "language", "phrase"], name="red_flag_phrase_unique"
            ),
            models.CheckConstraint(
                condition=_in("language", Language), name="red_flag_language_valid"
            ),
            models.CheckConstraint(condition=~Q(phrase=""), name="red_flag_phrase_not_blank"),
        ]

    def __str__(self) -> str:
        return self.phrase


class EscalationQuerySet(models.QuerySet):
    def unresolved(self) -> EscalationQuerySet:
        """Open or acknowledged: neither resolved nor cancelled."""
        return self.filter(status__in=UNRESOLVED_STATUSES)

    def restrict(self, user, action: str) -> EscalationQuerySet:
        """The one read path (cases.access).

        ``view``, ``work``, ``supervise``: the escalations of the cases ``user`` may ``action``
        — an SBAR is about the patient, so a recipient reads it through the case grant the
        escalation gave them, and no longer once it has ended.

        ``receive``: the escalations addressed to ``user`` as a recipient (their pathway's
        recipient queue is one the user works), whether or not they can see the case yet — a
        recipient who joined the queue after the escalation opened has no grant until they
        acknowledge it. For the recipients' lists only, which show the listing fields (reference,
        pathway, urgency, state, times) and never the SBAR, reason or red flags."""
        if action == RECEIVE:
            from cases.access import WORK, queues_for

            return self.filter(pathway__recipient_queue__in=queues_for(user, WORK))
        from cases.access import restrict_related

        return restrict_related(self, user, action)


class Escalation(models.Model):
    """One handoff of a case to a pathway, with its SBAR, and what became of it."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="escalations")
    pathway = models.ForeignKey(
        EscalationPathway, on_delete=models.PROTECT, related_name="escalations"
    )
    source = models.CharField(max_length=32, choices=Source.choices, default=Source.MANUAL)
    urgency = models.CharField(max_length=16, choices=Urgency.choices)
    status = models.CharField(
        max_length=16, choices=EscalationStatus.choices, default=EscalationStatus.OPEN
    )
    reason = models.CharField(max_length=300)
    # SBAR: the structured handoff (Situation, Background, Assessment, Recommendation).
    situation = models.TextField(max_length=SBAR_MAX_LENGTH)
    background = models.TextField(max_length=SBAR_MAX_LENGTH, blank=True)
    assessment = models.TextField(max_length=SBAR_MAX_LENGTH, blank=True)
    recommendation = models.TextField(max_length=SBAR_MAX_LENGTH)
    # Red flags that opened it: the matched phrases, and whether a negation preceded each.
    red_flags = models.JSONField(default=list, blank=True)
    escalated_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="re_escalations",
        help_text="The escalation this one re-escalates (not acknowledged in time).",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="escalations_requested"
    )
    requested_at = models.DateTimeField()
    acknowledgement_due_at = models.DateTimeField()
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations_acknowledged",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # Set by the timer sweep when the acknowledgement target passed (once), with or without a
    # fallback to re-escalate to.
    overdue_at = models.DateTimeField(null=True, blank=True)
    # When the timer renews the recipients' case grants next (escalations.renewal): half their
    # access period after they were last given. Empty: at the next sweep.
    access_renew_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations_resolved",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=32, choices=Outcome.choices, blank=True)
    outcome_notes = models.TextField(max_length=SBAR_MAX_LENGTH, blank=True)
    # Cancelled (its case was closed while it was unresolved): who closed the case, when, why.
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations_cancelled",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    # The supervisor's review: was the escalation warranted (the escalation-accuracy measure)?
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations_reviewed",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    warranted = models.BooleanField(null=True, blank=True)
    review_notes = models.TextField(max_length=SBAR_MAX_LENGTH, blank=True)

    objects = EscalationQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        permissions = [
            ("review_escalation", "Review whether escalations were warranted"),
        ]
        indexes = [
            models.Index(fields=["case", "-requested_at"], name="escalation_case_idx"),
            # The timer sweep: unacknowledged escalations by due time.
            models.Index(
                fields=["acknowledgement_due_at"],
                condition=Q(status=EscalationStatus.OPEN, overdue_at__isnull=True),
                name="escalation_ack_due_idx",
            ),
            # The grant renewal (escalations.renewal): unresolved escalations by renewal time.
            models.Index(
                fields=["access_renew_at"],
                condition=Q(status__in=UNRESOLVED_STATUSES),
                name="escalation_renew_idx",
            ),
            # The recipients' view: a pathway's unresolved escalations.
            models.Index(
                fields=["pathway", "status", "-requested_at"], name="escalation_pathway_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=_in("urgency", Urgency), name="escalation_urgency"),
            models.CheckConstraint(
                condition=_in("status", EscalationStatus), name="escalation_status_valid"
            ),
            models.CheckConstraint(condition=_in("source", Source), name="escalation_source"),
            models.CheckConstraint(
                condition=Q(outcome="") | _in("outcome", Outcome), name="escalation_outcome"
            ),
            models.CheckConstraint(condition=~Q(situation=""), name="escalation_has_situation"),
            models.CheckConstraint(
                condition=~Q(recommendation=""), name="escalation_has_recommendation"
            ),
            models.CheckConstraint(
                condition=Q(acknowledgement_due_at__gt=models.F("requested_at")),
                name="escalation_ack_due_after_request",
            ),
            # A cancelled escalation may or may not have been acknowledged before.
            models.CheckConstraint(
                condition=Q(status=EscalationStatus.OPEN, acknowledged_at__isnull=True)
                | Q(status=EscalationStatus.CANCELLED)
                | (
                    Q(status__in=[EscalationStatus.ACKNOWLEDGED, EscalationStatus.RESOLVED])
                    & Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False)
                ),
                name="escalation_acknowledged_iff_not_open",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=EscalationStatus.CANCELLED)
                    & Q(cancelled_at__isnull=False, cancelled_by__isnull=False)
                    & ~Q(cancel_reason="")
                )
                | (
                    ~Q(status=EscalationStatus.CANCELLED)
                    & Q(cancelled_at__isnull=True, cancelled_by__isnull=True, cancel_reason="")
                ),
                name="escalation_cancelled_iff_cancelled",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=EscalationStatus.RESOLVED)
                    & Q(resolved_at__isnull=False, resolved_by__isnull=False)
                    & ~Q(outcome="")
                )
                | (~Q(status=EscalationStatus.RESOLVED) & Q(resolved_at__isnull=True)),
                name="escalation_resolved_iff_resolved",
            ),
            models.CheckConstraint(
                condition=Q(reviewed_at__isnull=True, warranted__isnull=True)
                | Q(
                    status=EscalationStatus.RESOLVED,
                    reviewed_at__isnull=False,
                    reviewed_by__isnull=False,
                    warranted__isnull=False,
                ),
                name="escalation_reviewed_once_resolved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_urgency_display()} escalation of case {self.case_id} to {self.pathway}"

    @property
    def is_unresolved(self) -> bool:
        return self.status in UNRESOLVED_STATUSES
