"""Acceptance (issue 15): no card number in any stored byte or log line, whatever entry point it
comes through (docs/architecture/pci.md).

One scenario drives every write entry point with card numbers of every brand in every layout —
the partner API's intake with every field (patient names, MRN, e-mail, phone, subject,
description, external reference, the details of every support kind), messages, actions, an
``Idempotency-Key`` holding a card, a query string on a POST, replays and 4xx errors; the
console's forms; the admin's forms; break-the-glass and its review; complaint acknowledgement
and response; escalation handoffs, resolution and review — then reads back EVERY column of EVERY
table the database has (found by introspection, not from the models) and every captured log
record (DEBUG and up), and looks for a Luhn-valid number of 13 to 19 digits with the scanner of
``tests/compliance/card_scanner.py``. None may be there.

Columns not scanned, each machine-made (a random or hashed value in hex or base64 that can hold
13 digits in a row by chance, and that no text of a user ever reaches) —
``tests.compliance.card_data.MACHINE_MADE``.
"""

from __future__ import annotations

import logging
import uuid
from urllib.parse import quote

import pytest
from django.test import Client
from guardian.shortcuts import assign_perm
from rest_framework.test import APIClient

from accounts.models import User
from accounts.roles import Role, ensure_role_groups
from cases.choices import Channel
from cases.models import Case, Category, Patient
from cases.registry import registry
from complaints.services import complaint_acknowledge, complaint_respond
from escalations.choices import PathwayKind
from escalations.models import Escalation, EscalationPathway
from oversight.models import BreakGlassAccess
from tests.compliance.card_data import CARDS, Cards, page_text, scan_database, scan_logs
from tests.compliance.card_scanner import card_numbers_in
from tests.factories import CategoryFactory, PartnerFactory, QueueFactory, UserFactory

pytestmark = pytest.mark.django_db

# --- the world ------------------------------------------------------------------------------------


def _sample_details(kind: str) -> dict:
    import random

    spec = registry.get(kind)
    if spec is None or spec.sample_details is None:
        return {}
    details = spec.sample_details(random.Random(7), "en")
    return {
        name: value.isoformat() if hasattr(value, "isoformat") else value
        for name, value in details.items()
    }


def _text_detail_fields(kind: str) -> list[str]:
    from django.db import models

    spec = registry.get(kind)
    if spec is None or spec.detail_model is None:
        return []
    model = spec.detail_model
    return [
        name
        for name in model.input_fields()
        if isinstance(model._meta.get_field(name), models.CharField | models.TextField)
        and not model._meta.get_field(name).choices
    ]


@pytest.fixture
def world(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"pci-{uuid.uuid4().hex}",
        }
    }
    groups = ensure_role_groups()
    queue = QueueFactory(name="PCI queue", slug="pci-queue")
    nurse_queue = QueueFactory(name="PCI nurses", slug="pci-nurses")
    organisation = PartnerFactory(name="PCI partner", slug="pci-partner")
    categories = {}
    for spec in registry:
        category = CategoryFactory(
            name=f"PCI {spec.label}", slug=f"pci-{spec.slug}", kind=spec.slug, default_queue=queue
        )
        categories[spec.slug] = category
        if hasattr(organisation, "allowed_categories"):
            organisation.allowed_categories.add(category)
    partner = UserFactory(
        username="pci-partner-system",
        is_staff=False,
        kind=User.Kind.SERVICE,
        organisation=organisation,
    )
    partner.groups.add(groups[Role.PARTNER_SYSTEM])
    agent = UserFactory(username="pci-agent")
    agent.groups.add(groups[Role.AGENT])
    assign_perm("cases.work_queue", agent, queue)
    supervisor = UserFactory(username="pci-supervisor")
    supervisor.groups.add(groups[Role.SUPERVISOR])
    assign_perm("cases.supervise_queue", supervisor, queue)
    assign_perm("cases.supervise_queue", supervisor, nurse_queue)
    nurse = UserFactory(username="pci-nurse")
    nurse.groups.add(groups[Role.AGENT])
    assign_perm("cases.work_queue", nurse, nurse_queue)
    outsider = UserFactory(username="pci-outsider")
    outsider.groups.add(groups[Role.CLINICIAN])  # a role that may break the glass
    officer = UserFactory(username="pci-officer")
    officer.groups.add(groups[Role.COMPLIANCE_OFFICER])
    root = UserFactory(username="pci-root", is_superuser=True, is_staff=True)
    # The admin's patient and case forms need roles (issue 17: a superuser's flag alone reaches
    # no patient data): Supervisor of the queue to work, Compliance officer to read every record
    # (a patient added without a case included), as the suite's ``admin_user``.
    root.groups.add(groups[Role.SUPERVISOR], groups[Role.COMPLIANCE_OFFICER])
    assign_perm("cases.supervise_queue", root, queue)
    pathway = EscalationPathway.objects.create(
        name="PCI nurse triage",
        kind=PathwayKind.NURSE_TRIAGE,
        recipient_queue=nurse_queue,
        acknowledgement_minutes=30,
        use_default_red_flags=False,
    )
    return {
        "categories": categories,
        "partner": partner,
        "agent": agent,
        "supervisor": supervisor,
        "nurse": nurse,
        "outsider": outsider,
        "officer": officer,
        "root": root,
        "pathway": pathway,
        "queue": queue,
    }


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def patient(n: int, card: Cards, **overrides) -> dict:
    return {
        "mrn": f"PCI{n:06d}",
        "given_name": card("Ana "),
        "family_name": card("Prueba-"),
        "date_of_birth": "1980-02-03",
        "phone": f"+1202555{n % 10000:04d}",
        "email": f"pci{n}@example.org",
        **overrides,
    }


