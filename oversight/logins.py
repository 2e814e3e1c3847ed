"""The reads of the login review page (``/compliance/logins/``): the authentication events of the
audit trail (``compliance.auth_log``: logins, logouts, failures, lockouts and the second
factor's events), filtered, and counts per username."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.db.models import CharField, Count, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils import timezone

from compliance.auth_log import AuthEvent
from compliance.models import AuditEntry

PAGE_SIZE = 200
COUNTS_SIZE = 50
FAILURES = (AuthEvent.LOGIN_FAILED, AuthEvent.LOCKOUT, AuthEvent.MFA_FAILED)


class LoginFilterForm(forms.Form):
    user = forms.CharField(label="Username", required=False, max_length=150)
    failures = forms.BooleanField(
        label="Failures (password or second factor) and lockouts only", required=False
    )
    since = forms.DateField(label="From", required=False, widget=forms.DateInput({"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput({"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("'From' must not be after 'To'.")
        return data


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def auth_events(filters: dict) -> QuerySet[AuditEntry]:
    """The authentication entries matching the form's cleaned ``filters``, newest first."""
    entries = AuditEntry.objects.filter(
        action=AuditEntry.Action.ACCESS, additional_data__has_key="auth"
    )
    if filters.get("user"):
        name = filters["user"]
        entries = entries.filter(Q(actor__username=name) | Q(additional_data__auth__username=name))
    if filters.get("failures"):
        entries = entries.filter(additional_data__auth__event__in=FAILURES)
    if filters.get("since"):
        entries = entries.filter(timestamp__gte=_day_start(filters["since"]))
    if filters.get("until"):
        end = _day_start(filters["until"]) + timezone.timedelta(days=1)
        entries = entries.filter(timestamp__lt=end)
    return entries.select_related("actor").order_by("-timestamp", "-id")


def counts_per_user(entries: QuerySet[AuditEntry]) -> list[dict]:
    """Per username (the account's, or the one submitted): logins, failures, lockouts, wrong
    second-factor codes and distinct addresses; most failures first."""
    return list(
        entries.order_by()
        .annotate(
            who=Coalesce(
                "actor__username",
                KT("additional_data__auth__username"),
                output_field=CharField(),
            )
        )
        .values("who")
        .annotate(
            logins=Count("id", filter=Q(additional_data__auth__event=AuthEvent.LOGIN)),
            failures=Count("id", filter=Q(additional_data__auth__event=AuthEvent.LOGIN_FAILED)),
            lockouts=Count("id", filter=Q(additional_data__auth__event=AuthEvent.LOCKOUT)),
            mfa_failures=Count("id", filter=Q(additional_data__auth__event=AuthEvent.MFA_FAILED)),
            addresses=Count("remote_addr", distinct=True),
        )
        .order_by("-failures", "-lockouts", "-mfa_failures", "who")[:COUNTS_SIZE]
    )
