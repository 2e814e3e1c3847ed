"""Escalation accuracy per pathway (``escalations.metrics``): exact figures over several
pathways — one whose reviews are mixed, one with none reviewed, one all warranted — in one
query, narrowed by period and by the read path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from escalations import services
from escalations.choices import Outcome, Urgency
from escalations.metrics import accuracy_by_pathway, percentage
from escalations.models import Escalation
from tests.escalations.conftest import SBAR

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def _at(minutes: float):
    return time_machine.travel(T0 + timedelta(minutes=minutes), tick=False)


def _escalate(w, pathway, *, opened: float, urgency=Urgency.URGENT, actor=None):
    with _at(opened):
        case = w.case()
        return services.escalation_open(
            actor=actor or w.agent, case=case, pathway=pathway, urgency=urgency, **SBAR
        )


def _acknowledge(escalation, actor, *, at: float):
    with _at(at):
        services.escalation_acknowledge(actor=actor, escalation=escalation)


def _resolve(escalation, actor, *, at: float, outcome=Outcome.ADVICE_GIVEN):
    with _at(at):
        services.escalation_resolve(actor=actor, escalation=escalation, outcome=outcome)


def _review(w, escalation, warranted: bool, *, at: float):
    with _at(at):
        services.escalation_review(
            actor=w.supervisor,
            escalation=escalation,
            warranted=warranted,
            notes="" if warranted else "The agent could have answered this from the leaflet.",
        )


@pytest.fixture
def history(esc_world):
    """Nurse triage: 4 escalations, 3 resolved and reviewed (2 warranted), 1 open; acknowledged
    after 10, 20 and 30 minutes. Care management: 2, one resolved, none reviewed; acknowledged
    after 5 and 8 minutes. Behavioral health: 1, resolved and warranted, acknowledged after 15."""
    w = esc_world
    nurse = [_escalate(w, w.nurse_triage, opened=n) for n in range(4)]
    for escalation, minutes in zip(nurse[:3], (10, 20, 30), strict=True):
        _resolve(escalation, w.nurse, at=float(nurse.index(escalation) + minutes))
    for escalation, warranted in zip(nurse[:3], (True, True, False), strict=True):
        _review(w, escalation, warranted, at=100)

    care = [_escalate(w, w.care_manager, opened=n) for n in (10, 11)]
    _acknowledge(care[0], w.manager, at=10 + 5)
    _resolve(care[0], w.manager, at=40, outcome=Outcome.APPOINTMENT)
    _acknowledge(care[1], w.manager, at=11 + 8)

    behavioral = _escalate(w, w.behavioral, opened=20, urgency=Urgency.EMERGENT)
    _resolve(behavioral, w.counsellor, at=35, outcome=Outcome.CRISIS_LINE)
    _review(w, behavioral, True, at=100)
    w.escalations = {"nurse": nurse, "care": care, "behavioral": behavioral}
    return w


def _by_name(rows):
    return {row["pathway"]: row for row in rows}


def test_accuracy_per_pathway_exact_figures(history, django_assert_num_queries):
    w = history
    with django_assert_num_queries(1):
        rows = accuracy_by_pathway()
    assert [row["pathway"] for row in rows] == [
        "Behavioral health",
        "Care management",
        "Nurse triage",
    ]
    figures = _by_name(rows)
    assert figures["Nurse triage"] == {
        "pathway_id": w.nurse_triage.pk,
        "pathway": "Nurse triage",
        "kind": "nurse_triage",
        "escalations": 4,
        "resolved": 3,
        "reviewed": 3,
        "warranted": 2,
        "not_warranted": 1,
        "accuracy": 66.7,
        "mean_minutes_to_acknowledge": 20.0,
    }
    assert figures["Care management"] == {
        "pathway_id": w.care_manager.pk,
        "pathway": "Care management",
        "kind": "care_manager",
        "escalations": 2,
        "resolved": 1,
        "reviewed": 0,
        "warranted": 0,
        "not_warranted": 0,
        "accuracy": None,  # nothing reviewed: no figure, not 0 %
        "mean_minutes_to_acknowledge": 6.5,
    }
    assert figures["Behavioral health"] == {
        "pathway_id": w.behavioral.pk,
        "pathway": "Behavioral health",
        "kind": "behavioral_health",
        "escalations": 1,
        "resolved": 1,
        "reviewed": 1,
        "warranted": 1,
        "not_warranted": 0,
        "accuracy": 100.0,
        "mean_minutes_to_acknowledge": 15.0,
    }


def test_the_query_count_does_not_grow_with_pathways_or_escalations(
    history, django_assert_num_queries
):
    w = history
    for n in range(3):
        _escalate(w, w.nurse_triage, opened=200 + n)
    with django_assert_num_queries(1):
        rows = accuracy_by_pathway()
    assert _by_name(rows)["Nurse triage"]["escalations"] == 7
    assert _by_name(rows)["Nurse triage"]["accuracy"] == 66.7  # the new ones are not reviewed


def test_since_counts_escalations_requested_from_then_on(history):
    rows = _by_name(accuracy_by_pathway(since=T0 + timedelta(minutes=2)))
    # Nurse triage: the escalations opened at minutes 2 (reviewed, not warranted) and 3 (open).
    nurse = rows["Nurse triage"]
    assert (nurse["escalations"], nurse["reviewed"], nurse["warranted"]) == (2, 1, 0)
    assert nurse["accuracy"] == 0.0
    assert nurse["mean_minutes_to_acknowledge"] == 30.0
    assert rows["Care management"]["escalations"] == 2
    assert rows["Behavioral health"]["accuracy"] == 100.0
    assert accuracy_by_pathway(since=T0 + timedelta(days=1)) == []


def test_a_queryset_narrows_the_figures(history):
    """E.g. the read path: the escalations of the cases a supervisor supervises; or one
    pathway's escalations only."""
    w = history
    supervised = Escalation.objects.restrict(w.supervisor, "supervise")
    assert len(accuracy_by_pathway(supervised)) == 3
    assert accuracy_by_pathway(Escalation.objects.restrict(w.outsider, "supervise")) == []
    only_nurse = accuracy_by_pathway(Escalation.objects.filter(pathway=w.nurse_triage))
    assert [row["pathway"] for row in only_nurse] == ["Nurse triage"]
    assert only_nurse[0]["accuracy"] == 66.7


def test_no_escalations_no_rows(esc_world):
    assert accuracy_by_pathway() == []


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (2, 3, 66.7),
        (1, 3, 33.3),
        (1, 16, 6.3),  # halves round up (not to even, not binary-float 6.25 → 6.2)
        (1, 8, 12.5),
        (0, 4, 0.0),
        (4, 4, 100.0),
        (0, 0, None),
        (3, 0, None),
    ],
)
def test_percentage(part, whole, expected):
    assert percentage(part, whole) == expected
