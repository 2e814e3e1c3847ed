"""Complaints and feedback, and the grievance deadlines that come with them.

A *grievance* is a formal complaint. Hospitals must acknowledge it and answer it in writing within
set periods (CMS Conditions of Participation, 42 CFR 482.13(a)(2), and state rules). Those
regulatory deadlines are kept apart from the SLA on purpose:

* the SLA (``Case.first_response_due_at`` / ``resolution_due_at``) is an internal service target
  counted in business hours, paused while waiting on the patient, and set by SLA policies;
* a grievance deadline is a legal duty counted in **calendar days** from the day the complaint was
  received, never paused, and set by :class:`GrievancePeriod` rows that compliance staff maintain
  in the admin. ``Complaint.acknowledgement_due_at`` / ``response_due_at`` are computed once, when
  the case opens (``on_case_opened``), from the periods in force at that time.

Holds PHI (a complaint is about a patient's care): read it through the case's access rules.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cases.details import CaseDetail, DetailQuerySet
from cases.models import MAX_TEXT_LENGTH

if TYPE_CHECKING:
    from cases.models import Case

# Longest period an administrator may configure; anything longer is a typo, not a regulation.
MAX_PERIOD_DAYS = 365


def _in(field: str, choices: type[models.Choices]) -> Q:
    return Q(**{f"{field}__in": choices.values})


# --- vocabularies --------------------------------------------------------------------------------


class ComplaintType(models.TextChoices):
    CARE = "care", "Quality of care"
    BILLING = "billing", "Billing"
    STAFF_CONDUCT = "staff_conduct", "Staff conduct"
    ACCESS = "access", "Access to care"
    PRIVACY = "privacy", "Privacy"
    FACILITIES = "facilities", "Facilities"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class Outcome(models.TextChoices):
    PENDING = "pending", "Pending"
    RESOLVED_FOR_PATIENT = "resolved_for_patient", "Resolved in favour of the patient"
    PARTIALLY_UPHELD = "partially_upheld", "Partially upheld"
    NOT_UPHELD = "not_upheld", "Not upheld"
    WITHDRAWN = "withdrawn", "Withdrawn"


class GrievanceTrack(models.TextChoices):
    """Which set of regulatory periods applies to a complaint."""

    FORMAL_GRIEVANCE = "formal_grievance", "Formal grievance"
    INFORMAL_COMPLAINT = "informal_complaint", "Informal complaint"


# --- configuration -------------------------------------------------------------------------------


class Department(models.Model):
    """A department a complaint can be about (admin-managed). Never deleted while complaints name
    it (PROTECT): deactivate it instead, and new complaints can no longer choose it."""

    name = models.CharField(max_length=100, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="complaints_department_name_set"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.name = (self.name or "").strip()


class Periods(NamedTuple):
    acknowledgement_days: int
    response_days: int


# The periods seeded by migration 0002, and used if an administrator deletes a row:
# * formal grievance, acknowledge within 5 days: 42 CFR 482.13 sets no acknowledgement period of
#   its own and state rules vary, so this is a default for compliance staff to adjust;
# * formal grievance, respond within 7 days: CMS interpretive guidance for 482.13(a)(2) (State
#   Operations Manual, Appendix A) considers about 7 days an appropriate time frame for the written
#   response;
# * informal complaint: acknowledge within 2 days, respond within 30 days (house targets).
DEFAULT_PERIODS: dict[str, Periods] = {
    GrievanceTrack.FORMAL_GRIEVANCE: Periods(acknowledgement_days=5, response_days=7),
    GrievanceTrack.INFORMAL_COMPLAINT: Periods(acknowledgement_days=2, response_days=30),
}


class GrievancePeriod(models.Model):
    """The regulatory periods of one track, in calendar days (admin-managed, one row per track).

    A change applies to complaints opened afterwards; complaints already open keep the deadlines
    computed when they were opened. If a row is deleted, :data:`DEFAULT_PERIODS` apply.
    """

    Track = GrievanceTrack

    applies_to = models.CharField(max_length=32, choices=GrievanceTrack.choices, unique=True)
    acknowledgement_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PERIOD_DAYS)],
        help_text="Calendar days after the day the complaint was received.",
    )
    response_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PERIOD_DAYS)],
        help_text="Calendar days after the day the complaint was received.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["applies_to"]
        verbose_name = "grievance period"
        constraints = [
            models.CheckConstraint(
                condition=_in("applies_to", GrievanceTrack), name="complaints_period_track_valid"
            ),
            models.CheckConstraint(
                condition=Q(acknowledgement_days__gte=1) & Q(response_days__gte=1),
                name="complaints_period_days_positive",
            ),
            models.CheckConstraint(
                condition=Q(acknowledgement_days__lte=models.F("response_days")),
                name="complaints_period_ack_not_after_response",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_applies_to_display()}: acknowledge in {self.acknowledgement_days} days, "
            f"respond in {self.response_days} days"
        )

    def clean(self) -> None:
        if (
            self.acknowledgement_days is not None
            and self.response_days is not None
            and self.acknowledgement_days > self.response_days
        ):
            raise ValidationError(
                {
                    "acknowledgement_days": ValidationError(
                        "The acknowledgement period cannot be longer than the response period.",
                        code="acknowledgement_after_response",
                    )
                }
            )

    @classmethod
    def periods_for(cls, track: str) -> Periods:
        """The periods in force for ``track`` (the seeded defaults if its row was deleted)."""
        row = cls.objects.filter(applies_to=track).first()
        if row is None:
            return DEFAULT_PERIODS[track]
        return Periods(row.acknowledgement_days, row.response_days)


def end_of_day_after(start: datetime.datetime, days: int) -> datetime.datetime:
    """The end (23:59:59.999999) of the ``days``-th calendar day after ``start``'s day, both in
    the organisation's time zone (``settings.TIME_ZONE``).

    A regulator counts days, not hours: a grievance received at 23:30 on the 6th with a 5-day
    period is due by the end of the 11th, exactly like one received at 10:00 on the 6th. So the
    deadline is the end of a *local* calendar day — counted in the organisation's time zone, never
    UTC (23:30 in New York is already the next day in UTC) and never the agent's browser time zone
    — and it moves with daylight-saving time: adding ``days * 24h`` would land an hour off across
    a DST change.
    """
    zone = timezone.get_default_timezone()
    due_date = timezone.localtime(start, zone).date() + datetime.timedelta(days=days)
    return datetime.datetime.combine(due_date, datetime.time.max, tzinfo=zone)


# --- the details ---------------------------------------------------------------------------------


class ComplaintQuerySet(DetailQuerySet):
    def acknowledgement_overdue(self, now: datetime.datetime | None = None) -> ComplaintQuerySet:
        """Not acknowledged, and the acknowledgement deadline has passed (strictly before now)."""
        now = now or timezone.now()
        return self.filter(acknowledged_at__isnull=True, acknowledgement_due_at__lt=now)

    def response_overdue(self, now: datetime.datetime | None = None) -> ComplaintQuerySet:
        """No response recorded, and the response deadline has passed (strictly before now).

        A closed case still counts: closing the case does not discharge the duty to respond.
        """
        now = now or timezone.now()
        return self.filter(responded_at__isnull=True, response_due_at__lt=now)

    def to_mark_overdue(self, now: datetime.datetime | None = None) -> ComplaintQuerySet:
        """Overdue (either deadline) and not yet marked by the sweep for that deadline."""
        now = now or timezone.now()
        return self.filter(
            Q(
                acknowledged_at__isnull=True,
                acknowledgement_overdue_at__isnull=True,
                acknowledgement_due_at__lt=now,
            )
            | Q(
                responded_at__isnull=True, response_overdue_at__isnull=True, response_due_at__lt=now
            )
        )

    def alerting(self) -> ComplaintQuerySet:
        """Marked overdue by the sweep and still not done: what the complaints and privacy
        queues are alerted to until someone acknowledges or responds."""
        return self.filter(
            Q(acknowledgement_overdue_at__isnull=False, acknowledged_at__isnull=True)
            | Q(response_overdue_at__isnull=False, responded_at__isnull=True)
        )


class Complaint(CaseDetail):
    """A complaint or a formal grievance about a patient's experience.

    Input at intake: type, severity, formal or not, department. Everything else is written by the
    system: the deadlines when the case opens, ``acknowledged_at`` by
    ``complaints.services.complaint_acknowledge``, and ``responded_at`` with the outcome and its
    summary by ``complaint_respond`` (so outcome and summary are not intake fields either: a
    complaint cannot be opened as already decided, bypassing the response and its timeline note).
    """

    ComplaintType = ComplaintType
    Severity = Severity
    Outcome = Outcome

    complaint_type = models.CharField(max_length=32, choices=ComplaintType.choices)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    formal_grievance = models.BooleanField(
        default=False,
        help_text="Handled as a formal grievance (42 CFR 482.13(a)(2)). Always on for critical "
        "severity and for privacy complaints.",
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        limit_choices_to={"active": True},
        related_name="complaints",
        help_text="May be left empty at intake and set once known.",
    )
    outcome = models.CharField(
        max_length=32, choices=Outcome.choices, default=Outcome.PENDING, editable=False
    )
    outcome_summary = models.TextField(
        blank=True,
        max_length=MAX_TEXT_LENGTH,
        validators=[MaxLengthValidator(MAX_TEXT_LENGTH)],
        editable=False,
    )
    # Set by on_case_opened() just before the first save, so NOT NULL in the database; blank=True
    # only lets validate_details() check the intake fields before the deadlines exist.
    acknowledgement_due_at = models.DateTimeField(blank=True, editable=False)
    response_due_at = models.DateTimeField(blank=True, editable=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True, editable=False)
    responded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set once each by the overdue sweep (complaints.timers) when a deadline passed unmet: the
    # complaint was late, whatever happens afterwards (an acknowledgement after the mark is
    # shown as "acknowledged late", never as on time).
    acknowledgement_overdue_at = models.DateTimeField(null=True, blank=True, editable=False)
    response_overdue_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = "complaint"
        verbose_name_plural = "complaints"
        indexes = [
            models.Index(fields=["complaint_type", "severity"], name="complaint_type_severity_idx"),
            # The overdue queries: partial indexes hold only the complaints still waiting.
            models.Index(
                fields=["acknowledgement_due_at"],
                condition=Q(acknowledged_at__isnull=True),
                name="complaint_ack_overdue_idx",
            ),
            models.Index(
                fields=["response_due_at"],
                condition=Q(responded_at__isnull=True),
                name="complaint_response_overdue_idx",
            ),
            # The sweep (complaints.timers): waiting and not yet marked.
            models.Index(
                fields=["acknowledgement_due_at"],
                condition=Q(acknowledged_at__isnull=True, acknowledgement_overdue_at__isnull=True),
                name="complaint_ack_unmarked_idx",
            ),
            models.Index(
                fields=["response_due_at"],
                condition=Q(responded_at__isnull=True, response_overdue_at__isnull=True),
                name="complaint_resp_unmarked_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=_in("complaint_type", ComplaintType), name="complaint_type_valid"
            ),
            models.CheckConstraint(
                condition=_in("severity", Severity), name="complaint_severity_valid"
            ),
            models.CheckConstraint(
                condition=_in("outcome", Outcome), name="complaint_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(formal_grievance=True)
                | ~(Q(severity=Severity.CRITICAL) | Q(complaint_type=ComplaintType.PRIVACY)),
                name="complaint_critical_or_privacy_is_formal",
            ),
            models.CheckConstraint(
                condition=Q(responded_at__isnull=True) | ~Q(outcome=Outcome.PENDING),
                name="complaint_responded_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(responded_at__isnull=True) | Q(acknowledged_at__isnull=False),
                name="complaint_responded_after_acknowledged",
            ),
        ]

    @property
    def track(self) -> str:
        return (
            GrievanceTrack.FORMAL_GRIEVANCE
            if self.formal_grievance
            else GrievanceTrack.INFORMAL_COMPLAINT
        )

    @property
    def must_be_formal(self) -> bool:
        """Critical complaints, and every privacy complaint, are handled as formal grievances:
        a privacy complaint may also be a HIPAA complaint (45 CFR 164.530(d)) that needs a
        documented, dated answer, so it gets the formal track and its shorter deadlines."""
        return self.severity == Severity.CRITICAL or self.complaint_type == ComplaintType.PRIVACY

    def clean(self) -> None:
        if self.must_be_formal:
            self.formal_grievance = True

    def on_case_opened(self, case: Case) -> None:
        """Set both deadlines from the periods in force, counted from the case's opening."""
        periods = GrievancePeriod.periods_for(self.track)
        self.acknowledgement_due_at = end_of_day_after(
            case.created_at, periods.acknowledgement_days
        )
        self.response_due_at = end_of_day_after(case.created_at, periods.response_days)
