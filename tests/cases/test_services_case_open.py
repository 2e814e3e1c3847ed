import re

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from cases import services
from cases.choices import Channel, EventKind, Language, Priority, Status, Visibility
from cases.models import Case, CaseEvent, Patient
from tests.factories import (
    CategoryFactory,
    PartnerFactory,
    QueueFactory,
    make_patient,
    patient_fields,
)

pytestmark = pytest.mark.django_db


def _open(actor, category, **overrides):
    arguments = {
        "actor": actor,
        "category": category,
        "subject": "Statement question",
        "description": "A charge on my statement is unclear.",
        "channel": Channel.VOICE,
    }
    arguments.update(overrides)
    if "patient" not in arguments:
        arguments["patient"] = make_patient(actor)
    return services.case_open(**arguments)


def test_opens_a_case_routed_to_the_category_default(actor, category):
    category.default_priority = Priority.HIGH
    category.save()
    case = _open(actor, category)

    case.refresh_from_db()
    assert re.fullmatch(r"PC-\d{4}-\d{6}", case.reference)
    assert case.status == Status.NEW
    assert case.queue == category.default_queue
    assert case.priority == Priority.HIGH
    assert case.language == Language.ENGLISH
    assert case.created_by == actor
    assert case.assigned_to is None
    assert case.closed_at is None and case.resolved_at is None


def test_writes_the_opened_event_with_the_actor(actor, category):
    case = _open(actor, category)
    events = list(case.events.all())
    assert len(events) == 1
    opened = events[0]
    assert opened.kind == EventKind.OPENED
    assert opened.actor == actor
    assert opened.visibility == Visibility.INTERNAL
    assert opened.new_value == Status.NEW
    assert category.default_queue.name in opened.body


def test_explicit_queue_priority_and_language_win(actor, category):
    spanish = QueueFactory(name="Soporte", slug="soporte", languages=["es", "en"])
    case = _open(
        actor, category, queue=spanish, priority=Priority.URGENT, language=Language.SPANISH
    )
    assert (case.queue, case.priority, case.language) == (spanish, Priority.URGENT, "es")
    assert "queue chosen at intake" in case.events.get().body


def test_language_defaults_to_the_patients_preference(actor, category):
    patient = make_patient(actor, preferred_language=Language.SPANISH)
    case = _open(actor, category, patient=patient)
    assert case.language == Language.SPANISH


def test_references_are_unique_and_increasing(actor, category):
    references = [_open(actor, category).reference for _ in range(5)]
    numbers = [int(reference.rsplit("-", 1)[1]) for reference in references]
    assert len(set(references)) == 5
    assert numbers == sorted(numbers)


def test_a_rolled_back_number_is_never_reused_on_postgresql(actor, category, vendor):
    first = _open(actor, category)
    with pytest.raises(RuntimeError), transaction.atomic():
        _open(actor, category)
        raise RuntimeError("simulated failure after numbering")
    later = _open(actor, category)
    gap = int(later.reference[-6:]) - int(first.reference[-6:])
    # A sequence never gives a number back; the SQLite counter rolls back with the case, which is
    # equally safe because the rolled-back case never existed.
    assert gap == (2 if vendor == "postgresql" else 1)


def test_patient_fields_create_a_new_patient(actor, category):
    data = patient_fields(501)
    case = _open(actor, category, patient=data)
    assert case.patient.mrn == data["mrn"]
    assert Patient.objects.filter(mrn=data["mrn"]).count() == 1


def test_patient_fields_match_an_existing_patient_by_mrn(intake_agent, category):
    actor = intake_agent
    patient = make_patient(actor)
    data = {
        "mrn": patient.mrn,
        "given_name": patient.given_name.upper(),
        "family_name": patient.family_name,
        "date_of_birth": patient.date_of_birth,
    }
    case = _open(actor, category, patient=data)
    assert case.patient == patient
    assert Patient.objects.count() == 1


