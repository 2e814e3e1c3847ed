"""The core records of patient support: Patient, Queue, Category, Case and its timeline.

Models hold data, constraints and read helpers only. Every change of a case goes through
``cases.services`` (one write path); see docs/architecture/cases.md.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import BooleanField, F, Q, Value, When
from django.db.models import Case as CaseWhen
from django.db.models.functions import Coalesce
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from cases.choices import (
    CONVERSATION_KINDS,
    Channel,
    ContactChannel,
    EventKind,
    Language,
    Priority,
    Status,
    Visibility,
)
from cases.registry import registry, support_kind_choices
from cases.validators import validate_birth_date
from cases.workflow import OPEN_STATUSES, WAITING_STATUSES

# Longest free text (a description, reply or note) a case accepts.
MAX_TEXT_LENGTH = 20_000
# What claim-next hands out (cases.services.case_claim_next): unassigned cases an agent can act on
# now. A waiting case has nothing to do until the patient or third party answers (its SLA clock is
# stopped); when the patient answers it goes back to in progress and is handed out again.
CLAIM_NEXT_STATUSES = OPEN_STATUSES - WAITING_STATUSES


def history_id_field() -> models.BigAutoField:
    """The primary key of a row-version table (django-simple-history): 64-bit like every other
    key here (DEFAULT_AUTO_FIELD), since every save of a tracked row adds one version."""
    return models.BigAutoField(primary_key=True)


def _in(field: str, choices: type[models.Choices]) -> Q:
    return Q(**{f"{field}__in": choices.values})


class Sensitivity(models.TextChoices):
    """Records needing an explicit permission even inside one's own queue."""

    NONE = "", "Not sensitive"
    BEHAVIORAL_HEALTH = "behavioral_health", "Behavioral health"
    SUBSTANCE_USE = "substance_use", "Substance-use treatment (42 CFR Part 2)"
    HIV = "hiv", "HIV"
    REPRODUCTIVE_HEALTH = "reproductive_health", "Reproductive health"
    OTHER = "other", "Other sensitive"


class PatientQuerySet(models.QuerySet):
    def restrict(self, user, action: str) -> PatientQuerySet:
        """Patients ``user`` may ``action`` (view, work, supervise, lookup): cases.access."""
        from cases.access import restrict_patients

        return restrict_patients(self, user, action)


class Patient(models.Model):
    """A person who contacts support. PHI: every field here identifies the patient."""

    # The fields intake and the patient services may set (everything else is computed).
    INPUT_FIELDS = (
        "mrn",
        "given_name",
        "family_name",
        "date_of_birth",
        "phone",
        "email",
        "preferred_language",
        "preferred_contact_channel",
        "sms_consent",
        "interpreter_needed",
    )

    mrn = models.CharField(
        "MRN",
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        help_text="Medical record number from the EHR. Empty while the patient is unverified.",
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(
        validators=[validate_birth_date],
        help_text="From 1900-01-01 to today (in the deployment's time zone).",
    )
    phone = PhoneNumberField(blank=True, help_text="E.164, e.g. +12025550123.")
    email = models.EmailField(blank=True)
    preferred_language = models.CharField(
        max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    preferred_contact_channel = models.CharField(
        max_length=16, choices=ContactChannel.choices, default=ContactChannel.PHONE
    )
    sms_consent = models.BooleanField(
        "SMS consent", default=False, help_text="The patient agreed to receive text messages."
    )
    interpreter_needed = models.BooleanField(default=False)
    sensitivity = models.CharField(
        max_length=32,
        choices=Sensitivity.choices,
        blank=True,
        help_text="A sensitive patient's cases are all sensitive.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PatientQuerySet.as_manager()
    # Row versions: the patient as they were at any time (docs/architecture/cases.md, History).
    history = HistoricalRecords(history_id_field=history_id_field())

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        indexes = [
            models.Index(
                fields=["family_name", "given_name", "date_of_birth"], name="patient_name_dob_idx"
            ),
            models.Index(fields=["phone"], name="patient_phone_idx"),
            models.Index(fields=["email"], name="patient_email_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=_in("preferred_language", Language), name="patient_language_valid"
            ),
            models.CheckConstraint(
                condition=_in("preferred_contact_channel", ContactChannel),
                name="patient_contact_channel_valid",
            ),
            models.CheckConstraint(condition=~Q(mrn=""), name="patient_mrn_null_not_blank"),
            models.CheckConstraint(
                condition=Q(sms_consent=False) | ~Q(phone=""),
                name="patient_sms_consent_needs_phone",
            ),
            models.CheckConstraint(
                condition=_in("sensitivity", Sensitivity), name="patient_sensitivity_valid"
            ),
        ]

    def __str__(self) -> str:
        # Name only: the MRN is a field that minimum-necessary rules may mask or hide, and
        # __str__ appears everywhere (titles, links, select boxes).
        return f"{self.family_name}, {self.given_name}"

    def clean(self) -> None:
        if self.mrn is not None:
            self.mrn = self.mrn.strip() or None
        if self.sms_consent and not self.phone:
            raise ValidationError(
                {"sms_consent": ValidationError("SMS consent needs a phone number.", "no_phone")}
            )


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
    # When the timer sweep (cases.sla.sweep) announced that a target is about to pass (warned; set
    # back to empty when waiting moves the due time on) or has passed (breached; kept).
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


class CaseNumberCounter(models.Model):
    """Case numbers on databases without sequences (SQLite, which serialises writers anyway).
    PostgreSQL uses the ``cases_case_number_seq`` sequence instead: see ``cases.references``."""

    name = models.CharField(max_length=32, primary_key=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "case number counter"

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
