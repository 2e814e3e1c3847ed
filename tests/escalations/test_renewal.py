"""An unresolved escalation's case grants are renewed by the timer before they lapse
(escalations.renewal, escalations.timers.renew), so its recipient can still resolve it; resolving
ends them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command

from cases.models import Case, CaseGrantKind, CaseUserObjectPermission
from escalations import services, timers
from escalations.choices import EscalationStatus, Outcome, Urgency
from escalations.renewal import escalation_renew_access
from tests.escalations.conftest import SBAR

pytestmark = pytest.mark.django_db


def _open(w, case):
    return services.escalation_open(
        actor=w.agent, case=case, pathway=w.nurse_triage, urgency=Urgency.URGENT, **SBAR
    )


def _works(user, case) -> bool:
    return Case.objects.restrict(user, "work").filter(pk=case.pk).exists()


def _grant_of(user, case):
    return CaseUserObjectPermission.objects.get(
        content_object_id=case.pk, user=user, kind=CaseGrantKind.ESCALATION
    )


def test_without_renewal_the_grant_lapses(esc_world, time_machine):
    """The problem renewal solves: past ``access_hours`` the recipient is locked out."""
    w = esc_world
    time_machine.move_to("2026-03-02 09:00:00+00:00", tick=False)
    case = w.case()
    _open(w, case)
    time_machine.shift(timedelta(hours=w.nurse_triage.access_hours, minutes=1))
    assert not _works(w.nurse, case)


def test_a_recipient_can_resolve_after_the_original_grant_would_have_expired(
    esc_world, time_machine
):
    w = esc_world
    time_machine.move_to("2026-03-02 09:00:00+00:00", tick=False)
    case = w.case()
    escalation = _open(w, case)
    services.escalation_acknowledge(actor=w.nurse, escalation=escalation)
    original = _grant_of(w.nurse, case).expires_at
    hours = w.nurse_triage.access_hours

    # The timer runs every minute; here: at a few points across three access periods.
    for step in range(1, 7):
        time_machine.move_to(escalation.requested_at + timedelta(hours=hours / 2 * step))
        call_command("run_timers", "--once")
        assert _works(w.nurse, case), step
    assert time_machine_now() > original
    assert _grant_of(w.nurse, case).expires_at > time_machine_now()

    services.escalation_resolve(
        actor=w.nurse, escalation=escalation, outcome=Outcome.ADVICE_GIVEN, notes="Advised."
    )
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.RESOLVED
    assert not _works(w.nurse, case)  # revoked on resolve


def time_machine_now():
    from django.utils import timezone

    return timezone.now()


def test_renewal_is_due_at_half_the_period_and_idempotent(esc_world, time_machine):
    w = esc_world
    time_machine.move_to("2026-03-02 09:00:00+00:00", tick=False)
    case = w.case()
    escalation = _open(w, case)
    period = timedelta(hours=w.nurse_triage.access_hours)
    assert escalation.access_renew_at == escalation.requested_at + period / 2
    before = _grant_of(w.nurse, case).expires_at

    time_machine.move_to(escalation.requested_at + period / 2 - timedelta(minutes=1), tick=False)
    assert timers.renew() == {"escalations": 0, "grants": 0, "failed": 0}
    assert _grant_of(w.nurse, case).expires_at == before

    now = escalation.requested_at + period / 2
    time_machine.move_to(now, tick=False)
    counts = timers.renew()
    assert counts["escalations"] == 1 and counts["grants"] >= 1
    assert _grant_of(w.nurse, case).expires_at == now + period
    assert timers.renew()["escalations"] == 0  # the next one is half a period later
    escalation.refresh_from_db()
    assert escalation.access_renew_at == now + period / 2


def test_a_lapsed_grant_is_renewed_and_nobody_new_is_granted(esc_world, time_machine):
    from guardian.shortcuts import assign_perm

    from accounts.roles import Role
    from tests.factories import UserFactory

    w = esc_world
    time_machine.move_to("2026-03-02 09:00:00+00:00", tick=False)
    case = w.case()
    escalation = _open(w, case)
    newcomer = UserFactory(username="nurse-new")
    newcomer.groups.add(w.groups[Role.CLINICIAN])
    assign_perm("cases.work_queue", newcomer, w.nurse_queue)
    # The timer was down for longer than the access period.
    time_machine.move_to(escalation.requested_at + timedelta(days=30), tick=False)
    assert not _works(w.nurse, case)
    escalation_renew_access(actor=w.agent, escalation=escalation)
    assert _works(w.nurse, case)
    assert not _works(newcomer, case)


def test_a_resolved_escalation_is_not_renewed(esc_world, time_machine):
    w = esc_world
    time_machine.move_to("2026-03-02 09:00:00+00:00", tick=False)
    case = w.case()
    escalation = _open(w, case)
    services.escalation_resolve(
        actor=w.nurse, escalation=escalation, outcome=Outcome.ADVICE_GIVEN, notes="Advised."
    )
    time_machine.move_to(escalation.requested_at + timedelta(days=30), tick=False)
    assert timers.renew()["escalations"] == 0
    assert escalation_renew_access(actor=w.agent, escalation=escalation) == 0
    assert not _works(w.nurse, case)


def test_the_renewal_is_audited(esc_world, time_machine):
    from django.contrib.contenttypes.models import ContentType

    from compliance.models import AuditEntry

    w = esc_world
    time_machine.move_to("2026-03-02 09:00:00+00:00", tick=False)
    case = w.case()
    escalation = _open(w, case)
    grant = _grant_of(w.nurse, case)
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(CaseUserObjectPermission),
        object_pk=str(grant.pk),
    )
    before = entries.count()
    time_machine.move_to(escalation.access_renew_at, tick=False)
    timers.renew()
    assert entries.count() == before + 1
    assert entries.order_by("-pk").first().actor.username == "system"


def test_nothing_to_renew_costs_one_query(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert timers.renew()["escalations"] == 0


def test_who_left_the_recipient_queue_is_not_renewed(esc_world, time_machine):
    from guardian.shortcuts import remove_perm

    w = esc_world
    time_machine.move_to("2026-03-02 09:00:00+00:00", tick=False)
    case = w.case()
    escalation = _open(w, case)
    remove_perm("cases.work_queue", w.nurse, w.nurse_queue)
    time_machine.move_to(escalation.access_renew_at, tick=False)
    before = _grant_of(w.nurse, case).expires_at
    timers.renew()
    assert _grant_of(w.nurse, case).expires_at == before  # lapses as it was
    assert _grant_of(w.nurse2, case).expires_at > before  # still a recipient (by group)