def test_a_mrn_with_a_different_person_is_refused_and_nothing_is_written(intake_agent, category):
    # Staff who may see the patient anyway keep the refusal (partners never get it:
    # tests/api/test_partner_oracle.py).
    actor = intake_agent
    patient = make_patient(actor)
    data = {
        "mrn": patient.mrn,
        "given_name": "Someone",
        "family_name": "Else",
        "date_of_birth": patient.date_of_birth,
    }
    with pytest.raises(ValidationError) as raised:
        _open(actor, category, patient=data)
    assert raised.value.error_dict["patient.mrn"][0].code == "patient_mismatch"
    assert "Someone" not in str(raised.value)  # no patient data in the error
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_invalid_patient_fields_name_the_field(actor, category):
    with pytest.raises(ValidationError) as raised:
        _open(actor, category, patient=patient_fields(7, phone="12345", date_of_birth="not a date"))
    assert set(raised.value.error_dict) >= {"patient.phone", "patient.date_of_birth"}
    assert Case.objects.count() == 0 and Patient.objects.count() == 0


def test_unknown_patient_fields_are_refused(actor, category):
    with pytest.raises(ValidationError) as raised:
        _open(actor, category, patient=patient_fields(8, ssn="000-00-0000"))
    assert raised.value.error_dict["patient.ssn"][0].code == "unknown_field"


def test_blank_subject_and_description_are_refused(actor, category):
    with pytest.raises(ValidationError) as raised:
        _open(actor, category, subject="   ", description="")
    assert set(raised.value.error_dict) == {"subject", "description"}
    assert Case.objects.count() == 0


def test_overlong_subject_is_refused(actor, category):
    with pytest.raises(ValidationError) as raised:
        _open(actor, category, subject="x" * 201)
    assert "subject" in raised.value.error_dict


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"channel": "fax"}, "channel", "invalid_choice"),
        ({"priority": 99}, "priority", "invalid_choice"),
        ({"language": "xx"}, "language", "invalid_choice"),
    ],
)
def test_invalid_choices_are_refused(actor, category, overrides, field, code):
    with pytest.raises(ValidationError) as raised:
        _open(actor, category, **overrides)
    assert raised.value.error_dict[field][0].code == code
    assert Case.objects.count() == 0


def test_inactive_category_is_refused(actor, category):
    category.active = False
    category.save()
    with pytest.raises(ValidationError) as raised:
        _open(actor, category)
    assert raised.value.error_dict["category"][0].code == "category_inactive"


def test_inactive_queue_is_refused(actor, category):
    closed_queue = QueueFactory(active=False)
    with pytest.raises(ValidationError) as raised:
        _open(actor, category, queue=closed_queue)
    assert raised.value.error_dict["queue"][0].code == "queue_inactive"


def test_deactivated_actor_is_refused(actor, category):
    actor.is_active = False
    actor.save()
    with pytest.raises(ValidationError) as raised:
        _open(actor, category)
    assert raised.value.error_dict["actor"][0].code == "inactive_actor"


def test_an_actor_is_mandatory(category, actor):
    patient = make_patient(actor)
    with pytest.raises(TypeError):
        services.case_open(
            actor=None,
            patient=patient,
            category=category,
            subject="s",
            description="d",
            channel=Channel.SMS,
        )


def test_partner_external_reference_is_unique_per_organisation(actor, category):
    partner, other = PartnerFactory(), PartnerFactory()
    _open(actor, category, source_organisation=partner, external_reference="EXT-1")
    _open(actor, category, source_organisation=other, external_reference="EXT-1")
    with pytest.raises(ValidationError) as raised:
        _open(actor, category, source_organisation=partner, external_reference="EXT-1")
    assert raised.value.error_dict["external_reference"][0].code == "duplicate_external_reference"
    assert Case.objects.count() == 2


def test_category_of_another_kind_routes_to_its_own_queue(actor):
    pharmacy = QueueFactory(name="Pharmacy", slug="pharmacy")
    wayfinding = CategoryFactory(kind="general_information", default_queue=pharmacy)
    assert _open(actor, wayfinding).queue == pharmacy


def test_a_calendar_without_hours_never_refuses_an_intake(actor, category, caplog):
    from cases.models import BusinessCalendar, SlaPolicy

    empty = BusinessCalendar.objects.create(name="Forgot the hours")
    policy = SlaPolicy.objects.create(
        name="Broken", calendar=empty, first_response_minutes=60, resolution_minutes=600
    )
    case = _open(actor, category)
    assert case.sla_policy == policy
    assert case.first_response_due_at is None and case.resolution_due_at is None
    assert "has no business hours" in caplog.text
    assert case.patient.family_name not in caplog.text
