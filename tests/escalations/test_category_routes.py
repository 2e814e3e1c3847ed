"""Category rules live in their category apps: each registers ``escalation_route`` with
``cases.registry`` and ``escalations.detection`` asks the registry, knowing no category."""

from __future__ import annotations

import dataclasses
import pathlib

import pytest

from cases.registry import EscalationRoute, registry
from complaints.models import Complaint
from escalations.choices import PathwayKind, Source, Urgency
from escalations.models import Escalation
from prescription_refills.models import RefillRequest, RequestType
from tests.factories import CategoryFactory


def test_the_registered_routes_name_escalations_choices():
    refill = registry.get("refills").escalation_route(
        None,
        RefillRequest(request_type=RequestType.SIDE_EFFECT, medication="m", clinical_question=True),
    )
    privacy = registry.get("complaints").escalation_route(
        None, Complaint(complaint_type=Complaint.ComplaintType.PRIVACY)
    )
    for route in (refill, privacy):
        assert route.pathway_kind in PathwayKind.values
        assert route.urgency in Urgency.values
        assert route.source in Source.values
    assert (refill.pathway_kind, refill.urgency) == (PathwayKind.PHARMACIST, Urgency.URGENT)
    assert privacy.pathway_kind == PathwayKind.PRIVACY_OFFICER
    assert (
        registry.get("complaints").escalation_route(
            None, Complaint(complaint_type=Complaint.ComplaintType.BILLING)
        )
        is None
    )


def test_detection_names_no_category():
    source = (pathlib.Path(__file__).resolve().parents[2] / "escalations/detection.py").read_text()
    for rule in (
        "REFILLS_KIND",
        "COMPLAINTS_KIND",
        '"refills"',
        '"complaints"',
        "complaint_type",
        "clinical_question",
        "request_type",
    ):
        assert rule not in source, rule


@pytest.fixture
def rerouted_complaints():
    """The complaints kind, its rule replaced by one that sends every billing complaint to the
    care managers (as another deployment's category app might register)."""
    original = registry.get("complaints")

    def route(case, detail):
        if detail.complaint_type != Complaint.ComplaintType.BILLING:
            return None
        return EscalationRoute(
            pathway_kind=PathwayKind.CARE_MANAGER,
            urgency=Urgency.URGENT,
            source=Source.PRIVACY_COMPLAINT,
            reason="Billing complaint",
            situation="s",
            assessment="a",
            recommendation="r",
        )

    registry.unregister("complaints")
    registry.register(dataclasses.replace(original, escalation_route=route))
    yield
    registry.unregister("complaints")
    registry.register(original)


def test_detection_follows_whatever_the_kind_registered(esc_world, rerouted_complaints):
    w = esc_world
    category = CategoryFactory(
        name="Complaints", slug="complaints-y", kind="complaints", default_queue=w.intake
    )
    case = w.case(
        category=category,
        description="I was charged twice.",
        details={"complaint_type": "billing", "severity": "moderate"},
    )
    escalation = Escalation.objects.get(case=case)
    assert (escalation.pathway, escalation.urgency, escalation.reason) == (
        w.care_manager,
        Urgency.URGENT,
        "Billing complaint",
    )
