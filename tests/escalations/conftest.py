"""A small hospital for escalation tests: an intake queue and its agents, and clinical queues
whose members receive escalations (synthetic people only)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm

from accounts.roles import Role, ensure_role_groups
from escalations.choices import PathwayKind
from escalations.models import EscalationPathway
from tests.factories import CategoryFactory, QueueFactory, UserFactory, make_case


def _person(username: str, *roles: str, groups: dict) -> object:
    user = UserFactory(username=username, first_name=username.title(), last_name="Tester")
    user.groups.add(*(groups[role] for role in roles))
    return user


@pytest.fixture
def esc_world(db):
    groups = ensure_role_groups()
    w = SimpleNamespace(groups=groups)
    w.intake = QueueFactory(name="Front desk", slug="front-desk")
    w.other_queue = QueueFactory(name="Billing desk", slug="billing-desk")
    w.category = CategoryFactory(name="General question", slug="general-q", default_queue=w.intake)
    w.nurse_queue = QueueFactory(name="Nurse line", slug="nurse-line")
    w.manager_queue = QueueFactory(name="Care managers", slug="care-managers")
    w.bh_queue = QueueFactory(name="Behavioral health line", slug="bh-line")

    w.agent = _person("agent-ana", Role.AGENT, groups=groups)
    w.agent2 = _person("agent-ben", Role.AGENT, groups=groups)
    w.outsider = _person("agent-omar", Role.AGENT, groups=groups)  # works another queue
    w.supervisor = _person("super-sue", Role.SUPERVISOR, groups=groups)
    w.nurse = _person("nurse-nia", Role.CLINICIAN, groups=groups)
    w.nurse2 = _person("nurse-ned", Role.CLINICIAN, groups=groups)  # through a queue team
    w.manager = _person("manager-mo", Role.CLINICIAN, groups=groups)
    w.counsellor = _person("counsellor-cy", Role.CLINICIAN, groups=groups)
    w.compliance = _person("compliance-co", Role.COMPLIANCE_OFFICER, groups=groups)
    w.no_role = UserFactory(username="member-no-role")  # a queue member without a support role

    for user in (w.agent, w.agent2):
        assign_perm("cases.work_queue", user, w.intake)
    assign_perm("cases.work_queue", w.outsider, w.other_queue)
    assign_perm("cases.supervise_queue", w.supervisor, w.intake)
    assign_perm("cases.work_queue", w.nurse, w.nurse_queue)
    team = Group.objects.create(name="Night nurses")
    w.nurse2.groups.add(team)
    assign_perm("cases.work_queue", team, w.nurse_queue)
    assign_perm("cases.work_queue", w.no_role, w.nurse_queue)
    assign_perm("cases.work_queue", w.manager, w.manager_queue)
    assign_perm("cases.work_queue", w.counsellor, w.bh_queue)

    w.care_manager = EscalationPathway.objects.create(
        name="Care management",
        kind=PathwayKind.CARE_MANAGER,
        recipient_queue=w.manager_queue,
        acknowledgement_minutes=60,
    )
    w.nurse_triage = EscalationPathway.objects.create(
        name="Nurse triage",
        kind=PathwayKind.NURSE_TRIAGE,
        recipient_queue=w.nurse_queue,
        acknowledgement_minutes=30,
        fallback=w.care_manager,
    )
    w.behavioral = EscalationPathway.objects.create(
        name="Behavioral health",
        kind=PathwayKind.BEHAVIORAL_HEALTH,
        recipient_queue=w.bh_queue,
        acknowledgement_minutes=15,
    )

    def case(**overrides):
        overrides.setdefault("category", w.category)
        overrides.setdefault("actor", w.agent)
        return make_case(**overrides)

    w.case = case
    return w


SBAR = {
    "reason": "Dizziness after a new prescription",
    "situation": "The patient reports dizziness since starting a new tablet two days ago.",
    "background": "Synthetic test patient; no known allergies on file.",
    "assessment": "Not an emergency by the patient's account; needs a nurse's judgement.",
    "recommendation": "A nurse calls the patient back today.",
}
