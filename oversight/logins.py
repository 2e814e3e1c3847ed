"""The reads of the login review page (``/compliance/logins/``): the authentication events of the
audit trail (``compliance.auth_log``: logins, logouts, failures, lockouts and the second
factor's events), filtered, and counts per username.

Two kinds of mark, both decided in SQL so that the page costs the same two reads however long
the trail: a successful login outside the usual working hours (``LOGIN_USUAL_HOURS``, a window
of the day in the deployment's ``TIME_ZONE``), and a person with many failed logins
(``LOGIN_REVIEW_FAILURES``) or logins from many addresses (``LOGIN_REVIEW_ADDRESSES``) among the
events shown — listed first in the counts, and a filter of their own."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, TruncTime
from django.utils import timezone

from compliance.auth_log import AuthEvent
from compliance.models import AuditEntry

PAGE_SIZE = 200
COUNTS_SIZE = 50
FAILURES = (AuthEvent.LOGIN_FAILED, AuthEvent.LOCKOUT, AuthEvent.MFA_FAILED)
IS_LOGIN = Q(additional_data__auth__event=AuthEvent.LOGIN)


class LoginFilterForm(forms.Form):
    user = forms.CharField(label="Username", required=False, max_length=150)
    failures = forms.BooleanField(
        label="Failures (password or second factor) and lockouts only", required=False
    )
    unusual_hours = forms.BooleanField(
        label="Successful logins outside usual hours only", required=False
    )
    flagged = forms.BooleanField(
        label="Only people with many failed logins or addresses", required=False
    )
    since = forms.DateField(label="From", required=False, widget=forms.DateInput({"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput({"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("'From' must not be after 'To'.")
        return data


def usual_hours() -> tuple[time, time]:
    """The usual working hours: start (included) and end (excluded), local times of
    ``TIME_ZONE``; a start after the end is a window over midnight."""
    start, end = settings.LOGIN_USUAL_HOURS
    return start, end


def review_thresholds() -> tuple[int, int]:
    """How many failed logins, and how many distinct addresses, make a person stand out."""
    return settings.LOGIN_REVIEW_FAILURES, settings.LOGIN_REVIEW_ADDRESSES


def _outside_usual_hours() -> Q:
    """On the ``local_time`` annotation: the time of day is outside the usual window."""
    start, end = usual_hours()
    if start < end:
        return Q(local_time__lt=start) | Q(local_time__gte=end)
    return Q(local_time__gte=end, local_time__lt=start)  # the window runs over midnight


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _annotated() -> QuerySet[AuditEntry]:
    """Authentication entries with who they are about (the account, or the username submitted),
    their local time of day in the deployment's time zone, and whether they are a successful
    login outside the usual hours."""
    return (
        AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS, additional_data__has_key="auth")
        .annotate(
            who=Coalesce(
                "actor__username", KT("additional_data__auth__username"), output_field=CharField()
            ),
            local_time=TruncTime("timestamp", tzinfo=ZoneInfo(settings.TIME_ZONE)),
        )
        .annotate(
            unusual=ExpressionWrapper(IS_LOGIN & _outside_usual_hours(), BooleanField()),
        )
    )


def auth_events(filters: dict) -> QuerySet[AuditEntry]:
    """The authentication entries matching the form's cleaned ``filters``, newest first."""
    entries = _annotated()
    if filters.get("user"):
        name = filters["user"]
        entries = entries.filter(Q(actor__username=name) | Q(additional_data__auth__username=name))
    if filters.get("failures"):
        entries = entries.filter(additional_data__auth__event__in=FAILURES)
    if filters.get("unusual_hours"):
        entries = entries.filter(IS_LOGIN & _outside_usual_hours())
    if filters.get("since"):
        entries = entries.filter(timestamp__gte=_day_start(filters["since"]))
    if filters.get("until"):
        end = _day_start(filters["until"]) + timezone.timedelta(days=1)
        entries = entries.filter(timestamp__lt=end)
    if filters.get("flagged"):
        # People who stand out among the events the other filters leave (one subquery).
        flagged = _counts(entries).filter(flagged=True).values("who")
        entries = entries.filter(who__in=flagged)
    return entries.select_related("actor").order_by("-timestamp", "-id")


def _counts(entries: QuerySet[AuditEntry]) -> QuerySet:
    many_failures, many_addresses = review_thresholds()
    return (
        entries.order_by()
        .values("who")
        .annotate(
            logins=Count("id", filter=IS_LOGIN),
            unusual_logins=Count("id", filter=IS_LOGIN & _outside_usual_hours()),
            failures=Count("id", filter=Q(additional_data__auth__event=AuthEvent.LOGIN_FAILED)),
            lockouts=Count("id", filter=Q(additional_data__auth__event=AuthEvent.LOCKOUT)),
            mfa_failures=Count("id", filter=Q(additional_data__auth__event=AuthEvent.MFA_FAILED)),
            addresses=Count("remote_addr", distinct=True),
        )
        .annotate(
            many_failures=Case(
                When(failures__gte=many_failures, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            many_addresses=Case(
                When(addresses__gte=many_addresses, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            flagged=Case(
                When(
                    Q(failures__gte=many_failures) | Q(addresses__gte=many_addresses),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )


def counts_per_user(entries: QuerySet[AuditEntry]) -> list[dict]:
    """Per username (the account's, or the one submitted) among ``entries``: logins, those
    outside the usual hours, failures, lockouts and distinct addresses, and whether the failures
    or the addresses reach their threshold. People who reach one come first, then most failures."""
    return list(
        _counts(entries).order_by("-flagged", "-failures", "-lockouts", "-mfa_failures", "who")[
            :COUNTS_SIZE
        ]
    )
