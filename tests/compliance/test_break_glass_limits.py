"""Break-the-glass limits (issue 17): only the configured roles, a daily limit per person, a
real-time alert to the privacy office's queue, and a second confirmation for restricted
(42 CFR Part 2 and the like) records. docs/architecture/access.md, "Break-the-glass"."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from accounts.roles import Role, ensure_role_groups
from cases.access import access_case
from cases.changes import case_set_sensitivity, patient_set_sensitivity
from cases.choices import EventKind
from cases.events import queue_group
from cases.models import CaseUserObjectPermission, Sensitivity
from escalations.choices import PathwayKind
from escalations.models import EscalationPathway
from oversight import alerts, policy
from oversight.models import BreakGlassAccess
from oversight.services import break_glass_open
from tests.factories import QueueFactory, UserFactory, make_case

pytestmark = pytest.mark.django_db
REASON = "Patient on the line reports a medication reaction; need the open refill case."


@pytest.fixture
def groups(db):
    return ensure_role_groups()


def person(groups, name: str, *roles: str, **fields):
    user = UserFactory(username=name, **fields)
    user.groups.add(*(groups[role] for role in roles))
    assign_perm("cases.work_queue", user, QueueFactory(name=f"Q {name}", slug=f"q-{name}"))
    return user


@pytest.fixture
def nurse(groups):
    return person(groups, "night-nurse", Role.CLINICIAN)


@pytest.fixture
def officer(groups):
    return person(groups, "privacy-reviewer", Role.COMPLIANCE_OFFICER)


@pytest.fixture
def privacy_queue(db):
    queue = QueueFactory(name="Privacy Office", slug="privacy-office")
    EscalationPathway.objects.create(
        name="Privacy officer",
        kind=PathwayKind.PRIVACY_OFFICER,
        recipient_queue=queue,
        acknowledgement_minutes=24 * 60,
    )
    return queue


def cases(actor, category, count: int):
    return [make_case(actor=actor, category=category) for _ in range(count)]


def refusal(call) -> tuple[str, str]:
    with pytest.raises(ValidationError) as raised:
        call()
    field, errors = next(iter(raised.value.error_dict.items()))
    return field, errors[0].code


# --- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("roles", "superuser"),
    [
        ((Role.AGENT,), False),
        ((Role.PORTAL_SUPPORT_AGENT,), False),
        ((Role.SUPERVISOR,), False),
        ((Role.ADMINISTRATOR,), False),
        ((Role.AGENT, Role.SENSITIVE_RECORDS), False),  # a clearance is not a clinical duty
        ((Role.AGENT,), True),  # a superuser is no exception
    ],
)
def test_roles_without_a_clinical_or_privacy_duty_are_refused(
    groups, actor, category, roles, superuser
):
    user = person(groups, "someone", *roles, is_superuser=superuser)
    case = make_case(actor=actor, category=category)

    field, code = refusal(
        lambda: break_glass_open(actor=user, reference=case.reference, reason=REASON)
    )

    assert (field, code) == ("actor", "role_not_permitted")
    assert not BreakGlassAccess.objects.exists()
    assert not CaseUserObjectPermission.objects.exists()
    assert not case.events.filter(kind=EventKind.BREAK_GLASS).exists()


def test_a_clinician_may(nurse, actor, category):
    case = make_case(actor=actor, category=category)
    break_glass_open(actor=nurse, reference=case.reference, reason=REASON)
    assert access_case(nurse, case.pk) == case


def test_a_compliance_officer_is_allowed_but_already_sees_every_case(officer, actor, category):
    case = make_case(actor=actor, category=category)
    field, code = refusal(
        lambda: break_glass_open(actor=officer, reference=case.reference, reason=REASON)
    )
    assert (field, code) == ("reference", "already_visible")  # not role_not_permitted


def test_the_roles_are_configurable(groups, actor, category, settings):
    agent = person(groups, "night-agent", Role.AGENT)
    nurse = person(groups, "night-nurse", Role.CLINICIAN)
    case = make_case(actor=actor, category=category)
    settings.BREAK_GLASS_ROLES = [Role.AGENT]

    break_glass_open(actor=agent, reference=case.reference, reason=REASON)
    assert refusal(
        lambda: break_glass_open(actor=nurse, reference=case.reference, reason=REASON)
    ) == ("actor", "role_not_permitted")


# --- how often ------------------------------------------------------------------------------------


def test_the_daily_limit_refuses_the_next_access_and_writes_nothing(
    nurse, actor, category, settings, caplog
):
    settings.BREAK_GLASS_DAILY_LIMIT = 2
    first, second, third = cases(actor, category, 3)
    break_glass_open(actor=nurse, reference=first.reference, reason=REASON)
    break_glass_open(actor=nurse, reference=second.reference, reason=REASON)

    with pytest.raises(ValidationError) as raised:
        break_glass_open(actor=nurse, reference=third.reference, reason=REASON)

    assert raised.value.code == "daily_limit_reached"
    message = raised.value.error_dict["actor"][0].message
    assert "2 emergency accesses of the last 24 hours" in message
    assert "next is possible at" in message
    assert BreakGlassAccess.objects.filter(user=nurse).count() == 2
    assert not third.events.filter(kind=EventKind.BREAK_GLASS).exists()
    with pytest.raises(Exception, match="No such case"):
        access_case(nurse, third.pk)
    assert f"break-the-glass refused for user {nurse.pk}: daily_limit_reached" in caplog.text


def test_the_limit_is_a_rolling_24_hours_per_person(groups, nurse, actor, category, settings):
    settings.BREAK_GLASS_DAILY_LIMIT = 1
    colleague = person(groups, "day-nurse", Role.CLINICIAN)
    first, second, third = cases(actor, category, 3)
    start = timezone.now()
    break_glass_open(actor=nurse, reference=first.reference, reason=REASON)
    break_glass_open(actor=colleague, reference=first.reference, reason=REASON)  # per person

    with time_machine.travel(start + timedelta(hours=23, minutes=59)):
        assert refusal(
            lambda: break_glass_open(actor=nurse, reference=second.reference, reason=REASON)
        ) == ("actor", "daily_limit_reached")
    with time_machine.travel(start + timedelta(hours=24, minutes=1)):
        break_glass_open(actor=nurse, reference=third.reference, reason=REASON)
    assert BreakGlassAccess.objects.filter(user=nurse).count() == 2


def test_refused_requests_do_not_count(nurse, actor, category, settings):
    settings.BREAK_GLASS_DAILY_LIMIT = 1
    case = make_case(actor=actor, category=category)
    refusal(lambda: break_glass_open(actor=nurse, reference=case.reference, reason="short"))
    refusal(lambda: break_glass_open(actor=nurse, reference="PC-1999-999999", reason=REASON))
    break_glass_open(actor=nurse, reference=case.reference, reason=REASON)


# --- the settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("roles", "limit", "message"),
    [
        (["Clinican"], 3, "'Clinican', which is not a job role"),
        ([], 3, "must list at least one role"),
        ("Clinician", 3, "must list at least one role"),
        ([Role.PARTNER_SYSTEM], 3, "not a job role"),
        ([Role.SENSITIVE_RECORDS], 3, "not a job role"),
        ([Role.CLINICIAN], 0, "BREAK_GLASS_DAILY_LIMIT"),
        ([Role.CLINICIAN], "3", "BREAK_GLASS_DAILY_LIMIT"),
    ],
)
def test_nonsense_settings_stop_the_start(settings, roles, limit, message):
    settings.BREAK_GLASS_ROLES = roles
    settings.BREAK_GLASS_DAILY_LIMIT = limit
    with pytest.raises(ImproperlyConfigured, match=message):
        policy.check_settings()


def test_the_defaults_pass():
    policy.check_settings()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BREAK_GLASS_DAILY_LIMIT", "0"),
        ("BREAK_GLASS_DAILY_LIMIT", "many"),
        ("BREAK_GLASS_MINUTES", "0"),
        ("BREAK_GLASS_MINUTES", "600"),
    ],
)
def test_the_environment_is_checked(monkeypatch, name, value):
    import patientcare.settings_break_glass as module

    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        importlib.reload(module)
    monkeypatch.delenv(name)
    importlib.reload(module)


def test_the_roles_come_from_the_environment(monkeypatch):
    import patientcare.settings_break_glass as module

    monkeypatch.setenv("BREAK_GLASS_ROLES", "Clinician, Supervisor")
    try:
        assert importlib.reload(module).BREAK_GLASS_ROLES == ["Clinician", "Supervisor"]
    finally:
        monkeypatch.delenv("BREAK_GLASS_ROLES")
        importlib.reload(module)


# --- the real-time alert --------------------------------------------------------------------------


def test_each_access_alerts_the_privacy_office_queue_after_commit(
    nurse, actor, category, privacy_queue, listener, django_capture_on_commit_callbacks
):
    case = make_case(actor=actor, category=category)
    listener.join(queue_group(privacy_queue.pk))

    with django_capture_on_commit_callbacks(execute=True):
        access = break_glass_open(actor=nurse, reference=case.reference, reason=REASON)
        assert listener.receive_all(timeout=0.2) == []  # not before the commit

    [message] = listener.receive_all()
    assert message["type"] == alerts.MESSAGE_TYPE
    assert message["event"] == alerts.OPENED
    assert (message["access_id"], message["case_id"]) == (access.pk, case.pk)
    assert (message["reference"], message["user_id"]) == (case.reference, nurse.pk)
    assert message["queue_id"] == message["seq_queue_id"] == privacy_queue.pk
    assert message["expires_at"] == access.expires_at.isoformat()
    assert isinstance(message["seq"], int)
    assert REASON not in str(message) and "sensitive" not in message  # no PHI
    # The record the alert points to: on the review list.
    assert BreakGlassAccess.objects.awaiting_review().get() == access


def test_a_refused_or_rolled_back_access_alerts_nobody(
    nurse, actor, category, privacy_queue, listener, settings, django_capture_on_commit_callbacks
):
    settings.BREAK_GLASS_DAILY_LIMIT = 1
    first, second = cases(actor, category, 2)
    listener.join(queue_group(privacy_queue.pk))
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        break_glass_open(actor=nurse, reference=first.reference, reason=REASON)
        raise RuntimeError("rolled back")
    assert callbacks == [] and listener.receive_all() == []

    with django_capture_on_commit_callbacks(execute=True):
        break_glass_open(actor=nurse, reference=first.reference, reason=REASON)
    assert len(listener.receive_all()) == 1
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        refusal(lambda: break_glass_open(actor=nurse, reference=second.reference, reason=REASON))
    assert callbacks == [] and listener.receive_all() == []


def test_without_a_privacy_officer_pathway_the_access_is_still_recorded(
    nurse, actor, category, caplog
):
    case = make_case(actor=actor, category=category)
    access = break_glass_open(actor=nurse, reference=case.reference, reason=REASON)
    assert BreakGlassAccess.objects.awaiting_review().get() == access
    assert f"break-the-glass access {access.pk}: no active privacy officer pathway" in caplog.text


# --- restricted records: a second confirmation ------------------------------------------------


@pytest.mark.parametrize("on", ["case", "patient"])
def test_a_restricted_record_needs_the_confirmation(nurse, officer, actor, category, on):
    case = make_case(actor=actor, category=category)
    if on == "case":
        case_set_sensitivity(
            actor=officer, case=case, sensitivity=Sensitivity.SUBSTANCE_USE, reason="Part 2 care."
        )
    else:
        patient_set_sensitivity(
            actor=officer,
            patient=case.patient,
            sensitivity=Sensitivity.SUBSTANCE_USE,
            reason="Enrolled in a Part 2 program.",
        )

    field, code = refusal(
        lambda: break_glass_open(actor=nurse, reference=case.reference, reason=REASON)
    )
    assert (field, code) == ("confirm_sensitive", "confirmation_required")
    assert not BreakGlassAccess.objects.exists()
    with pytest.raises(Exception, match="No such case"):
        access_case(nurse, case.pk)

    break_glass_open(actor=nurse, reference=case.reference, reason=REASON, confirm_sensitive=True)
    assert access_case(nurse, case.pk) == case  # the grant is the exception to sensitivity
    event = case.events.get(kind=EventKind.BREAK_GLASS)
    assert "42 CFR Part 2 notice was confirmed" in event.body


def test_an_ordinary_record_needs_no_confirmation(nurse, actor, category):
    case = make_case(actor=actor, category=category)
    break_glass_open(actor=nurse, reference=case.reference, reason=REASON)
    assert "42 CFR" not in case.events.get(kind=EventKind.BREAK_GLASS).body
