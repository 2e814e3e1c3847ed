"""The escalation admin: pathways and phrases are the administrators' configuration; escalations
are read-only records, read through restrict() (an escalation of a case one cannot see is a 404).
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.roles import Role, ensure_role_groups
from escalations import services
from escalations.choices import Outcome, PathwayKind, Urgency
from escalations.models import EscalationPathway, RedFlagPhrase
from tests.escalations.conftest import SBAR, _person

pytestmark = pytest.mark.django_db


def _url(model: str, view: str, *args) -> str:
    return reverse(f"admin:escalations_{model}_{view}", args=args)


@pytest.fixture
def escalated(esc_world):
    w = esc_world
    case = w.case()
    escalation = services.escalation_open(
        actor=w.agent, case=case, pathway=w.nurse_triage, urgency=Urgency.URGENT, **SBAR
    )
    return case, escalation


def test_anonymous_is_sent_to_the_login(client, esc_world, escalated):
    _, escalation = escalated
    for url in (
        _url("escalationpathway", "changelist"),
        _url("escalation", "changelist"),
        _url("escalation", "change", escalation.pk),
        _url("redflagphrase", "add"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_role_matrix(client, esc_world, escalated):
    w = esc_world
    _, escalation = escalated
    admin = _person("admin-ari", Role.ADMINISTRATOR, groups=w.groups)
    pages = {
        "pathways": _url("escalationpathway", "changelist"),
        "add pathway": _url("escalationpathway", "add"),
        "phrases": _url("redflagphrase", "changelist"),
        "escalations": _url("escalation", "changelist"),
        "escalation": _url("escalation", "change", escalation.pk),
        "add escalation": _url("escalation", "add"),
    }
    expected = {
        admin: {
            "pathways": 200,
            "add pathway": 200,
            "phrases": 200,
            "escalations": 403,  # configuration, not patients' records
            "escalation": 403,
            "add escalation": 403,
        },
        w.compliance: {
            "pathways": 200,
            "add pathway": 403,
            "phrases": 200,
            "escalations": 200,
            "escalation": 200,
            "add escalation": 403,
        },
        w.nurse: {  # a recipient, through the case grant
            "pathways": 200,
            "add pathway": 403,
            "phrases": 403,
            "escalations": 200,
            "escalation": 200,
            "add escalation": 403,
        },
        w.supervisor: {
            "pathways": 200,
            "add pathway": 403,
            "phrases": 403,
            "escalations": 200,
            "escalation": 200,
            "add escalation": 403,
        },
        w.agent: {  # the case's own queue, but no escalation role permission
            "pathways": 403,
            "add pathway": 403,
            "phrases": 403,
            "escalations": 403,
            "escalation": 403,
            "add escalation": 403,
        },
    }
    got = {}
    for user in expected:
        client.force_login(user)
        got[user] = {name: client.get(url).status_code for name, url in pages.items()}
    assert got == expected


def test_an_escalation_of_a_case_one_cannot_see_is_a_404(client, esc_world, escalated):
    w = esc_world
    _, escalation = escalated
    services.escalation_resolve(actor=w.nurse, escalation=escalation, outcome=Outcome.REFERRED)
    client.force_login(w.nurse)  # the grant ended with the escalation
    assert client.get(_url("escalation", "change", escalation.pk)).status_code == 404
    listed = client.get(_url("escalation", "changelist"))
    assert list(listed.context["cl"].result_list) == []
    outsider = _person("clinician-out", Role.CLINICIAN, groups=w.groups)
    client.force_login(outsider)
    assert client.get(_url("escalation", "change", escalation.pk)).status_code == 404


def test_escalations_are_read_only(client, escalated):
    _, escalation = escalated
    root = get_user_model().objects.create_superuser("root-esc", password="x" * 12)
    # Escalations hold PHI: a superuser reads them through a role (issue 17).
    root.groups.add(ensure_role_groups()[Role.COMPLIANCE_OFFICER])
    client.force_login(root)
    page = client.get(_url("escalation", "change", escalation.pk))
    assert page.status_code == 200
    response = client.post(_url("escalation", "change", escalation.pk), {"situation": "changed"})
    assert response.status_code == 403
    escalation.refresh_from_db()
    assert escalation.situation == SBAR["situation"]
    assert (
        client.post(_url("escalation", "delete", escalation.pk), {"post": "yes"}).status_code == 403
    )


def test_an_administrator_configures_a_pathway_with_phrases(client, esc_world):
    w = esc_world
    admin = _person("admin-ari", Role.ADMINISTRATOR, groups=w.groups)
    client.force_login(admin)
    response = client.post(
        _url("escalationpathway", "add"),
        {
            "name": "Pharmacist on call",
            "kind": PathwayKind.PHARMACIST,
            "recipient_queue": w.nurse_queue.pk,
            "active": "on",
            "acknowledgement_minutes": "45",
            "access_hours": "24",
            "use_default_red_flags": "on",
            "red_flag_phrases-TOTAL_FORMS": "1",
            "red_flag_phrases-INITIAL_FORMS": "0",
            "red_flag_phrases-MIN_NUM_FORMS": "0",
            "red_flag_phrases-MAX_NUM_FORMS": "1000",
            "red_flag_phrases-0-language": "es",
            "red_flag_phrases-0-phrase": "Me tomé todas las pastillas",
            "red_flag_phrases-0-active": "on",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    pathway = EscalationPathway.objects.get(name="Pharmacist on call")
    assert pathway.acknowledgement_minutes == 45
    assert RedFlagPhrase.objects.get(pathway=pathway).phrase == "Me tomé todas las pastillas"
    # Nonsense is refused with the field named, not a 500.
    bad = client.post(
        _url("escalationpathway", "add"),
        {
            "name": "Broken",
            "kind": "astrologer",
            "recipient_queue": "",
            "acknowledgement_minutes": "0",
            "access_hours": "24",
            "red_flag_phrases-TOTAL_FORMS": "0",
            "red_flag_phrases-INITIAL_FORMS": "0",
        },
    )
    assert bad.status_code == 200
    errors = bad.context["adminform"].form.errors
    assert {"kind", "recipient_queue", "acknowledgement_minutes"} <= set(errors)
    assert not EscalationPathway.objects.filter(name="Broken").exists()


def test_the_pathway_list_shows_accuracy(client, esc_world, escalated):
    w = esc_world
    _, escalation = escalated
    services.escalation_resolve(actor=w.nurse, escalation=escalation, outcome=Outcome.REFERRED)
    services.escalation_review(actor=w.supervisor, escalation=escalation, warranted=True)
    client.force_login(get_user_model().objects.create_superuser("root-acc", password="x" * 12))
    page = client.get(_url("escalationpathway", "changelist")).content.decode()
    assert "100.0 % of 1" in page