def assert_refused(response, *fields: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()["error"]
    assert set(fields) <= set(body["fields"]), body
    assert not card_numbers_in(response.content.decode()), body


# --- the scenario ---------------------------------------------------------------------------------


def drive_every_entry_point(world, caplog) -> dict:
    card = Cards()
    partner = api(world["partner"])
    agent_api = api(world["agent"])
    opened = []

    # Intake through the API: every field of every kind, with an Idempotency-Key and replayed.
    for n, (kind, category) in enumerate(sorted(world["categories"].items()), start=1):
        details = _sample_details(kind)
        text_fields = _text_detail_fields(kind)
        carded = {**details, **{name: card("ref ") for name in text_fields}}
        body = {
            "patient": patient(n, card),
            "category": category.slug,
            "subject": card("Pago ", " hoy"),
            "description": card("Patient read out ", ", exp 12/28."),
            "external_reference": f"EXT-{n}",
            "details": carded,
        }
        key = str(uuid.uuid4())
        response = partner.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        if response.status_code == 400:
            # Identifier fields among the details (member id, referral id …) refuse card numbers:
            # the refusal names them, without the value; the rest is stored masked.
            refused = {path.removeprefix("details.") for path in response.json()["error"]["fields"]}
            assert refused and refused <= set(text_fields), response.json()
            assert not card_numbers_in(response.content.decode())
            body["details"] = {
                **details,
                **{name: card("ref ") for name in text_fields if name not in refused},
            }
            key = str(uuid.uuid4())
            response = partner.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert response.status_code == 201, response.content
        replay = partner.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
        assert replay.json() == response.json()
        opened.append(Case.objects.get(reference=response.json()["reference"]))

    category = world["categories"]["general_information"]
    base = {
        "category": category.slug,
        "subject": "Hours",
        "description": "Opening hours.",
    }
    # Identifiers that must stay exact: refused with a 400 naming the field, never stored.
    for n, (overrides, field) in enumerate(
        [
            ({"mrn": card()}, "patient.mrn"),
            ({"email": card("", "@example.org").replace(" ", "")}, "patient.email"),
            ({"phone": card("+1 ")}, "patient.phone"),
        ],
        start=100,
    ):
        body = {**base, "patient": patient(n, card, **overrides)}
        response = partner.post(
            "/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
        )
        assert_refused(response, field)
    response = partner.post(
        "/api/v1/cases/",
        {**base, "patient": patient(110, card), "external_reference": card()},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert_refused(response, "external_reference")

    # DRF's messages echo what they refuse; the error body is redacted.
    echoed = partner.post(
        "/api/v1/cases/",
        {**base, "patient": patient(111, card, preferred_language=card()), card(): "x"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert echoed.status_code == 400
    assert not card_numbers_in(echoed.content.decode())
    # An Idempotency-Key holding a card: refused, not stored.
    keyed = partner.post(
        "/api/v1/cases/",
        {**base, "patient": patient(112, card)},
        format="json",
        HTTP_IDEMPOTENCY_KEY="order-4111-1111-1111-1111",
    )
    assert keyed.status_code == 400
    assert not card_numbers_in(keyed.content.decode())
    # A query string on a POST: refused (400 unknown_field, before any idempotency key is
    # claimed, so nothing of it is stored), the same again, and its values never echoed.
    path = "/api/v1/cases/?ref=" + quote(card(), safe="") + "&pan=4111+1111+1111+1111"
    body = {**base, "patient": patient(113, card)}
    key = str(uuid.uuid4())
    first = partner.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 400, first.content
    assert not card_numbers_in(first.content.decode())
    again = partner.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 400
    # The same key on the request without the query string: a replayable intake.
    first = partner.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201, first.content
    again = partner.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"

    # Messages and actions on a case, through the API.
    case = opened[0]
    url = f"/api/v1/cases/{case.reference}/"
    assert (
        partner.post(url + "messages/", {"body": card("Mi tarjeta ")}, format="json").status_code
        == 201
    )
    reply = agent_api.post(url + "messages/", {"body": card("We charged ")}, format="json")
    assert reply.status_code == 201
    note = agent_api.post(
        url + "messages/",
        {"body": card("Note: ", " cvv 321"), "visibility": "internal"},
        format="json",
    )
    assert note.status_code == 201
    assert agent_api.post(url + "claim/", {}, format="json").status_code == 200
    moved = agent_api.post(
        url + "transition/",
        {"to_status": "in_progress", "reason": card("Refund to ")},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert moved.status_code == 200, moved.content
    bad_status = agent_api.post(url + "transition/", {"to_status": card()}, format="json")
    assert bad_status.status_code == 400
    assert not card_numbers_in(bad_status.content.decode())

    # The console's forms.
    console = browser(world["agent"])
    second = opened[1]
    page = f"/console/cases/{second.reference}/"
    assert console.post(page + "claim/").status_code in (200, 302)
    assert console.post(page + "reply/", {"body": card("Pagado con ")}).status_code in (200, 302)
    assert console.post(page + "note/", {"body": card("", " exp 01/29")}).status_code in (200, 302)
    transition = console.post(
        page + "transition/", {"to_status": "in_progress", "reason": card("Motivo ")}
    )
    assert transition.status_code in (200, 302)
    refused_form = console.post(page + "transition/", {"to_status": card(), "reason": card()})
    assert refused_form.status_code == 400
    assert not card_numbers_in(page_text(refused_form))  # the form is shown again, masked
    escalate = console.post(
        page + "escalate/",
        {
            "pathway": world["pathway"].pk,
            "urgency": "urgent",
            "reason": card("Paid ")[:120],
            "situation": card("Situation "),
            "background": card("Background "),
            "assessment": card("Assessment "),
            "recommendation": card("Recommendation "),
        },
    )
    assert escalate.status_code == 302, escalate.content[:2000]
    escalation = Escalation.objects.get(case=second)
    nurse = browser(world["nurse"])
    ack = nurse.post(f"/console/escalations/{escalation.pk}/acknowledge/")
    assert ack.status_code in (200, 302)
    resolved = nurse.post(
        f"/console/escalations/{escalation.pk}/resolve/",
        {"outcome": "advice_given", "notes": card("Notes ")},
    )
    assert resolved.status_code in (200, 302)
    reviewed = browser(world["supervisor"]).post(
        f"/console/escalations/{escalation.pk}/review/",
        {"warranted": "no", "notes": card("Feedback ")},
    )
    assert reviewed.status_code in (200, 302)

    # Break-the-glass and its review.
    outsider = browser(world["outsider"])
    granted = outsider.post(
        "/access/emergency/",
        {"reference": opened[2].reference, "reason": card("Caller gave card ", " for billing")},
    )
    assert granted.status_code == 302, granted.content[:2000]
    too_short = outsider.post("/access/emergency/", {"reference": card(), "reason": card()})
    assert too_short.status_code == 400
    assert not card_numbers_in(page_text(too_short))
    access = BreakGlassAccess.objects.get(user=world["outsider"])
    review = browser(world["officer"]).post(
        f"/compliance/break-glass/{access.pk}/",
        {"outcome": "inappropriate", "notes": card("Read aloud ")},
    )
    assert review.status_code in (200, 302)

    # Complaints: acknowledgement and response (services; their actions are another part).
    complaint = next(c for c in opened if c.category.kind == "complaints")
    complaint_acknowledge(actor=world["agent"], case=complaint)
    complaint_respond(
        actor=world["agent"], case=complaint, outcome="not_upheld", summary=card("Refunded ")
    )

    # The admin's forms: a patient added and changed, a case opened; an MRN refused.
    admin = browser(world["root"])
    added = admin.post(
        "/admin/cases/patient/add/",
        {
            "mrn": "PCI-ADMIN-1",
            "given_name": card("Adm "),
            "family_name": card("Min "),
            "date_of_birth": "1975-05-06",
            "phone": "",
            "email": "",
            "preferred_contact_channel": "phone",
            "preferred_language": "en",
        },
    )
    assert added.status_code == 302, added.content[:3000]
    refused_mrn = admin.post(
        "/admin/cases/patient/add/",
        {
            "mrn": card(),
            "given_name": "Refused",
            "family_name": "Mrn",
            "date_of_birth": "1975-05-06",
            "preferred_contact_channel": "phone",
            "preferred_language": "en",
        },
    )
    assert refused_mrn.status_code == 200
    assert "payment card number" in refused_mrn.content.decode()
    assert not card_numbers_in(page_text(refused_mrn))
    assert not Patient.objects.filter(given_name="Refused").exists()
    admin_patient = Patient.objects.get(mrn="PCI-ADMIN-1")
    changed = admin.post(
        f"/admin/cases/patient/{admin_patient.pk}/change/",
        {
            "mrn": "PCI-ADMIN-1",
            "given_name": card("Changed "),
            "family_name": "Min",
            "date_of_birth": "1975-05-06",
            "phone": "",
            "email": "",
            "preferred_contact_channel": "phone",
            "preferred_language": "en",
        },
    )
    assert changed.status_code == 302, changed.content[:3000]
    intake = admin.post(
        "/admin/cases/case/add/",
        {
            "patient": admin_patient.pk,
            "category": category.pk,
            "channel": Channel.VOICE,
            "subject": card("Admin ")[:200],
            "description": card("Admin intake "),
            "details": "",
        },
    )
    assert intake.status_code == 302, intake.content[:3000]
    return {"cards": card.used}


def test_no_card_number_is_stored_or_logged_whatever_the_entry_point(world, caplog):
    caplog.set_level(logging.DEBUG)
    used = drive_every_entry_point(world, caplog)["cards"]
    assert used >= len(CARDS) * 4  # every brand, in many layouts

    found, read = scan_database()
    assert found == [], "\n".join(f"{t}.{c}: {v!r}" for t, c, v in found)
    assert scan_logs(caplog) == []

    # The scan read what the scenario wrote: rows, their history, the trail, the idempotency
    # records, the timeline; and the cards did reach them, masked.
    for table in (
        "cases_patient",
        "cases_historicalpatient",
        "cases_case",
        "cases_historicalcase",
        "cases_caseevent",
        "compliance_auditentry",
        "api_idempotencyrecord",
        "escalations_escalation",
        "compliance_breakglassaccess",
        "django_admin_log",
    ):
        assert read.get(table), table
    masked = Case.objects.filter(subject__contains="***").count()
    assert masked >= len(list(registry)), masked
    assert Patient.objects.filter(given_name__contains="***").count() >= len(list(registry))
    assert not Category.objects.filter(slug__contains="*").exists()


def test_the_scan_finds_a_field_left_unredacted(world, monkeypatch, caplog):
    """The acceptance test can fail: with one field taken out of the boundary (the patient's
    given name, which no service redacts itself), the scan finds the card in the row, its
    history and the audit trail's copy... except the trail, which redacts on its own."""
    from compliance import boundary

    monkeypatch.setitem(
        boundary.EXEMPT_FIELDS, ("cases.Patient", "given_name"), "deliberately left out"
    )
    monkeypatch.setattr(boundary, "_PLANS", {})
    response = api(world["partner"]).post(
        "/api/v1/cases/",
        {
            "category": world["categories"]["general_information"].slug,
            "subject": "Hours",
            "description": "Opening hours.",
            "patient": patient(1, Cards(), given_name="Ana 4111 1111 1111 1111"),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    found, _read = scan_database()
    assert {(table, column) for table, column, _value in found} >= {
        ("cases_patient", "given_name"),
        ("cases_historicalpatient", "given_name"),
    }
    assert not [f for f in found if f[0] == "compliance_auditentry"]
