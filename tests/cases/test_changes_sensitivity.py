"""``cases.changes.case_set_sensitivity`` and ``patient_set_sensitivity``: who may (set_sensitivity
and sight of the case; others 404 or 403), the reason, what people without the sensitive-records
permission see afterwards, the timeline, the audit entry with the actor, and the announcement."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from cases import services
from cases.changes import case_set_sensitivity, patient_set_sensitivity
from cases.choices import EventKind, Status
from cases.events import CaseEventName, queue_group
from cases.models import Case, CaseEvent, Patient, Sensitivity
from compliance.models import AuditEntry
from tests.cases.changes_world import ChangesWorld

pytestmark = pytest.mark.django_db

CARD = "4111 1111 1111 1111"


@pytest.fixture
def world():
    return ChangesWorld()


def _code(raised) -> tuple[str, str]:
    ((field, errors),) = raised.value.error_dict.items()
    return field, errors[0].code


def _visible(user, case) -> bool:
    return Case.objects.restrict(user, "view").filter(pk=case.pk).exists()


def test_a_supervisor_marks_a_case_sensitive_and_agents_lose_sight_at_once(world):
    case = world.case()
    assert _visible(world.agent, case)
    changed = case_set_sensitivity(
        actor=world.supervisor,
        case=case,
        sensitivity=Sensitivity.SUBSTANCE_USE,
        reason="Patient is in a Part 2 program.",
    )
    assert changed.sensitivity == Sensitivity.SUBSTANCE_USE
    assert Case.objects.get(pk=case.pk).sensitivity == Sensitivity.SUBSTANCE_USE
    assert not _visible(world.fresh(world.agent), case)
    assert _visible(world.fresh(world.cleared), case)
    event = CaseEvent.objects.get(case=case, kind=EventKind.SENSITIVITY_CHANGED)
    assert event.actor == world.supervisor
    assert event.old_value == "Not sensitive"
    assert event.new_value == "Substance-use treatment (42 CFR Part 2)"
    assert event.body == "Patient is in a Part 2 program."


def test_the_compliance_officer_clears_it_and_agents_see_it_again(world):
    case = world.case()
    case_set_sensitivity(
        actor=world.compliance, case=case, sensitivity=Sensitivity.HIV, reason="Clinical note"
    )
    assert not _visible(world.fresh(world.agent), case)
    case_set_sensitivity(
        actor=world.compliance, case=case, sensitivity="", reason="Recorded in error."
    )
    assert _visible(world.fresh(world.agent), case)
    kinds = list(
        CaseEvent.objects.filter(case=case, kind=EventKind.SENSITIVITY_CHANGED).values_list(
            "new_value", flat=True
        )
    )
    assert kinds == ["HIV", "Not sensitive"]


def test_clearing_needs_sight_of_the_sensitive_case(world):
    """A supervisor without the clearance may mark a case sensitive but then no longer sees
    it: clearing it is a 404 for them, as for anyone who may not see it."""
    case = world.case()
    case_set_sensitivity(
        actor=world.supervisor, case=case, sensitivity=Sensitivity.OTHER, reason="Protect"
    )
    with pytest.raises(Http404):
        case_set_sensitivity(
            actor=world.fresh(world.supervisor), case=case, sensitivity="", reason="Undo"
        )
    case_set_sensitivity(
        actor=world.cleared_supervisor, case=case, sensitivity="", reason="Not Part 2."
    )
    assert Case.objects.get(pk=case.pk).sensitivity == ""


@pytest.mark.parametrize("who", ["outsider", "agent_b"])
def test_those_who_may_not_see_the_case_get_404(world, who):
    case = world.case()
    with pytest.raises(Http404):
        case_set_sensitivity(
            actor=getattr(world, who), case=case, sensitivity=Sensitivity.HIV, reason="x"
        )
    assert Case.objects.get(pk=case.pk).sensitivity == ""


def test_those_who_see_it_without_the_permission_are_refused(world):
    case = world.case()
    for user in (world.agent, world.cleared):
        with pytest.raises(PermissionDenied):
            case_set_sensitivity(
                actor=user, case=case, sensitivity=Sensitivity.HIV, reason="Because"
            )
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.SENSITIVITY_CHANGED).exists()


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_reason_is_required(world, reason):
    case = world.case()
    with pytest.raises(ValidationError) as raised:
        case_set_sensitivity(
            actor=world.supervisor, case=case, sensitivity=Sensitivity.HIV, reason=reason
        )
    assert _code(raised) == ("reason", "blank")
    assert Case.objects.get(pk=case.pk).sensitivity == ""


@pytest.mark.parametrize("value", ["secret", "HIV", None, 3])
def test_an_unknown_sensitivity_is_refused(world, value):
    case = world.case()
    with pytest.raises(ValidationError) as raised:
        case_set_sensitivity(actor=world.supervisor, case=case, sensitivity=value, reason="x")
    assert _code(raised) == ("sensitivity", "invalid_choice")


def test_a_long_reason_is_refused_and_card_data_in_it_is_masked(world):
    case = world.case()
    with pytest.raises(ValidationError) as raised:
        case_set_sensitivity(
            actor=world.supervisor, case=case, sensitivity=Sensitivity.HIV, reason="x" * 2001
        )
    assert _code(raised) == ("reason", "max_length")
    case_set_sensitivity(
        actor=world.supervisor,
        case=case,
        sensitivity=Sensitivity.HIV,
        reason=f"Patient read out card {CARD} by mistake",
    )
    body = CaseEvent.objects.get(case=case, kind=EventKind.SENSITIVITY_CHANGED).body
    assert "4111 1111 1111 1111" not in body and "1111" in body


def test_the_same_value_again_writes_nothing(world):
    case = world.case()
    case_set_sensitivity(actor=world.supervisor, case=case, sensitivity=Sensitivity.HIV, reason="x")
    versions = Case.history.filter(id=case.pk).count()
    case_set_sensitivity(
        actor=world.cleared_supervisor, case=case, sensitivity=Sensitivity.HIV, reason="again"
    )
    assert Case.history.filter(id=case.pk).count() == versions
    assert CaseEvent.objects.filter(case=case, kind=EventKind.SENSITIVITY_CHANGED).count() == 1


def test_an_assignee_without_clearance_is_unassigned(world):
    case = world.case()
    services.case_claim(actor=world.agent, case=case)
    case_set_sensitivity(
        actor=world.supervisor, case=case, sensitivity=Sensitivity.BEHAVIORAL_HEALTH, reason="x"
    )
    case.refresh_from_db()
    assert case.assigned_to_id is None
    unassigned = CaseEvent.objects.get(case=case, kind=EventKind.UNASSIGNED)
    assert unassigned.actor == world.supervisor


def test_a_closed_case_may_be_marked_and_keeps_its_assignee(world):
    case = world.case()
    services.case_claim(actor=world.agent, case=case)
    for status in (Status.RESOLVED, Status.CLOSED):
        case = services.case_transition(actor=world.agent, case=case, to_status=status)
    case_set_sensitivity(
        actor=world.supervisor, case=case, sensitivity=Sensitivity.HIV, reason="Late finding"
    )
    case.refresh_from_db()
    assert (case.sensitivity, case.assigned_to_id) == (Sensitivity.HIV, world.agent.pk)
    assert not _visible(world.fresh(world.agent), case)


def test_a_cleared_assignee_keeps_the_case(world):
    case = world.case()
    services.case_claim(actor=world.cleared, case=case)
    case_set_sensitivity(
        actor=world.supervisor, case=case, sensitivity=Sensitivity.BEHAVIORAL_HEALTH, reason="x"
    )
    case.refresh_from_db()
    assert case.assigned_to_id == world.cleared.pk


def test_the_change_is_audited_with_its_actor(world):
    case = world.case()
    head = AuditEntry.objects.order_by("-id").values_list("id", flat=True)[0]
    case_set_sensitivity(actor=world.supervisor, case=case, sensitivity=Sensitivity.HIV, reason="x")
    entry = AuditEntry.objects.get(
        id__gt=head,
        content_type__model="case",
        object_pk=str(case.pk),
        action=AuditEntry.Action.UPDATE,
    )
    assert entry.actor_id == world.supervisor.pk
    assert "sensitivity" in entry.changes_dict
    history = Case.history.filter(id=case.pk).latest("history_date")
    assert history.sensitivity == Sensitivity.HIV and history.history_user_id == world.supervisor.pk


def test_the_case_is_announced_as_sensitive(world, listener, django_capture_on_commit_callbacks):
    case = world.case()
    listener.join(queue_group(world.queue_a.pk))
    with django_capture_on_commit_callbacks(execute=True):
        case_set_sensitivity(
            actor=world.supervisor, case=case, sensitivity=Sensitivity.HIV, reason="x"
        )
    (message,) = listener.receive_all()
    assert message["event"] == CaseEventName.SENSITIVITY_CHANGED
    assert message["case_id"] == case.pk
    assert message["sensitive"] is True
    assert "x" not in {str(value) for value in message.values()}  # no reason, no PHI


def test_nothing_is_announced_when_nothing_changes(
    world, listener, django_capture_on_commit_callbacks
):
    case = world.case()
    listener.join(queue_group(world.queue_a.pk))
    with django_capture_on_commit_callbacks(execute=True):
        case_set_sensitivity(actor=world.supervisor, case=case, sensitivity="", reason="x")
    assert listener.receive_all() == []


# --- the patient ---------------------------------------------------------------------------------


def test_a_sensitive_patient_makes_all_their_cases_sensitive(
    world, listener, django_capture_on_commit_callbacks
):
    first = world.case()
    second = world.case(queue=world.queue_b, patient=first.patient)
    services.case_claim(actor=world.agent, case=first)
    listener.join(queue_group(world.queue_a.pk))
    listener.join(queue_group(world.queue_b.pk))
    with django_capture_on_commit_callbacks(execute=True):
        patient = patient_set_sensitivity(
            actor=world.supervisor,
            patient=first.patient,
            sensitivity=Sensitivity.SUBSTANCE_USE,
            reason="Enrolled in a Part 2 program.",
        )
    assert Patient.objects.get(pk=patient.pk).sensitivity == Sensitivity.SUBSTANCE_USE
    for case in (first, second):
        assert not _visible(world.fresh(world.agent_ab), case)
        event = CaseEvent.objects.get(case=case, kind=EventKind.SENSITIVITY_CHANGED)
        assert event.new_value == "Patient: Substance-use treatment (42 CFR Part 2)"
        assert event.actor == world.supervisor
    assert Case.objects.get(pk=first.pk).assigned_to_id is None
    events = [message["event"] for message in listener.receive_all()]
    assert events.count(CaseEventName.SENSITIVITY_CHANGED) == 2


def test_the_patient_needs_the_permission_and_sight(world):
    case = world.case()
    with pytest.raises(Http404):
        patient_set_sensitivity(
            actor=world.outsider, patient=case.patient, sensitivity=Sensitivity.HIV, reason="x"
        )
    with pytest.raises(PermissionDenied):
        patient_set_sensitivity(
            actor=world.agent, patient=case.patient, sensitivity=Sensitivity.HIV, reason="x"
        )
    with pytest.raises(ValidationError):
        patient_set_sensitivity(
            actor=world.supervisor, patient=case.patient, sensitivity=Sensitivity.HIV, reason=""
        )
    assert Patient.objects.get(pk=case.patient_id).sensitivity == ""
