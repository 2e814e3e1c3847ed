"""Automatic escalation: red flags in a new case or a patient's message, a refill with a clinical
question, a privacy complaint — each opened inside the service's own transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from accounts.models import User
from accounts.services import system_user
from cases import services as case_services
from cases.choices import EventKind, Priority, Status
from cases.models import Case
from escalations.choices import EscalationStatus, Language, PathwayKind, Source, Urgency
from escalations.detection import _compiled
from escalations.models import Escalation, EscalationPathway, RedFlagPhrase
from tests.factories import CategoryFactory, QueueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_matcher():
    _compiled.cache_clear()
    yield
    _compiled.cache_clear()


def test_a_red_flag_in_a_new_case_opens_an_emergent_escalation(esc_world):
    w = esc_world
    case = w.case(subject="Question", description="Since this morning I have CHEST-PAIN!!")
    escalation = Escalation.objects.get(case=case)
    assert (escalation.pathway, escalation.urgency, escalation.source) == (
        w.nurse_triage,
        Urgency.EMERGENT,
        Source.RED_FLAG,
    )
    assert escalation.requested_by.kind == User.Kind.SYSTEM
    assert escalation.red_flags == [
        {
            "concept": "cardiac",
            "label": "Chest pain / heart attack",
            "phrase": "chest pain",
            "words": ["chest", "pain"],
            "language": "en",
            "negated": False,
            "typo": False,
            "across_messages": False,
        }
    ]
    assert "Chest pain / heart attack (“chest pain”)" in escalation.situation
    assert "911" in escalation.recommendation and "988" in escalation.recommendation
    # The instance case_open returns carries the raised priority (it is announced next).
    assert case.priority == Priority.URGENT
    assert Case.objects.get(pk=case.pk).priority == Priority.URGENT
    assert Case.objects.restrict(w.nurse, "work").filter(pk=case.pk).exists()


def test_a_patient_message_in_spanish_reaches_behavioral_health(esc_world):
    w = esc_world
    case = w.case()
    assert not Escalation.objects.exists()
    case_services.case_receive_message(
        actor=w.agent, case=case, body="Ya no puedo más, QUIERO MORIR."
    )
    escalation = Escalation.objects.get(case=case)
    assert escalation.pathway == w.behavioral and escalation.urgency == Urgency.EMERGENT
    assert escalation.red_flags[0]["language"] == "es"
    assert "a message from the patient" in escalation.reason


def test_a_negated_red_flag_still_escalates_and_says_so(esc_world):
    w = esc_world
    case = w.case(description="No chest pain, just a question about my bill.")
    escalation = Escalation.objects.get(case=case)
    assert escalation.red_flags[0]["negated"] is True
    assert "may have denied" in escalation.situation


def test_staff_replies_and_notes_are_not_scanned(esc_world):
    w = esc_world
    case = w.case()
    case_services.case_add_note(
        actor=w.agent, case=case, body="Asked about chest pain: none.", visibility="internal"
    )
    case_services.case_add_note(
        actor=w.agent, case=case, body="If you have chest pain call 911.", visibility="patient"
    )
    assert not Escalation.objects.exists()


def test_a_second_message_does_not_page_twice(esc_world):
    w = esc_world
    case = w.case(description="chest pain")
    case_services.case_receive_message(actor=w.agent, case=case, body="still chest pain")
    assert Escalation.objects.filter(case=case).count() == 1
    # Once resolved, a new red flag opens a new one.
    from escalations.choices import Outcome
    from escalations.services import escalation_resolve

    escalation_resolve(
        actor=w.nurse,
        escalation=Escalation.objects.get(case=case),
        outcome=Outcome.ADVICE_GIVEN,
    )
    case_services.case_receive_message(actor=w.agent, case=case, body="chest pain again")
    assert Escalation.objects.filter(case=case).unresolved().count() == 1


def test_two_kinds_of_red_flag_open_two_escalations(esc_world):
    w = esc_world
    case = w.case(description="I overdosed on purpose, I want to kill myself")
    pathways = set(Escalation.objects.filter(case=case).values_list("pathway__name", flat=True))
    assert pathways == {"Nurse triage", "Behavioral health"}


def test_configured_phrases_count_and_can_replace_the_defaults(esc_world):
    w = esc_world
    RedFlagPhrase.objects.create(
        pathway=w.care_manager, language=Language.ENGLISH, phrase="Lost my insulin"
    )
    case = w.case(description="I lost my insulin pump on the bus")
    assert Escalation.objects.get(case=case).pathway == w.care_manager

    w.nurse_triage.use_default_red_flags = False
    w.nurse_triage.save()
    quiet = w.case(description="chest pain")
    assert not Escalation.objects.filter(case=quiet).exists()


def test_a_red_flag_nobody_takes_is_never_silent(esc_world):
    w = esc_world
    EscalationPathway.objects.filter(kind=PathwayKind.NURSE_TRIAGE).update(active=False)
    case = w.case(description="can't breathe")
    assert not Escalation.objects.exists()
    assert Case.objects.get(pk=case.pk).priority == Priority.URGENT
    raised = case.events.get(kind=EventKind.PRIORITY_CHANGED)  # every change of a case, recorded
    assert (raised.old_value, raised.new_value) == ("Normal", "Urgent")
    assert raised.body == "Raised for a red flag no pathway takes."
    event = case.events.get(kind=EventKind.RED_FLAG_UNROUTED)
    assert "no active Nurse triage escalation pathway" in event.body
    assert event.new_value == "Nurse triage"


def test_the_escalation_rolls_back_with_the_message(esc_world):
    w = esc_world
    case = w.case()
    with pytest.raises(RuntimeError), transaction.atomic():
        case_services.case_receive_message(actor=w.agent, case=case, body="sobredosis")
        raise RuntimeError("the caller fails after the message")
    assert not Escalation.objects.exists()


def test_a_closed_case_is_not_escalated(esc_world):
    w = esc_world
    case = w.case()
    for status in (Status.RESOLVED, Status.CLOSED):
        case = case_services.case_transition(actor=w.agent, case=case, to_status=status)
    from escalations.services import escalate_automatically

    result = escalate_automatically(
        actor=system_user(),
        case=case,
        pathway=w.nurse_triage,
        urgency=Urgency.EMERGENT,
        source=Source.RED_FLAG,
        reason="test",
        sbar={"situation": "s", "background": "", "assessment": "", "recommendation": "r"},
    )
    assert result is None


# --- category rules -----------------------------------------------------------------------------


@pytest.fixture
def pharmacist(esc_world):
    queue = QueueFactory(name="Pharmacy line", slug="pharmacy-line")
    return EscalationPathway.objects.create(
        name="Pharmacist",
        kind=PathwayKind.PHARMACIST,
        recipient_queue=queue,
        acknowledgement_minutes=120,
    )


@pytest.mark.parametrize(
    ("request_type", "clinical", "urgency"),
    [
        ("side_effect", True, Urgency.URGENT),
        ("refill", True, Urgency.ROUTINE),
        ("refill", False, None),
    ],
)
def test_a_refill_with_a_clinical_question_goes_to_the_pharmacist(
    esc_world, pharmacist, request_type, clinical, urgency
):
    w = esc_world
    category = CategoryFactory(
        name="Refills", slug="refills-x", kind="refills", default_queue=w.intake
    )
    case = w.case(
        category=category,
        description="Is it safe to take with my other tablets?",
        details={
            "request_type": request_type,
            "medication": "metformin",
            "strength": "500 mg",
            "clinical_question": clinical,
        },
    )
    found = Escalation.objects.filter(case=case)
    if urgency is None:
        assert not found.exists()
        return
    escalation = found.get()
    assert (escalation.pathway, escalation.urgency, escalation.source) == (
        pharmacist,
        urgency,
        Source.CLINICAL_REFILL,
    )
    assert "metformin" in escalation.situation


def test_a_privacy_complaint_goes_to_the_privacy_officer(esc_world):
    w = esc_world
    officer = EscalationPathway.objects.create(
        name="Privacy office",
        kind=PathwayKind.PRIVACY_OFFICER,
        recipient_queue=QueueFactory(name="Privacy", slug="privacy"),
        acknowledgement_minutes=24 * 60,
    )
    category = CategoryFactory(
        name="Complaints", slug="complaints-x", kind="complaints", default_queue=w.intake
    )
    case = w.case(
        category=category,
        description="Someone at the front desk read my results aloud.",
        details={"complaint_type": "privacy", "severity": "moderate", "formal_grievance": True},
    )
    escalation = Escalation.objects.get(case=case)
    assert (escalation.pathway, escalation.source, escalation.status) == (
        officer,
        Source.PRIVACY_COMPLAINT,
        EscalationStatus.OPEN,
    )


# --- the case's recent inbound texts, read together ---------------------------------------------


def test_a_flag_split_over_two_messages_escalates_once(esc_world):
    w = esc_world
    case = w.case(subject="Question", description="Hi, it is about my chest")
    assert not Escalation.objects.exists()
    case_services.case_receive_message(actor=w.agent, case=case, body="it hurts so much now")
    escalation = Escalation.objects.get(case=case)
    assert escalation.pathway == w.nurse_triage and escalation.urgency == Urgency.EMERGENT
    assert escalation.red_flags[0]["words"] == ["chest", "hurts"]
    assert escalation.red_flags[0]["across_messages"] is True
    assert "spans more than one message" in escalation.situation
    # More words about it: the unresolved escalation covers the case, nothing new opens.
    case_services.case_receive_message(actor=w.agent, case=case, body="still hurting, help")
    case_services.case_receive_message(actor=w.agent, case=case, body="my chest!!")
    assert Escalation.objects.filter(case=case).count() == 1


def test_earlier_words_do_not_reopen_a_resolved_flag(esc_world):
    from escalations.choices import Outcome
    from escalations.services import escalation_resolve

    w = esc_world
    case = w.case(description="chest pain since this morning")
    escalation_resolve(
        actor=w.nurse, escalation=Escalation.objects.get(case=case), outcome=Outcome.ADVICE_GIVEN
    )
    case_services.case_receive_message(actor=w.agent, case=case, body="thanks, the pain is gone")
    assert Escalation.objects.filter(case=case).unresolved().count() == 0
    case_services.case_receive_message(actor=w.agent, case=case, body="chest pain is back")
    assert Escalation.objects.filter(case=case).unresolved().count() == 1


def test_two_spanish_messages(esc_world):
    w = esc_world
    case = w.case()
    case_services.case_receive_message(actor=w.agent, case=case, body="ya no aguanto, quiero")
    assert not Escalation.objects.exists()
    case_services.case_receive_message(actor=w.agent, case=case, body="quitarme la vida")
    assert Escalation.objects.get(case=case).pathway == w.behavioral


def test_the_look_back_is_24_hours(esc_world, settings):
    import datetime

    import time_machine
    from django.utils import timezone

    # The rules' look-back: the learned second opinion is off here, because since round 13 is
    # in its training files it flags "Question / about my chest" on its own (cardiac, 70 %), a
    # text a clinician may well want read; its own reading of earlier messages is tested in
    # test_redflags_learned.py.
    settings.RED_FLAG_MODEL = False
    w = esc_world
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        case = w.case(subject="Question", description="about my chest")
    with time_machine.travel(start + datetime.timedelta(hours=25), tick=False):
        case_services.case_receive_message(actor=w.agent, case=case, body="it hurts a lot")
    assert not Escalation.objects.exists()
    with time_machine.travel(start + datetime.timedelta(hours=26), tick=False):
        case_services.case_receive_message(actor=w.agent, case=case, body="in the chest")
    assert Escalation.objects.filter(case=case).count() == 1


def test_the_look_back_is_one_query_whatever_the_history(esc_world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = esc_world
    few = w.case()
    many = w.case()
    for number in range(12):
        case_services.case_receive_message(actor=w.agent, case=many, body=f"question {number}")
    counts = []
    for case in (few, many):
        with CaptureQueriesContext(connection) as queries:
            case_services.case_receive_message(actor=w.agent, case=case, body="one more question")
        counts.append(len(queries.captured_queries))
        looked_back = [q for q in queries.captured_queries if "cases_caseevent" in q["sql"]]
        assert sum(q["sql"].lstrip().upper().startswith("SELECT") for q in looked_back) == 1
    assert counts[0] == counts[1]


def test_a_concept_found_by_typo_and_lookalike_letters_escalates(esc_world):
    w = esc_world
    case = w.case(description="I have a siezure again, my son is \u0441onvulsing")
    escalation = Escalation.objects.get(case=case)
    assert escalation.red_flags[0]["concept"] == "seizure_unconscious"
    assert "spelling slip" in escalation.situation
