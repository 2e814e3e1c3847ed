"""The PCI boundary (``compliance.boundary``), the audit trail's redaction, the log record factory
(``compliance.logs``) and the echo middleware, one rule at a time. The end-to-end proof is
tests/compliance/test_no_card_data_stored.py."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from api.models import IdempotencyRecord
from cases.models import Patient
from compliance import boundary
from compliance.models import AuditEntry
from compliance.verify import verify_chain
from tests.compliance.card_scanner import card_numbers_in
from tests.factories import UserFactory, make_patient

pytestmark = pytest.mark.django_db

VISA = "4111 1111 1111 1111"


def test_the_boundary_covers_every_model_but_the_trail_and_sessions():
    covered = {model._meta.label for model in boundary.protected_models()}
    for label in (
        "cases.Patient",
        "cases.HistoricalPatient",
        "cases.Case",
        "cases.HistoricalCase",
        "cases.CaseEvent",
        "api.IdempotencyRecord",
        "escalations.Escalation",
        "admin.LogEntry",
        "accounts.User",
    ):
        assert label in covered, label
    assert "compliance.AuditEntry" not in covered  # redacted where it is sealed
    assert "sessions.Session" not in covered


def test_the_named_fields_exist():
    """A renamed field must not silently leave the exempt or the exact list."""
    for label, name in [*boundary.EXEMPT_FIELDS, *boundary.EXACT_FIELDS, *boundary.OWN_REFUSAL]:
        try:
            model = apps.get_model(label)
        except LookupError:
            assert label.startswith("knox."), label  # knox's own model may be absent
            continue
        model._meta.get_field(name)


def test_free_text_saved_directly_is_masked(actor):
    patient = make_patient(actor)
    patient.given_name = f"Ana {VISA}"
    patient.save()  # not through a service: the boundary still sees it
    patient.refresh_from_db()
    assert patient.given_name == "Ana 411111******1111"
    history = patient.history.values_list("given_name", flat=True)
    assert not [name for name in history if card_numbers_in(name)]


def test_only_the_saved_fields_are_looked_at(actor):
    patient = make_patient(actor)
    patient.given_name = f"Ana {VISA}"
    patient.save(update_fields=["family_name"])  # given_name is not written
    patient.refresh_from_db()
    assert patient.given_name == "Testy"


def test_an_exact_field_refuses_a_card_number_at_validation_and_at_save(actor):
    patient = Patient(
        mrn="4111-1111-1111-1111",
        given_name="Ana",
        family_name="Prueba",
        date_of_birth=datetime.date(1980, 1, 1),
    )
    with pytest.raises(ValidationError) as refused:
        patient.full_clean()
    assert [error.code for error in refused.value.error_dict["mrn"]] == ["card_number"]
    assert not card_numbers_in(str(refused.value.message_dict))
    with pytest.raises(boundary.CardDataRefused) as raised:
        patient.save()
    assert set(raised.value.error_dict) == {"mrn"}
    assert not Patient.objects.filter(given_name="Ana").exists()


def test_an_e_mail_address_is_exact_too():
    patient = Patient(
        given_name="Ana",
        family_name="Prueba",
        date_of_birth=datetime.date(1980, 1, 1),
        email="4111111111111111@example.org",
    )
    with pytest.raises(ValidationError) as refused:
        patient.full_clean()
    assert "card_number" in [error.code for error in refused.value.error_dict["email"]]


def test_the_guard_refuses_text_of_a_field_the_plan_does_not_redact(actor, monkeypatch):
    """A field of a type the boundary does not know is only checked: a card there refuses the
    save, so a new field cannot forget."""
    patient = make_patient(actor)
    plan = boundary._plan_for(Patient)
    moved = next(pair for pair in plan.text if pair[1] == "given_name")
    monkeypatch.setattr(plan, "text", [pair for pair in plan.text if pair != moved])
    monkeypatch.setattr(plan, "other", [*plan.other, moved])
    patient.given_name = f"Ana {VISA}"
    with pytest.raises(boundary.CardDataRefused):
        patient.save()
    patient.given_name = "Ana"
    patient.save()


def test_json_values_are_masked_at_any_depth_keys_too(actor):
    now = datetime.datetime.now(tz=datetime.UTC)
    record = IdempotencyRecord.objects.create(
        user=actor,
        key="k-1",
        method="POST",
        path=f"/api/v1/cases/?ref={VISA.replace(' ', '%20')}",
        fingerprint="0" * 64,
        created_at=now,
        expires_at=now + datetime.timedelta(days=1),
        response_status=400,
        response_body={"error": {"fields": {VISA: [{"message": f'"{VISA}" is bad'}]}}},
    )
    record.refresh_from_db()
    assert record.path == "/api/v1/cases/?ref=411111******1111"
    assert not card_numbers_in(str(record.response_body))
    assert "411111******1111" in str(record.response_body)


def test_machine_made_values_are_left_alone(actor):
    user = UserFactory(username="pci-hash")
    user.password = "pbkdf2_sha256$1$4111111111111111$4111111111111111"
    user.save()
    user.refresh_from_db()
    assert user.password.endswith("$4111111111111111")


def test_billing_account_numbers_keep_their_own_message_and_gain_the_window_rule():
    from billing_inquiries.models import BillingInquiry

    field = BillingInquiry._meta.get_field("account_number")
    for value, expected in [
        ("ACCT-4111111111111111", ["card_number"]),  # billing's own check
        ("1-2-3-4-5-6-7-8-9-0-1-2345678901", ["card_number"]),  # a card window: the boundary
        ("1-1-1-1-1-1-1-1-1-1-1-1111111111", []),
    ]:
        try:
            field.run_validators(value)
            codes = []
        except ValidationError as error:
            codes = [item.code for item in error.error_list]
        assert codes == expected, value


def test_audit_entries_are_redacted_before_they_are_hashed(actor, seal_audit):
    entry = AuditEntry(
        content_type=ContentType.objects.get_for_model(Patient),
        object_pk="1",
        object_repr=f"Prueba, Ana {VISA}",
        action=AuditEntry.Action.UPDATE,
        changes={"given_name": ["Ana", f"Ana {VISA}"]},
        additional_data={"note": {VISA: VISA}},
        actor=actor,
    )
    entry.save()
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.object_repr == "Prueba, Ana 411111******1111"
    assert not card_numbers_in(str(stored.changes) + str(stored.additional_data))
    seal_audit()
    report = verify_chain()
    assert report.intact  # the hash covers what is stored
    assert AuditEntry.objects.get(pk=entry.pk).entry_hash is not None


def test_every_log_record_is_redacted_whoever_logs_it(caplog):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("some.library").debug("paid with %s", VISA)
    logging.getLogger("django.request").warning("Bad Request: /x?card=%s", "4111+1111+1111+1111")
    logging.getLogger("patientcare").info("card %d", 4111111111111111)
    try:
        raise ValueError(f"cannot parse {VISA}")
    except ValueError:
        logging.getLogger("some.library").exception("failed")
    messages = [record.getMessage() for record in caplog.records]
    assert messages[0] == "paid with 411111******1111"
    assert messages[2] == "card 411111******1111"
    assert not card_numbers_in(" ".join(messages))
    assert not card_numbers_in(caplog.text)
    assert "ValueError" in caplog.text


def test_a_broken_log_format_is_left_to_logging(caplog):
    caplog.set_level(logging.INFO)
    record = logging.getLogger("x").makeRecord("x", logging.INFO, "f", 1, "%d", ("a",), None)
    assert record.msg == "%d"  # not formatted, not raised


def test_refused_console_form_and_4xx_bodies_do_not_echo(client, actor):
    from accounts.roles import Role, ensure_role_groups

    nurse = UserFactory(username="pci-nurse", is_staff=True)
    nurse.groups.add(ensure_role_groups()[Role.CLINICIAN])  # may break the glass
    client.force_login(nurse)
    response = client.post(
        "/access/emergency/", {"reference": VISA, "reason": f"short {VISA}"}, follow=False
    )
    assert response.status_code == 400
    assert VISA not in response.content.decode()
    assert not card_numbers_in(response.content.decode().split("<svg")[0])


def test_a_patient_with_a_card_in_the_name_is_matched_again_by_mrn(intake_agent, category):
    """The intake compares the name as it is stored (masked): a second intake of the same
    patient matches them instead of refusing a 'different' name (an agent: intake matches a
    person to the patients they may look up)."""
    actor = intake_agent
    from cases.choices import Channel
    from cases.services import case_open

    patient = {
        "mrn": "PCI-MATCH-1",
        "given_name": f"Ana {VISA}",
        "family_name": "Prueba",
        "date_of_birth": datetime.date(1980, 1, 1),
    }
    first = case_open(
        actor=actor,
        patient=dict(patient),
        category=category,
        subject="a",
        description="b",
        channel=Channel.CHAT,
    )
    second = case_open(
        actor=actor,
        patient=dict(patient),
        category=category,
        subject="a",
        description="b",
        channel=Channel.CHAT,
    )
    assert first.patient_id == second.patient_id
    assert Patient.objects.get(pk=first.patient_id).given_name == "Ana 411111******1111"
