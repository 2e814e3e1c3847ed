"""The case: ``Case`` (with its version history), its queryset (the read path, SLA state,
permission flags), what claim-next hands out, and the case-number counter for databases without
sequences.

Models hold data, constraints and read helpers only. Every change of a case goes through
``cases.services`` (one write path); see docs/architecture/cases.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import BooleanField, F, Q, Value, When
from django.db.models import Case as CaseWhen
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cases.choices import Channel, Language, Priority, Status
from cases.models._common import MAX_TEXT_LENGTH, _in, history_id_field
from cases.models.patients import Patient, Sensitivity
from cases.models.queues import Category, Queue
from cases.workflow import OPEN_STATUSES, WAITING_STATUSES

if TYPE_CHECKING:
    from accounts.models import User

# What claim-next hands out (cases.services.case_claim_next): unassigned cases an agent can act on
# now. A waiting case has nothing to do until the patient or third party answers (its SLA clock is
# stopped); when the patient answers it goes back to in progress and is handed out again.
CLAIM_NEXT_STATUSES = OPEN_STATUSES - WAITING_STATUSES


class CaseQuerySet(models.QuerySet):
    def restrict(self, user, action: str) -> CaseQuerySet:
        """The cases ``user`` may ``action`` (view, work, supervise): the one read path
        (cases.access, docs/architecture/access.md)."""
        from cases.access import restrict_cases

        return restrict_cases(self, user, action)

    def with_permission_flags(self, user) -> CaseQuerySet:
        """Annotate ``can_work`` / ``can_supervise`` per row, in the same query."""
        from cases.access import case_permission_flags

        return case_permission_flags(self, user)

    def open(self) -> CaseQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def with_sla_state(self, now=None) -> CaseQuerySet:
        """Annotate ``first_response_breached`` and ``resolution_breached`` (booleans).

        A target is breached when it was met late, or is unmet and its due time has been
        reached (the timer sweep marks the breach at the due time) — measured at the pause for a
        case whose clock is stopped (waiting), since time spent waiting does not count. The SQL
        form of ``cases.sla_state.case_sla``'s breach rule, for filters and counts; a test keeps
        the two equal (tests/cases/test_sla_state.py)."""
        now = now or timezone.now()
        clock = Coalesce("sla_paused_at", Value(now))
        first_response = Q(first_response_due_at__isnull=False) & (
            Q(first_response_at__gt=F("first_response_due_at"))
            | (
                Q(first_response_at__isnull=True)
                & Q(status__in=OPEN_STATUSES)
                & Q(first_response_due_at__lte=clock)
            )
        )
        resolution = Q(resolution_due_at__isnull=False) & (
            Q(resolved_at__gt=F("resolution_due_at"))
            | (Q(status__in=OPEN_STATUSES) & Q(resolution_due_at__lte=clock))
        )
        # CASE WHEN … THEN TRUE ELSE FALSE: a comparison with a NULL column would yield NULL.
        return self.annotate(
            first_response_breached=CaseWhen(
                When(first_response, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            resolution_breached=CaseWhen(
                When(resolution, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )

    def sla_breached(self, now=None) -> CaseQuerySet:
        """Cases with a breached first-response or resolution target (see with_sla_state)."""
        return self.with_sla_state(now).filter(
            Q(first_response_breached=True) | Q(resolution_breached=True)
        )

    def for_list(self) -> CaseQuerySet:
        """Everything a case list shows, in a constant number of queries."""
        return self.select_related("patient", "category", "queue", "assigned_to")


class Case(models.Model):
    """One patient contact and the work on it. Changed only through ``cases.services``."""

    # The author of the next row version: django-simple-history reads it when a service sets it
    # (to its actor). An annotation for the type checker only, not a field.
    _history_user: User

    reference = models.CharField(max_length=32, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="cases")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="cases")
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="cases")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.NEW)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    subject = models.CharField(max_length=200)
    description = models.TextField(
        max_length=MAX_TEXT_LENGTH, validators=[MaxLengthValidator(MAX_TEXT_LENGTH)]
    )
    language = models.CharField(max_length=8, choices=Language.choices)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="created_cases"
    )
    source_organisation = models.ForeignKey(
        "partners.PartnerOrganisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    external_reference = models.CharField(
        max_length=100, blank=True, help_text="The submitting partner's own identifier."
    )
    sensitivity = models.CharField(
        max_length=32,
        choices=Sensitivity.choices,
        blank=True,
        help_text="Visible only with the sensitive-records permission or an explicit grant.",
    )
    sla_policy = models.ForeignKey(
        "cases.SlaPolicy",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        help_text="The policy that set the due times; its calendar moves them on resume.",
    )
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    sla_paused_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set while the SLA clock is stopped (waiting on the patient or a third party, "
        "or resolved).",
    )
    first_response_at = models.DateTimeField(null=True, blank=True)
    # When the timer sweep (cases.timers.sweep) announced that a target is about to pass (warned;
    # set back to empty when waiting moves the due time on) or has passed (breached; kept).
    first_response_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_response_breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()
    # Row versions: the case as it was at any time (docs/architecture/cases.md, History).
    history = HistoricalRecords(history_id_field=history_id_field())

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_sensitive", "See sensitive records (behavioral health, Part 2, HIV, …)"),
            ("view_all_cases", "Read every case, read-only (compliance review)"),
            ("set_sensitivity", "Set or clear the sensitivity of cases and patients"),
        ]
        indexes = [
            models.Index(
                fields=["queue", "status", "-priority", "created_at"], name="case_queue_work_idx"
            ),
            # The queue pages: open cases, most urgent first. Partial (open statuses only) so
            # PostgreSQL walks them in page order and stops after one page; see bench/.
            models.Index(
                fields=["queue", "-priority", "created_at"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="case_queue_open_page_idx",
            ),
            models.Index(
                fields=["-priority", "created_at"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="case_open_page_idx",
            ),
            # Claim next: the queue's unassigned, claimable cases in the order they are handed
            # out. Partial, so claimed and finished cases leave it and a queue with a long past
            # costs what its backlog costs; see bench/claim_next.py.
            models.Index(
                fields=["queue", "-priority", "resolution_due_at", "created_at", "id"],
                condition=Q(assigned_to__isnull=True, status__in=sorted(CLAIM_NEXT_STATUSES)),
                name="case_claim_next_idx",
            ),
            models.Index(fields=["assigned_to", "status"], name="case_assignee_status_idx"),
            models.Index(fields=["status", "first_response_due_at"], name="case_frt_due_idx"),
            models.Index(fields=["status", "resolution_due_at"], name="case_resolution_due_idx"),
            models.Index(fields=["category", "status"], name="case_category_status_idx"),
            models.Index(fields=["patient", "-created_at"], name="case_patient_recent_idx"),
            models.Index(fields=["channel", "created_at"], name="case_channel_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=_in("status", Status), name="case_status_valid"),
            models.CheckConstraint(condition=_in("priority", Priority), name="case_priority_valid"),
            models.CheckConstraint(condition=_in("channel", Channel), name="case_channel_valid"),
            models.CheckConstraint(condition=_in("language", Language), name="case_language_valid"),
            models.CheckConstraint(
                condition=_in("sensitivity", Sensitivity), name="case_sensitivity_valid"
            ),
            models.CheckConstraint(
                condition=(Q(status=Status.CLOSED) & Q(closed_at__isnull=False))
                | (~Q(status=Status.CLOSED) & Q(closed_at__isnull=True)),
                name="case_closed_at_iff_closed",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status__in=[Status.RESOLVED, Status.CLOSED]) & Q(resolved_at__isnull=False)
                )
                | (~Q(status__in=[Status.RESOLVED, Status.CLOSED]) & Q(resolved_at__isnull=True)),
                name="case_resolved_at_iff_resolved_or_closed",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("resolved_at")),
                name="case_closed_after_resolved",
            ),
            models.CheckConstraint(condition=~Q(reference=""), name="case_reference_not_blank"),
            models.UniqueConstraint(
                fields=["source_organisation", "external_reference"],
                condition=Q(source_organisation__isnull=False) & ~Q(external_reference=""),
                name="case_partner_external_reference_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseNumberCounter(models.Model):
    """Case numbers on databases without sequences (SQLite, which serialises writers anyway).
    PostgreSQL uses the ``cases_case_number_seq`` sequence instead: see ``cases.references``."""

    name = models.CharField(max_length=32, primary_key=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "case number counter"

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
