import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Patient
from tests.factories import make_patient, patient_fields

pytestmark = pytest.mark.django_db


def test_patient_create_normalises_phone_to_e164(actor):
    patient = services.patient_create(actor=actor, **patient_fields(1, phone="(202) 555-0142"))
    patient.refresh_from_db()
    assert str(patient.phone) == "+12025550142"


def test_patient_create_blank_mrn_is_stored_as_null(actor):
    first = services.patient_create(actor=actor, **patient_fields(2, mrn="  "))
    second = services.patient_create(actor=actor, **patient_fields(3, mrn=""))
    assert first.mrn is None and second.mrn is None


def test_patient_create_refuses_a_duplicate_mrn(actor):
    make_patient(actor, mrn="DUP1")
    with pytest.raises(ValidationError) as raised:
        services.patient_create(actor=actor, **patient_fields(4, mrn="DUP1"))
    assert "mrn" in raised.value.error_dict


def test_sms_consent_needs_a_phone(actor):
    with pytest.raises(ValidationError) as raised:
        services.patient_create(actor=actor, **patient_fields(5, phone="", sms_consent=True))
    assert raised.value.error_dict["sms_consent"][0].code == "no_phone"


def test_patient_update_changes_only_given_fields(actor):
    patient = make_patient(actor)
    updated = services.patient_update(
        actor=actor, patient=patient, interpreter_needed=True, preferred_language="es"
    )
    assert updated.interpreter_needed and updated.preferred_language == "es"
    assert Patient.objects.get(pk=patient.pk).family_name == patient.family_name


def test_patient_update_refuses_unknown_and_invalid(actor):
    patient = make_patient(actor)
    with pytest.raises(ValidationError) as raised:
        services.patient_update(actor=actor, patient=patient, favourite_colour="blue")
    assert raised.value.error_dict["favourite_colour"][0].code == "unknown_field"
    with pytest.raises(ValidationError):
        services.patient_update(actor=actor, patient=patient, email="not-an-email")
    assert Patient.objects.get(pk=patient.pk).email == patient.email


def test_match_without_mrn_needs_name_dob_and_a_contact(intake_agent):
    actor = intake_agent
    patient = make_patient(actor, mrn=None)
    data = {
        "given_name": patient.given_name.lower(),
        "family_name": patient.family_name.upper(),
        "date_of_birth": patient.date_of_birth,
        "phone": str(patient.phone),
    }
    assert services.patient_match_or_create(actor=actor, data=data) == patient
    # same name and birth date but no shared contact: a new unverified patient, not a guess
    unrelated = services.patient_match_or_create(
        actor=actor, data={**data, "phone": "+12025550177", "email": "x@example.org"}
    )
    assert unrelated != patient and unrelated.mrn is None


def test_match_without_mrn_never_guesses_between_two(intake_agent):
    actor = intake_agent
    twin_a = make_patient(actor, mrn=None, given_name="Sam", family_name="Twin")
    twin_b = make_patient(
        actor,
        mrn=None,
        given_name="Sam",
        family_name="Twin",
        date_of_birth=twin_a.date_of_birth,
        phone=str(twin_a.phone),
    )
    found = services.patient_match_or_create(
        actor=actor,
        data={
            "given_name": "Sam",
            "family_name": "Twin",
            "date_of_birth": twin_a.date_of_birth,
            "phone": str(twin_a.phone),
        },
    )
    assert found not in (twin_a, twin_b)


def test_match_with_new_mrn_creates(actor):
    created = services.patient_match_or_create(actor=actor, data=patient_fields(99))
    assert created.pk and created.mrn == "TEST000099"
    assert created.date_of_birth == patient_fields(99)["date_of_birth"]


def test_matching_follows_who_may_look_the_patient_up(actor, intake_agent):
    """The system account matches everyone; an agent the patients they may look up; a person
    without a support role nobody — the stranger's record is flagged, never returned."""
    from accounts.services import system_user
    from cases.models import Reconciliation

    patient = make_patient(actor)
    data = {
        "mrn": patient.mrn,
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "date_of_birth": patient.date_of_birth,
    }
    assert services.patient_match_or_create(actor=system_user(), data=data) == patient
    assert services.patient_match_or_create(actor=intake_agent, data=data) == patient
    flagged = services.patient_match_or_create(actor=actor, data=data)
    assert flagged != patient and flagged.mrn is None and flagged.submitted_mrn == patient.mrn
    assert flagged.reconciliation == Reconciliation.PENDING and flagged.reconcile_with == patient
    assert flagged.intake_mrn == patient.mrn
