"""The escalation services: opening (with its access grants, priority and announcements),
acknowledging, resolving (revoking the grants), reviewing, on-call routing and the fallback
step of the timer."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from accounts.services import system_user
from cases import services as case_services
from cases.choices import EventKind, Priority, Status
from cases.models import BusinessCalendar, BusinessHours, Case, CaseGrantKind
from cases.models import CaseUserObjectPermission as Grant
from compliance.models import AuditEntry
from escalations import services
from escalations.choices import EscalationStatus, Outcome, Source, Urgency
from escalations.models import Escalation
from tests.escalations.conftest import SBAR

pytestmark = pytest.mark.django_db


def _open(w, case, *, actor=None, pathway=None, urgency=Urgency.URGENT, **changes):
    return services.escalation_open(
        actor=actor or w.agent,
        case=case,
        pathway=pathway or w.nurse_triage,
        urgency=urgency,
        **{**SBAR, **changes},
    )


def _works(user, case) -> bool:
    return Case.objects.restrict(user, "work").filter(pk=case.pk).exists()


def _code(error: ValidationError, field: str) -> str:
    return error.error_dict[field][0].code


# --- opening ------------------------------------------------------------------------------------


def test_open_records_the_sbar_and_grants_the_recipients(esc_world):
    w = esc_world
    case = w.case()
    assert not _works(w.nurse, case) and not _works(w.nurse2, case)
    before = timezone.now()
    escalation = _open(w, case)
    assert (escalation.status, escalation.source, escalation.urgency) == (
        EscalationStatus.OPEN,
        Source.MANUAL,
        Urgency.URGENT,
    )
    assert escalation.situation == SBAR["situation"]
    assert escalation.requested_by == w.agent
    due = escalation.acknowledgement_due_at - escalation.requested_at
    assert due == timedelta(minutes=30)
    assert escalation.requested_at >= before
    # Each recipient (directly, and through a queue team) may now work the case; a queue member
    # without a support role gets nothing, and nor does anyone outside the queue.
    assert _works(w.nurse, case) and _works(w.nurse2, case)
    grants = Grant.objects.filter(content_object=case, kind=CaseGrantKind.ESCALATION)
    assert set(grants.values_list("user__username", flat=True)) == {"nurse-nia", "nurse-ned"}
    for grant in grants:
        assert grant.expires_at == escalation.requested_at + timedelta(hours=72)
        assert grant.permission.codename == "change_case"
    assert not _works(w.no_role, case) and not _works(w.manager, case)
    # Audited row by row.
    assert AuditEntry.objects.filter(content_type__model="caseuserobjectpermission").count() == 2
    assert AuditEntry.objects.filter(
        content_type__model="escalation", object_pk=str(escalation.pk)
    ).exists()


def test_the_grant_expires_by_itself(esc_world, settings):
    w = esc_world
    w.nurse_triage.access_hours = 1
    w.nurse_triage.save()
    case = w.case()
    _open(w, case)
    Grant.objects.filter(content_object=case).update(
        expires_at=timezone.now() - timedelta(seconds=1), granted_at=timezone.now() - timedelta(2)
    )
    assert not _works(w.nurse, case)


@pytest.mark.parametrize(
    ("urgency", "start", "expected"),
    [
        (Urgency.EMERGENT, Priority.NORMAL, Priority.URGENT),
        (Urgency.URGENT, Priority.NORMAL, Priority.HIGH),
        (Urgency.URGENT, Priority.URGENT, Priority.URGENT),  # never lowered
        (Urgency.ROUTINE, Priority.LOW, Priority.LOW),
    ],
)
def test_urgency_raises_the_priority(esc_world, urgency, start, expected):
    w = esc_world
    case = w.case(priority=start)
    _open(w, case, urgency=urgency)
    case.refresh_from_db()
    assert case.priority == expected
    changed = case.events.filter(kind=EventKind.PRIORITY_CHANGED)
    assert changed.exists() == (expected != start)
    if expected != start:
        assert changed.get().body == f"Raised for an {urgency} escalation."


def test_open_writes_the_timeline_and_announces_after_commit(
    esc_world, django_capture_on_commit_callbacks, monkeypatch
):
    w = esc_world
    case = w.case()
    sent = []
    monkeypatch.setattr("cases.events._send", lambda queue_ids, payload: sent.append(payload))
    with django_capture_on_commit_callbacks(execute=True):
        escalation = _open(w, case)
    event = case.events.get(kind=EventKind.ESCALATED)
    assert event.actor == w.agent and "Nurse triage" in event.body
    names = [(p["type"], p["event"]) for p in sent]
    assert ("case.event", "case.escalated") in names
    assert ("escalation.event", "escalation.opened") in names
    message = next(p for p in sent if p["type"] == "escalation.event")
    assert message["queue_id"] == w.nurse_queue.pk
    assert message["escalation_id"] == escalation.pk
    # No PHI in the live message: no SBAR, reason or subject.
    flat = repr(message)
    for text in (*SBAR.values(), case.subject):
        assert text not in flat


def test_only_someone_who_works_the_case_may_escalate_it(esc_world):
    w = esc_world
    case = w.case()
    with pytest.raises(Http404):
        _open(w, case, actor=w.outsider)
    with pytest.raises(Http404):
        _open(w, case, actor=w.compliance)  # reads everything, works nothing
    assert not Escalation.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"situation": "  "}, "situation", "blank"),
        ({"assessment": ""}, "assessment", "blank"),
        ({"recommendation": ""}, "recommendation", "blank"),
        ({"reason": ""}, "reason", "blank"),
        ({"reason": "x" * 301}, "reason", "max_length"),
        ({"situation": "x" * 4001}, "situation", "max_length"),
        ({"urgency": "whenever"}, "urgency", "invalid_choice"),
    ],
)
def test_refusals_write_nothing(esc_world, changes, field, code):
    w = esc_world
    case = w.case()
    urgency = changes.pop("urgency", Urgency.URGENT)
    with pytest.raises(ValidationError) as error:
        _open(w, case, urgency=urgency, **changes)
    assert _code(error.value, field) == code
    assert not Escalation.objects.exists()
    assert not Grant.objects.exists()
    assert not case.events.filter(kind=EventKind.ESCALATED).exists()


def test_inactive_pathway_closed_case_and_duplicates_are_refused(esc_world):
    w = esc_world
    case = w.case()
    w.behavioral.active = False
    w.behavioral.save()
    with pytest.raises(ValidationError) as error:
        _open(w, case, pathway=w.behavioral)
    assert _code(error.value, "pathway") == "pathway_inactive"

    _open(w, case)
    with pytest.raises(ValidationError) as error:
        _open(w, case)
    assert _code(error.value, "pathway") == "already_escalated"

    closed = w.case()
    for status in (Status.RESOLVED, Status.CLOSED):
        closed = case_services.case_transition(actor=w.agent, case=closed, to_status=status)
    with pytest.raises(ValidationError) as error:
        _open(w, closed)
    assert _code(error.value, "case") == "case_closed"


def test_card_numbers_never_reach_the_sbar(esc_world):
    w = esc_world
    escalation = _open(w, w.case(), background="Paid with 4111 1111 1111 1111 yesterday.")
    assert "4111 1111 1111 1111" not in escalation.background


def test_outside_on_call_hours_the_fallback_takes_it(esc_world):
    w = esc_world
    calendar = BusinessCalendar.objects.create(name="Never now", time_zone="UTC")
    now = timezone.now()
    # Open one minute a week, not now.
    other_day = (now.weekday() + 3) % 7
    BusinessHours.objects.create(
        calendar=calendar, weekday=other_day, opens=time(3), closes=time(4)
    )
    w.nurse_triage.calendar = calendar
    w.nurse_triage.save()
    case = w.case()
    escalation = _open(w, case)
    assert escalation.pathway == w.care_manager
    assert _works(w.manager, case) and not _works(w.nurse, case)
    assert "outside its on-call hours" in case.events.get(kind=EventKind.ESCALATED).body


# --- acknowledging ------------------------------------------------------------------------------


def test_a_recipient_acknowledges_once(esc_world):
    w = esc_world
    escalation = _open(w, w.case())
    acknowledged = services.escalation_acknowledge(actor=w.nurse2, escalation=escalation)
    assert acknowledged.status == EscalationStatus.ACKNOWLEDGED
    assert acknowledged.acknowledged_by == w.nurse2 and acknowledged.acknowledged_at
    again = services.escalation_acknowledge(actor=w.nurse2, escalation=escalation)
    assert again.acknowledged_at == acknowledged.acknowledged_at  # nothing changed
    with pytest.raises(ValidationError) as error:
        services.escalation_acknowledge(actor=w.nurse, escalation=escalation)
    assert _code(error.value, "escalation") == "already_acknowledged"
    assert escalation.case.events.filter(kind=EventKind.ESCALATION_ACKNOWLEDGED).count() == 1


@pytest.mark.parametrize("who", ["agent", "outsider", "manager", "no_role", "compliance"])
def test_only_recipients_acknowledge(esc_world, who):
    w = esc_world
    escalation = _open(w, w.case())
    with pytest.raises(ValidationError) as error:
        services.escalation_acknowledge(actor=getattr(w, who), escalation=escalation)
    assert _code(error.value, "escalation") == "not_recipient"
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.OPEN


def test_a_recipient_who_joined_later_gets_access_when_acknowledging(esc_world):
    from guardian.shortcuts import assign_perm

    w = esc_world
    case = w.case()
    escalation = _open(w, case)
    assign_perm("cases.work_queue", w.manager, w.nurse_queue)
    assert not _works(w.manager, case)
    services.escalation_acknowledge(actor=w.manager, escalation=escalation)
    assert _works(w.manager, case)


# --- resolving ----------------------------------------------------------------------------------


def test_resolving_ends_the_recipients_access(esc_world):
    w = esc_world
    case = w.case()
    escalation = _open(w, case)
    services.escalation_acknowledge(actor=w.nurse, escalation=escalation)
    resolved = services.escalation_resolve(
        actor=w.nurse, escalation=escalation, outcome=Outcome.ADVICE_GIVEN, notes="Rest, fluids."
    )
    assert resolved.status == EscalationStatus.RESOLVED
    assert (resolved.resolved_by, resolved.outcome, resolved.outcome_notes) == (
        w.nurse,
        Outcome.ADVICE_GIVEN,
        "Rest, fluids.",
    )
    assert not _works(w.nurse, case) and not _works(w.nurse2, case)
    assert not Grant.objects.filter(content_object=case).exists()
    assert _works(w.agent, case)  # the case's own queue is untouched
    body = case.events.get(kind=EventKind.ESCALATION_RESOLVED).body
    assert "Case access of 2 recipient(s) ended." in body
    # Each deletion is in the audit trail.
    deleted = AuditEntry.objects.filter(
        content_type__model="caseuserobjectpermission", action=AuditEntry.Action.DELETE
    )
    assert deleted.count() == 2


def test_another_open_escalation_keeps_its_recipients_access(esc_world):
    from guardian.shortcuts import assign_perm

    w = esc_world
    case = w.case()
    # The counsellor also works the nurse line: a recipient of both pathways.
    assign_perm("cases.work_queue", w.counsellor, w.nurse_queue)
    nurse = _open(w, case)
    _open(w, case, pathway=w.behavioral)
    services.escalation_resolve(
        actor=w.nurse, escalation=nurse, outcome=Outcome.APPOINTMENT, notes=""
    )
    assert _works(w.counsellor, case)  # still needed by the behavioral-health escalation
    assert not _works(w.nurse, case)


def test_resolving_an_open_escalation_acknowledges_it_too(esc_world):
    w = esc_world
    escalation = _open(w, w.case())
    resolved = services.escalation_resolve(
        actor=w.nurse, escalation=escalation, outcome=Outcome.EMERGENCY_SERVICES
    )
    assert resolved.acknowledged_by == w.nurse and resolved.acknowledged_at
    assert resolved.resolved_at >= resolved.acknowledged_at


@pytest.mark.parametrize(
    ("outcome", "notes", "field", "code"),
    [
        ("cured", "", "outcome", "invalid_choice"),
        (Outcome.NO_ACTION, "", "notes", "required"),
        (Outcome.UNREACHABLE, "  ", "notes", "required"),
    ],
)
def test_resolve_refusals(esc_world, outcome, notes, field, code):
    w = esc_world
    escalation = _open(w, w.case())
    with pytest.raises(ValidationError) as error:
        services.escalation_resolve(
            actor=w.nurse, escalation=escalation, outcome=outcome, notes=notes
        )
    assert _code(error.value, field) == code
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.OPEN


def test_resolved_is_final(esc_world):
    w = esc_world
    escalation = _open(w, w.case())
    services.escalation_resolve(actor=w.nurse, escalation=escalation, outcome=Outcome.REFERRED)
    for call in (
        lambda: services.escalation_resolve(
            actor=w.nurse, escalation=escalation, outcome=Outcome.REFERRED
        ),
        lambda: services.escalation_acknowledge(actor=w.nurse2, escalation=escalation),
    ):
        with pytest.raises(ValidationError) as error:
            call()
        assert _code(error.value, "escalation") == "already_resolved"


def test_an_outsider_cannot_resolve(esc_world):
    w = esc_world
    escalation = _open(w, w.case())
    with pytest.raises(ValidationError) as error:
        services.escalation_resolve(
            actor=w.agent, escalation=escalation, outcome=Outcome.NO_ACTION, notes="Handled it."
        )
    assert _code(error.value, "escalation") == "not_recipient"


# --- reviewing ----------------------------------------------------------------------------------


def _resolved(w, **options):
    escalation = _open(w, w.case(), **options)
    return services.escalation_resolve(
        actor=w.nurse, escalation=escalation, outcome=Outcome.ADVICE_GIVEN
    )


def test_a_supervisor_reviews_once(esc_world):
    w = esc_world
    escalation = _resolved(w)
    reviewed = services.escalation_review(actor=w.supervisor, escalation=escalation, warranted=True)
    assert (reviewed.warranted, reviewed.reviewed_by) == (True, w.supervisor)
    with pytest.raises(ValidationError) as error:
        services.escalation_review(
            actor=w.supervisor, escalation=escalation, warranted=False, notes="Second thoughts."
        )
    assert _code(error.value, "escalation") == "already_reviewed"


def test_review_refusals(esc_world):
    w = esc_world
    open_one = _open(w, w.case())
    with pytest.raises(ValidationError) as error:
        services.escalation_review(actor=w.supervisor, escalation=open_one, warranted=True)
    assert _code(error.value, "escalation") == "not_resolved"

    escalation = _resolved(w)
    for who in (w.agent2, w.nurse, w.outsider):
        with pytest.raises(ValidationError) as error:
            services.escalation_review(actor=who, escalation=escalation, warranted=True)
        assert _code(error.value, "escalation") == "not_reviewer"
    with pytest.raises(ValidationError) as error:
        services.escalation_review(actor=w.supervisor, escalation=escalation, warranted=False)
    assert _code(error.value, "notes") == "required"
    with pytest.raises(ValidationError) as error:
        services.escalation_review(actor=w.supervisor, escalation=escalation, warranted="yes")
    assert _code(error.value, "warranted") == "required"

    own = _resolved(w, actor=w.supervisor)
    with pytest.raises(ValidationError) as error:
        services.escalation_review(actor=w.supervisor, escalation=own, warranted=True)
    assert _code(error.value, "escalation") == "own_escalation"
    escalation.refresh_from_db()
    assert escalation.reviewed_at is None


def test_the_review_permission_reviews_any_queue(esc_world):
    from django.contrib.auth.models import Permission

    w = esc_world
    escalation = _resolved(w)
    w.manager.user_permissions.add(Permission.objects.get(codename="review_escalation"))
    reviewer = type(w.manager).objects.get(pk=w.manager.pk)  # fresh permission cache
    reviewed = services.escalation_review(
        actor=reviewer, escalation=escalation, warranted=False, notes="Could wait for the GP."
    )
    assert reviewed.warranted is False and reviewed.review_notes == "Could wait for the GP."


# --- the timer's step ---------------------------------------------------------------------------


def test_fallback_marks_overdue_and_widens_the_handoff(esc_world):
    w = esc_world
    case = w.case()
    escalation = _open(w, case, urgency=Urgency.EMERGENT)
    assert escalation.acknowledgement_due_at - escalation.requested_at == timedelta(minutes=10)
    system = system_user()
    early = escalation.acknowledgement_due_at - timedelta(seconds=1)
    assert services.escalation_fallback(actor=system, escalation=escalation, now=early) is None
    late = escalation.acknowledgement_due_at + timedelta(seconds=1)
    second = services.escalation_fallback(actor=system, escalation=escalation, now=late)
    assert second.pathway == w.care_manager and second.source == Source.FALLBACK
    assert second.escalated_from == escalation and second.urgency == Urgency.EMERGENT
    assert second.situation == escalation.situation
    escalation.refresh_from_db()
    assert escalation.overdue_at == late and escalation.status == EscalationStatus.OPEN
    assert _works(w.manager, case) and _works(w.nurse, case)  # widened, not moved
    # Idempotent.
    assert services.escalation_fallback(actor=system, escalation=escalation, now=late) is None
    assert Escalation.objects.count() == 2
    assert list(services.overdue_escalations(late)) == []


def test_fallback_without_a_fallback_says_so(esc_world):
    w = esc_world
    case = w.case()
    escalation = _open(w, case, pathway=w.behavioral)
    late = escalation.acknowledgement_due_at + timedelta(minutes=1)
    assert (
        services.escalation_fallback(actor=system_user(), escalation=escalation, now=late) is None
    )
    escalation.refresh_from_db()
    assert escalation.overdue_at == late
    assert "no fallback pathway" in case.events.filter(kind=EventKind.ESCALATED).last().body


def test_an_acknowledged_escalation_never_falls_back(esc_world):
    w = esc_world
    escalation = _open(w, w.case())
    services.escalation_acknowledge(actor=w.nurse, escalation=escalation)
    late = escalation.acknowledgement_due_at + timedelta(hours=1)
    assert (
        services.escalation_fallback(actor=system_user(), escalation=escalation, now=late) is None
    )
    assert list(services.overdue_escalations(late)) == []


def test_a_fallback_loop_stops(esc_world):
    w = esc_world
    w.care_manager.fallback = w.nurse_triage
    w.care_manager.save()
    escalation = _open(w, w.case())
    system = system_user()
    late = escalation.acknowledgement_due_at + timedelta(seconds=1)
    second = services.escalation_fallback(actor=system, escalation=escalation, now=late)
    later = second.acknowledgement_due_at + timedelta(seconds=1)
    assert services.escalation_fallback(actor=system, escalation=second, now=later) is None
    assert Escalation.objects.count() == 2


# --- the read path ------------------------------------------------------------------------------


def test_restrict_view_follows_the_case_and_receive_the_recipient_queue(esc_world):
    from guardian.shortcuts import assign_perm

    w = esc_world
    escalation = _open(w, w.case())

    def ids(user, action):
        return list(Escalation.objects.restrict(user, action).values_list("pk", flat=True))

    assert ids(w.agent, "view") == [escalation.pk]  # the case's own queue
    assert ids(w.nurse, "view") == [escalation.pk]  # through the grant
    assert ids(w.outsider, "view") == [] and ids(w.manager, "view") == []
    assert ids(w.nurse, "receive") == [escalation.pk]
    assert ids(w.nurse2, "receive") == [escalation.pk]  # through the queue team
    for user in (w.agent, w.outsider, w.manager, w.compliance, w.no_role):
        assert ids(user, "receive") == [], user.username
    # A member who joined later: no case, but addressed to them.
    assign_perm("cases.work_queue", w.manager, w.nurse_queue)
    assert ids(w.manager, "view") == [] and ids(w.manager, "receive") == [escalation.pk]
    # Resolved: the grant ends, the address stays (lists filter unresolved themselves).
    services.escalation_resolve(actor=w.nurse, escalation=escalation, outcome=Outcome.REFERRED)
    assert ids(w.nurse, "view") == [] and ids(w.nurse, "receive") == [escalation.pk]
    w.nurse.is_active = False
    w.nurse.save()
    assert ids(w.nurse, "receive") == []
