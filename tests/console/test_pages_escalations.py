"""Escalations in the console (``console.views.escalations``): the emergency banner on the case
page and alone, the case's escalations and their actions, the escalate form, the recipients'
view, the supervisors' review with the accuracy per pathway.

Who may do what (every page and endpoint x every role), bad input (always a clear 4xx, never a
500, never a half-written escalation) and the pages' query counts, which do not grow with the
number of escalations."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client
from django.urls import reverse
from guardian.shortcuts import assign_perm

from accounts.roles import Role, ensure_role_groups
from accounts.services import system_user
from cases import services as case_services
from cases.choices import Status
from cases.models import CaseEvent
from compliance.models import AuditEntry
from escalations import services
from escalations.choices import EscalationStatus, Outcome, PathwayKind, Source, Urgency
from escalations.models import Escalation, EscalationPathway
from tests.console.pages_world import (  # noqa: F401
    assert_login_redirect,
    case_url,
    login,
    page_text,
    world_fixture,
)
from tests.factories import QueueFactory, UserFactory, make_case

pytestmark = pytest.mark.django_db

ESCALATIONS = reverse("console:escalations")
REVIEW = reverse("console:escalations-review")
SCRIPT_911 = (
    "If the patient may be in danger now: tell them to call 911 (or call 911 for them) and stay "
    "on the line."
)
SCRIPT_988 = (
    "Thoughts of suicide or self-harm: 988 Suicide &amp; Crisis Lifeline — call or text 988 "
    "(Spanish: press 2)."
)
EMPTY_BANNER = '<div id="emergency-banner" class="emergency-banner-slot" role="alert"></div>'
SBAR = {
    "reason": "Dizzy since a new tablet",
    "situation": "The patient reports dizziness since starting a new tablet.",
    "background": "Synthetic patient; nothing on file.",
    "assessment": "Probably a side effect; needs a nurse.",
    "recommendation": "A nurse calls back today.",
}


@dataclass
class Clinic:
    """The console's page world plus a nurse line: ``nurse`` works the Nurse line queue (the
    Nurse triage pathway's recipients), ``pharmacist`` the Pharmacists queue."""

    w: object
    nurse: object
    pharmacist: object
    nurse_triage: EscalationPathway
    pharmacy: EscalationPathway
    retired: EscalationPathway
    extra: list = field(default_factory=list)


@pytest.fixture
def clinic(world) -> Clinic:
    agent_role = ensure_role_groups()[Role.AGENT]
    nurse_queue = QueueFactory(name="Nurse line", slug="nurse-line")
    pharmacist_queue = QueueFactory(name="Pharmacists", slug="pharmacists")
    nurse = UserFactory(username="pages-nurse", first_name="Nia", last_name="Tester")
    pharmacist = UserFactory(username="pages-pharmacist", first_name="Phil", last_name="Tester")
    for person, queue in ((nurse, nurse_queue), (pharmacist, pharmacist_queue)):
        person.groups.add(agent_role)
        assign_perm("cases.work_queue", person, queue)
    pathway = EscalationPathway.objects.create
    return Clinic(
        w=world,
        nurse=nurse,
        pharmacist=pharmacist,
        nurse_triage=pathway(
            name="Nurse triage",
            kind=PathwayKind.NURSE_TRIAGE,
            recipient_queue=nurse_queue,
            acknowledgement_minutes=30,
            use_default_red_flags=False,
        ),
        pharmacy=pathway(
            name="Pharmacist",
            kind=PathwayKind.PHARMACIST,
            recipient_queue=pharmacist_queue,
            acknowledgement_minutes=60,
            use_default_red_flags=False,
        ),
        retired=pathway(
            name="Retired pathway",
            kind=PathwayKind.CARE_MANAGER,
            recipient_queue=nurse_queue,
            acknowledgement_minutes=60,
            active=False,
        ),
    )


def escalate(c: Clinic, case=None, *, actor=None, pathway=None, urgency=Urgency.URGENT, **sbar):
    return services.escalation_open(
        actor=actor or c.w.agent,
        case=case or c.w.case,
        pathway=pathway or c.nurse_triage,
        urgency=urgency,
        **{**SBAR, **sbar},
    )


def red_flag_escalation(c: Clinic, case=None, flags=None):
    """What red-flag detection opens: an emergent escalation by the system account."""
    with transaction.atomic():
        return services.escalate_automatically(
            actor=system_user(),
            case=case or c.w.case,
            pathway=c.nurse_triage,
            urgency=Urgency.EMERGENT,
            source=Source.RED_FLAG,
            reason="Red flag in the patient's words",
            sbar={
                "situation": "The patient wrote words that may mean an emergency.",
                "assessment": "Not yet assessed by a person.",
                "recommendation": "Call the patient now.",
            },
            red_flags=flags
            if flags is not None
            else [
                {"phrase": "chest pain", "language": "en", "negated": False},
                {"phrase": "quiero morir", "language": "es", "negated": True},
            ],
        )


def resolved(c: Clinic, **kwargs) -> Escalation:
    escalation = escalate(c, **kwargs)
    recipient = c.pharmacist if escalation.pathway_id == c.pharmacy.pk else c.nurse
    services.escalation_resolve(
        actor=recipient, escalation=escalation, outcome=Outcome.ADVICE_GIVEN, notes="Advised."
    )
    return escalation


def url(name: str, escalation: Escalation) -> str:
    return reverse(f"console:escalation-{name}", args=[escalation.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def state() -> tuple:
    """Everything an escalation action could change."""
    return (
        list(
            Escalation.objects.order_by("pk").values_list(
                "pk", "status", "acknowledged_by", "resolved_by", "outcome", "warranted"
            )
        ),
        CaseEvent.objects.count(),
    )


def section(html: str, escalation: Escalation) -> str:
    start = html.index(f'id="escalation-{escalation.pk}"')
    end = html.find("</article>", start)
    return html[start : end if end != -1 else len(html)]


# --- the emergency banner -----------------------------------------------------------------------


def test_the_banner_comes_first_with_the_script_and_the_red_flags(client, clinic):
    c = clinic
    escalation = red_flag_escalation(c)
    html = page_text(login(client, c.w.agent).get(case_url(c.w.case)))
    banner_at = html.index('<div id="emergency-banner"')
    main_at = html.index('<main id="content-start"')
    assert main_at < banner_at < html.index("<h1>") < html.index('class="console-nav"')
    assert html[main_at:banner_at].count("<") == 1  # nothing between <main> and the banner
    banner = html[banner_at : html.index("</section>", banner_at)]
    assert 'role="alert"' in banner
    assert SCRIPT_911 in banner and SCRIPT_988 in banner
    assert "“chest pain” (English)" in banner
    assert "“quiero morir” (Spanish / Español) — <strong>may be negated</strong>" in banner
    assert "“chest pain” (English) —" not in banner  # not negated: no note
    assert "Red flag in the patient&#x27;s words" in banner and "Nurse triage" in banner
    assert escalation.status == EscalationStatus.OPEN


def test_no_banner_without_an_unresolved_emergent_escalation(client, clinic):
    c = clinic
    login(client, c.w.agent)
    html = page_text(client.get(case_url(c.w.case)))
    assert EMPTY_BANNER in html  # the wrapper is always there, for live.js
    escalate(c, urgency=Urgency.URGENT)
    html = page_text(client.get(case_url(c.w.case)))
    assert EMPTY_BANNER in html and "911" not in html.split("Escalations</h2>")[0]
    emergency = escalate(c, pathway=c.pharmacy, urgency=Urgency.EMERGENT)
    html = page_text(client.get(case_url(c.w.case)))
    assert SCRIPT_911 in html and SCRIPT_988 in html
    assert "Red flags in the patient" not in html  # a manual emergency has no phrases
    services.escalation_resolve(
        actor=c.pharmacist, escalation=emergency, outcome=Outcome.EMERGENCY_SERVICES
    )
    assert EMPTY_BANNER in page_text(client.get(case_url(c.w.case)))


def test_red_flag_phrases_are_escaped(client, clinic):
    c = clinic
    red_flag_escalation(c, flags=[{"phrase": "<b>help</b>", "language": "xx"}, "junk", {}])
    html = page_text(login(client, c.w.agent).get(case_url(c.w.case, "banner")))
    assert "&lt;b&gt;help&lt;/b&gt;" in html and "<b>help</b>" not in html
    assert html.count("<li>“") == 1  # malformed entries are left out


def test_the_banner_names_the_concept_of_each_red_flag(client, clinic):
    """What detection stores (escalations.redflags.Hit.as_json): the concept's name before the
    patient's words; escaped like them."""
    c = clinic
    red_flag_escalation(
        c,
        flags=[
            {
                "concept": "cardiac",
                "label": "Chest pain / heart attack",
                "phrase": "hurts … chest",
                "words": ["hurts", "chest"],
                "language": "en",
                "negated": False,
                "typo": False,
                "across_messages": True,
            },
            {"concept": "phrase", "label": "<i>x</i>", "phrase": "lost my insulin"},
        ],
    )
    html = page_text(login(client, c.w.agent).get(case_url(c.w.case, "banner")))
    assert "<li>Chest pain / heart attack: “hurts … chest” (English)</li>" in html
    assert "&lt;i&gt;x&lt;/i&gt;: “lost my insulin”" in html and "<i>x</i>" not in html


def test_a_model_flag_is_marked_as_the_models(client, clinic):
    """The learned second opinion's flag (``"source": "model"``) says so, in the banner and in
    the escalations section; a rule's flag does not."""
    c = clinic
    red_flag_escalation(
        c,
        flags=[
            {
                "concept": "overdose_poisoning",
                "label": "Overdose or poisoning",
                "phrase": "model (96%): 'drank', 'sink'",
                "language": "en",
                "source": "model",
            },
            {"concept": "cardiac", "label": "Chest pain / heart attack", "phrase": "chest pain"},
        ],
    )
    login(client, c.w.agent)
    banner = page_text(client.get(case_url(c.w.case, "banner")))
    assert banner.count("suggested by the learned model") == 1
    assert "“model (96%): &#x27;drank&#x27;, &#x27;sink&#x27;” (English) — <strong>" in banner
    page = page_text(client.get(case_url(c.w.case)))
    assert "suggested by the learned model, not by a rule" in page


def test_the_banner_fragment(client, clinic):
    c = clinic
    banner = reverse("console:case-banner", args=[c.w.case.reference])
    login(client, c.w.agent)
    response = client.get(banner)
    assert response.status_code == 200
    assert page_text(response).strip() == EMPTY_BANNER
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS).exists()

    red_flag_escalation(c)
    response = client.get(banner)
    html = page_text(response).strip()
    assert html.startswith('<div id="emergency-banner" class="emergency-banner-slot" role="alert">')
    assert html.endswith("</div>")
    assert SCRIPT_911 in html and "chest pain" in html
    assert "<html" not in html and 'class="console-nav"' not in html
    assert response["Cache-Control"].startswith("max-age=0")
    # The patient's words were shown: that read is logged, like the case page's.
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS).get()
    assert (entry.actor, entry.case_pk) == (c.w.agent, c.w.case.pk)
    # The case page tells live.js where the fragment is.
    page = page_text(client.get(case_url(c.w.case)))
    assert f'"urls": {{"banner": "{banner}"}}' in page


def test_a_red_flag_no_pathway_took_still_shows_the_script(client, clinic):
    """A configuration gap (no active pathway of the red flag's kind): no escalation exists, but
    the case page and the fragment show the emergency script while the case is open."""
    c = clinic
    EscalationPathway.objects.update(active=False)
    case_services.case_receive_message(
        actor=c.w.agent, case=c.w.case, body="My father can't breathe, what do I do?"
    )
    assert not Escalation.objects.exists()
    login(client, c.w.agent)
    for html in (
        page_text(client.get(case_url(c.w.case))),
        page_text(client.get(reverse("console:case-banner", args=[c.w.case.reference]))),
    ):
        assert SCRIPT_911 in html and SCRIPT_988 in html
        assert "No escalation pathway took this red flag" in html
    for status in (Status.RESOLVED, Status.CLOSED):
        case_services.case_transition(actor=c.w.agent, case=c.w.case, to_status=status)
    assert EMPTY_BANNER in page_text(client.get(case_url(c.w.case)))


# --- the case's escalations ---------------------------------------------------------------------


def test_the_case_page_lists_escalations_with_sbar_and_state(client, clinic):
    c = clinic
    escalation = escalate(c)
    html = page_text(login(client, c.w.agent).get(case_url(c.w.case)))
    part = section(html, escalation)
    assert "Urgent</span>\n      escalation to Nurse triage: Waiting for acknowledgement" in part
    for text in SBAR.values():
        assert text.replace("'", "&#x27;") in part
    assert "by you," in part
    assert "On time, due in 29 min" in part or "On time, due in 30 min" in part
    # The requester is no recipient: no acknowledge, no resolve; not resolved: no review.
    assert "Acknowledge</button>" not in part and "Resolve</button>" not in part
    assert "Save review" not in part


def test_an_overdue_acknowledgement_is_highlighted(client, clinic):
    c = clinic
    escalation = escalate(c)
    Escalation.objects.filter(pk=escalation.pk).update(
        requested_at=escalation.requested_at - timedelta(hours=2),
        acknowledgement_due_at=escalation.acknowledgement_due_at - timedelta(hours=2),
    )
    part = section(page_text(login(client, c.w.agent).get(case_url(c.w.case))), escalation)
    assert (
        '<span class="sla sla-overdue"><span class="sla-label">Breached, overdue by 1 h 30 min'
        in part
    )


def test_the_recipient_acknowledges_and_resolves_from_the_case_page(client, clinic):
    c = clinic
    escalation = escalate(c)
    login(client, c.nurse)
    html = page_text(client.get(case_url(c.w.case)))  # the escalation's grant lets them in
    part = section(html, escalation)
    assert "Acknowledge</button>" in part and "Resolve</button>" in part

    response = client.post(url("acknowledge", escalation), {"from": "case"})
    assert response.status_code == 302 and response["Location"] == case_url(c.w.case)
    assert messages_of(response) == [
        f"The escalation of case {c.w.case.reference} to Nurse triage is acknowledged: it is yours."
    ]
    escalation.refresh_from_db()
    assert (escalation.status, escalation.acknowledged_by) == (
        EscalationStatus.ACKNOWLEDGED,
        c.nurse,
    )
    part = section(page_text(client.get(case_url(c.w.case))), escalation)
    assert "Acknowledge</button>" not in part and "by you," in part

    response = client.post(
        url("resolve", escalation), {"outcome": Outcome.APPOINTMENT, "notes": "Booked for today."}
    )
    # Resolving ended the nurse's access to the case: back to their escalations.
    assert response.status_code == 302 and response["Location"] == ESCALATIONS
    escalation.refresh_from_db()
    assert (escalation.status, escalation.outcome, escalation.outcome_notes) == (
        EscalationStatus.RESOLVED,
        Outcome.APPOINTMENT,
        "Booked for today.",
    )
    assert client.get(case_url(c.w.case)).status_code == 404


def test_the_page_shows_the_outcome_and_the_review(client, clinic):
    c = clinic
    escalation = resolved(c)
    login(client, c.w.supervisor)
    part = section(page_text(client.get(case_url(c.w.case))), escalation)
    assert "Advice given to the patient, by Nia Tester" in part and "Advised." in part
    assert "Save review</button>" in part
    assert f'id="id_review_{escalation.pk}_warranted_0"' in part
    response = client.post(url("review", escalation), {"warranted": "no", "notes": "Leaflet."})
    assert response.status_code == 302 and response["Location"] == case_url(c.w.case)
    assert messages_of(response)[0].endswith("is reviewed: not warranted.")
    part = section(page_text(client.get(case_url(c.w.case))), escalation)
    assert "Not warranted, by you," in part and "Leaflet." in part
    assert "Save review" not in part


# --- escalating ---------------------------------------------------------------------------------


def test_the_escalate_form_offers_the_active_pathways(client, clinic):
    c = clinic
    html = page_text(login(client, c.w.agent).get(case_url(c.w.case)))
    form = html.split("<summary>Escalate this case</summary>")[1].split("</form>")[0]
    assert re.findall(r'<option value="(\d+)"', form.split('name="urgency"')[0]) == [
        str(c.nurse_triage.pk),
        str(c.pharmacy.pk),
    ]
    assert "Retired pathway" not in form
    assert 'value="emergent"' in form
    for name in ("reason", "situation", "background", "assessment", "recommendation"):
        assert f'name="{name}"' in form


def test_escalate(client, clinic):
    c = clinic
    response = login(client, c.w.agent).post(
        case_url(c.w.case, "escalate"),
        {"pathway": c.nurse_triage.pk, "urgency": "urgent", **SBAR},
    )
    assert response.status_code == 302 and response["Location"] == case_url(c.w.case)
    assert messages_of(response) == [
        f"Case {c.w.case.reference} escalated to Nurse triage: urgent."
    ]
    escalation = Escalation.objects.get()
    assert (escalation.pathway, escalation.urgency, escalation.requested_by) == (
        c.nurse_triage,
        Urgency.URGENT,
        c.w.agent,
    )
    assert escalation.situation == SBAR["situation"]
    assert escalation.source == Source.MANUAL


def test_a_readonly_viewer_gets_no_escalate_form(client, clinic):
    """Break-the-glass reads a case without working it: no escalate form, and the endpoint is
    a 404 like every work action."""
    from oversight.services import break_glass_open

    c = clinic
    c.w.foreign.groups.add(ensure_role_groups()[Role.CLINICIAN])  # a role that may break the glass
    break_glass_open(
        actor=c.w.foreign,
        reference=c.w.case.reference,
        reason="Patient on the line reports a reaction; the billing case has the pharmacy.",
    )
    login(client, c.w.foreign)
    html = page_text(client.get(case_url(c.w.case)))
    assert "Escalate this case" not in html
    response = client.post(
        case_url(c.w.case, "escalate"), {"pathway": c.nurse_triage.pk, "urgency": "urgent", **SBAR}
    )
    assert response.status_code == 404
    assert not Escalation.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pathway": "999999"}, "Select a valid choice"),
        ({"pathway": "abc"}, "Select a valid choice"),
        ({"pathway": "9" * 40}, "Select a valid choice"),
        ({"pathway": ""}, "This field is required."),
        ({"pathway": "RETIRED"}, "Select a valid choice"),
        ({"urgency": "critical"}, "Select a valid choice"),
        ({"urgency": ""}, "This field is required."),
        ({"situation": "   "}, "This field is required."),
        ({"assessment": ""}, "This field is required."),
        ({"recommendation": None}, "This field is required."),
        ({"reason": ""}, "This field is required."),
        ({"reason": "x" * 301}, "Ensure this value has at most 300 characters"),
        ({"situation": "x" * 4001}, "Ensure this value has at most 4000 characters"),
    ],
)
def test_bad_escalate_input_is_a_400_and_writes_nothing(client, clinic, change, message):
    c = clinic
    data = {"pathway": c.nurse_triage.pk, "urgency": "urgent", **SBAR}
    for name, value in change.items():
        if value is None:
            del data[name]
        else:
            data[name] = c.retired.pk if value == "RETIRED" else value
    before = state()
    response = login(client, c.w.agent).post(case_url(c.w.case, "escalate"), data)
    assert response.status_code == 400
    html = page_text(response)
    assert message in html
    assert "The case was not escalated: correct the errors below." in html
    assert '<details class="escalate" open>' in html  # the form stays open with what was typed
    assert SBAR["background"] in html
    assert state() == before


def test_a_second_escalation_to_the_same_pathway_is_a_409(client, clinic):
    c = clinic
    escalate(c)
    before = state()
    response = login(client, c.w.agent2).post(
        case_url(c.w.case, "escalate"),
        {"pathway": c.nurse_triage.pk, "urgency": "emergent", **SBAR},
    )
    assert response.status_code == 409
    assert "Nothing was changed:</strong> This case already has an unresolved escalation" in (
        page_text(response)
    )
    assert state() == before


def test_escalating_a_closed_case_is_refused(client, clinic):
    c = clinic
    for status in (Status.RESOLVED, Status.CLOSED):
        case_services.case_transition(actor=c.w.agent, case=c.w.case, to_status=status)
    login(client, c.w.agent)
    assert "Escalate this case" not in page_text(client.get(case_url(c.w.case)))
    response = client.post(
        case_url(c.w.case, "escalate"), {"pathway": c.nurse_triage.pk, "urgency": "urgent", **SBAR}
    )
    assert response.status_code == 409
    assert "A closed case cannot be escalated." in page_text(response)
    assert not Escalation.objects.exists()


# --- acknowledging, resolving, reviewing: refusals and bad input --------------------------------


def test_a_non_recipient_is_refused_with_the_reason(client, clinic):
    c = clinic
    escalation = escalate(c)
    before = state()
    login(client, c.w.agent2)  # works the case's queue, sees the escalation, is no recipient
    for action, data in (("acknowledge", {}), ("resolve", {"outcome": "advice_given"})):
        response = client.post(url(action, escalation), data)
        assert response.status_code == 409, action
        assert "Nothing was changed:</strong> Only members of Nurse line take this escalation." in (
            page_text(response)
        )
    assert state() == before


def test_someone_elses_acknowledgement_is_a_409(client, clinic):
    c = clinic
    nurse2 = UserFactory(username="pages-nurse2", first_name="Ned", last_name="Tester")
    nurse2.groups.add(ensure_role_groups()[Role.AGENT])
    assign_perm("cases.work_queue", nurse2, c.nurse_triage.recipient_queue)
    escalation = escalate(c)
    services.escalation_acknowledge(actor=c.nurse, escalation=escalation)
    before = state()
    response = login(client, nurse2).post(url("acknowledge", escalation))
    assert response.status_code == 409
    assert "Already acknowledged by Nia Tester." in page_text(response)
    assert state() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"outcome": "cured"}, "Select a valid choice"),
        ({}, "This field is required."),
        ({"outcome": "no_action"}, "Say what was done and why no more is needed."),
        ({"outcome": "unreachable", "notes": "  "}, "Say what was done and why no more is needed."),
        ({"outcome": "advice_given", "notes": "x" * 4001}, "at most 4000 characters"),
    ],
)
def test_bad_resolve_input_is_a_400(client, clinic, data, message):
    c = clinic
    escalation = escalate(c)
    before = state()
    response = login(client, c.nurse).post(url("resolve", escalation), data)
    assert response.status_code == 400
    assert message in page_text(response)
    assert state() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"warranted": "maybe"}, "Select a valid choice"),
        ({}, "This field is required."),
        ({"warranted": "no"}, "Say why it was not warranted"),
    ],
)
def test_bad_review_input_is_a_400(client, clinic, data, message):
    c = clinic
    escalation = resolved(c)
    before = state()
    response = login(client, c.w.supervisor).post(url("review", escalation), data)
    assert response.status_code == 400
    assert message in page_text(response)
    assert state() == before


def test_the_requester_cannot_review_their_own_escalation(client, clinic):
    c = clinic
    escalation = resolved(c, actor=c.w.supervisor)
    before = state()
    login(client, c.w.supervisor)
    part = section(page_text(client.get(case_url(c.w.case))), escalation)
    assert "Save review" not in part
    response = client.post(url("review", escalation), {"warranted": "yes"})
    assert response.status_code == 409
    assert "Nobody reviews their own escalation." in page_text(response)
    assert state() == before


def test_reviewing_an_unresolved_or_reviewed_escalation_is_a_409(client, clinic):
    c = clinic
    open_one = escalate(c)
    login(client, c.w.supervisor)
    response = client.post(url("review", open_one), {"warranted": "yes"})
    assert response.status_code == 409
    assert "Review an escalation once it is resolved." in page_text(response)
    done = resolved(c, pathway=c.pharmacy)
    assert client.post(url("review", done), {"warranted": "yes"}).status_code == 302
    response = client.post(url("review", done), {"warranted": "no", "notes": "Changed my mind."})
    assert response.status_code == 409
    assert "This escalation was already reviewed." in page_text(response)
    assert Escalation.objects.get(pk=done.pk).warranted is True


@pytest.mark.parametrize("path", ["abc", "-1", "1.5", "9" * 19, "99999999"])
def test_an_escalation_id_that_is_not_one_is_a_404(client, clinic, path):
    login(client, clinic.w.supervisor)
    for action in ("acknowledge", "resolve", "review"):
        response = client.post(f"/console/escalations/{path}/{action}/", {"outcome": "x"})
        assert response.status_code == 404


@pytest.mark.parametrize("action", ["acknowledge", "resolve", "review"])
def test_escalation_actions_refuse_get(client, clinic, action):
    escalation = escalate(clinic)
    login(client, clinic.nurse)
    assert client.get(url(action, escalation)).status_code == 405


def test_escalate_refuses_get_and_pages_refuse_post(client, clinic):
    login(client, clinic.w.supervisor)
    assert client.get(case_url(clinic.w.case, "escalate")).status_code == 405
    for page in (ESCALATIONS, REVIEW, case_url(clinic.w.case, "banner")):
        assert client.post(page).status_code == 405


def test_posts_need_the_csrf_token(clinic):
    escalation = escalate(clinic)
    client = Client(enforce_csrf_checks=True)
    client.force_login(clinic.nurse)
    assert client.post(url("acknowledge", escalation)).status_code == 403  # Django's CSRF check
    assert Escalation.objects.get(pk=escalation.pk).status == EscalationStatus.OPEN


def test_an_unknown_origin_goes_back_to_the_case(client, clinic):
    escalation = escalate(clinic)
    response = login(client, clinic.nurse).post(
        url("acknowledge", escalation), {"from": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == case_url(clinic.w.case)


# --- the recipients' view -----------------------------------------------------------------------


def rows_of(html: str) -> list[str]:
    return re.findall(r'<tr id="escalation-(\d+)"', html)


def test_the_recipients_view_most_urgent_and_oldest_first(client, clinic):
    c = clinic
    cases = [make_case(actor=c.w.intake, category=c.w.category) for _ in range(3)]
    routine = escalate(c, cases[0], urgency=Urgency.ROUTINE)
    urgent_old = escalate(c, cases[1], urgency=Urgency.URGENT)
    urgent_new = escalate(c, cases[2], urgency=Urgency.URGENT)
    emergent = red_flag_escalation(c)
    to_pharmacy = escalate(c, cases[0], pathway=c.pharmacy)
    done = escalate(c, cases[2], pathway=c.pharmacy)
    services.escalation_resolve(actor=c.pharmacist, escalation=done, outcome=Outcome.REFERRED)

    login(client, c.nurse)
    response = client.get(ESCALATIONS)
    assert response.status_code == 200
    html = page_text(response)
    expected = [emergent, urgent_old, urgent_new, routine]
    assert rows_of(html) == [str(e.pk) for e in expected]
    assert html.count("Acknowledge</button>") == 4
    assert 'name="from" value="escalations"' in html
    assert str(to_pharmacy.pk) not in rows_of(html)
    # No patient data on the list: no reason, no SBAR, no red-flag phrase.
    for text in (SBAR["reason"], SBAR["situation"], "chest pain", "Ownqueuepatient"):
        assert text not in html
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS).exists()
    assert '<a href="/console/escalations/" aria-current="page">Escalations to me</a>' in html

    response = client.post(url("acknowledge", urgent_old), {"from": "escalations"})
    assert response.status_code == 302 and response["Location"] == ESCALATIONS
    html = page_text(client.get(ESCALATIONS))
    assert rows_of(html) == [str(e.pk) for e in expected]  # acknowledged, still unresolved
    assert html.count("Acknowledge</button>") == 3
    assert "by you," in html


def test_the_recipients_view_shows_a_refusal_there(client, clinic):
    c = clinic
    nurse2 = UserFactory(username="pages-nurse2", first_name="Ned", last_name="Tester")
    nurse2.groups.add(ensure_role_groups()[Role.AGENT])
    assign_perm("cases.work_queue", nurse2, c.nurse_triage.recipient_queue)
    escalation = escalate(c)
    services.escalation_acknowledge(actor=c.nurse, escalation=escalation)
    response = login(client, nurse2).post(url("acknowledge", escalation), {"from": "escalations"})
    assert response.status_code == 409
    html = page_text(response)
    assert "<h1>Escalations to me</h1>" in html
    assert "Already acknowledged by Nia Tester." in html


def test_a_recipient_without_a_grant_yet_sees_it_and_acknowledging_opens_the_case(client, clinic):
    """A nurse who joined the queue after the escalation opened has no case grant: the list
    still shows it (listing fields only), and acknowledging it there gives them the case."""
    c = clinic
    escalation = escalate(c)
    late = UserFactory(username="pages-late-nurse", first_name="Lee", last_name="Tester")
    late.groups.add(ensure_role_groups()[Role.AGENT])
    assign_perm("cases.work_queue", late, c.nurse_triage.recipient_queue)
    login(client, late)
    assert client.get(case_url(c.w.case)).status_code == 404
    html = page_text(client.get(ESCALATIONS))
    assert rows_of(html) == [str(escalation.pk)]
    assert SBAR["situation"] not in html and SBAR["reason"] not in html
    # Resolving needs the case (the read path): 404 until acknowledged.
    resolve = client.post(url("resolve", escalation), {"outcome": Outcome.REFERRED})
    assert resolve.status_code == 404
    response = client.post(url("acknowledge", escalation), {"from": "escalations"})
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == late
    assert client.get(case_url(c.w.case)).status_code == 200


def test_agents_see_only_escalations_addressed_to_them(client, clinic):
    escalate(clinic)
    for user in (clinic.w.agent, clinic.w.foreign, clinic.pharmacist):
        html = page_text(login(client, user).get(ESCALATIONS))
        assert rows_of(html) == []
        assert "No unresolved escalations are addressed to you." in html


# --- the review page ----------------------------------------------------------------------------


def test_the_review_page_lists_resolved_unreviewed_and_the_accuracy(client, clinic):
    c = clinic
    cases = [make_case(actor=c.w.intake, category=c.w.category) for _ in range(3)]
    first = resolved(c, case=cases[0])
    second = resolved(c, case=cases[1])
    reviewed = resolved(c, case=cases[2])
    services.escalation_review(actor=c.w.supervisor, escalation=reviewed, warranted=True)
    escalate(c, pathway=c.pharmacy)  # open: nothing to review yet
    foreign = escalate(c, c.w.foreign_case, actor=c.w.foreign)  # a queue Sam does not supervise
    services.escalation_resolve(actor=c.nurse, escalation=foreign, outcome=Outcome.REFERRED)

    login(client, c.w.supervisor)
    response = client.get(REVIEW)
    assert response.status_code == 200
    html = page_text(response)
    assert rows_of(html) == [str(first.pk), str(second.pk)]
    assert html.count("Save review</button>") == 2
    assert c.w.foreign_case.reference not in html
    assert "Advised." not in html and SBAR["situation"] not in html  # no PHI on the list
    accuracy = html.split('id="accuracy-heading"')[1].split("</table>")[0]
    nurse_row = accuracy.split(f'data-pathway="{c.nurse_triage.pk}"')[1].split("</tr>")[0]
    cells = re.findall(r"<td>(.*?)</td>", nurse_row)
    assert cells[:6] == ["3", "3", "1", "1", "0", "100.0 %"]
    pharmacy_row = accuracy.split(f'data-pathway="{c.pharmacy.pk}"')[1].split("</tr>")[0]
    assert re.findall(r"<td>(.*?)</td>", pharmacy_row)[:6] == [
        "1",
        "0",
        "0",
        "0",
        "0",
        "— (none reviewed)",
    ]

    response = client.post(
        url("review", first), {"warranted": "no", "notes": "Leaflet.", "from": "review"}
    )
    assert response.status_code == 302 and response["Location"] == REVIEW
    html = page_text(client.get(REVIEW))
    assert rows_of(html) == [str(second.pk)]
    nurse_row = html.split(f'data-pathway="{c.nurse_triage.pk}"')[1].split("</tr>")[0]
    assert re.findall(r"<td>(.*?)</td>", nurse_row)[:6] == ["3", "3", "2", "1", "1", "50.0 %"]


def test_a_refused_review_shows_the_review_page_again(client, clinic):
    c = clinic
    escalation = resolved(c)
    response = login(client, c.w.supervisor).post(
        url("review", escalation), {"warranted": "no", "from": "review"}
    )
    assert response.status_code == 400
    html = page_text(response)
    assert "<h1>Escalation review</h1>" in html
    assert "Say why it was not warranted" in html
    assert f'id="id_review_{escalation.pk}_warranted_1"' in html


def test_the_review_period(client, clinic):
    c = clinic
    resolved(c)
    login(client, c.w.supervisor)
    assert client.get(REVIEW, {"days": "30"}).status_code == 200
    response = client.get(REVIEW, {"days": "7; DROP TABLE"})
    assert response.status_code == 400
    assert "Choose one of the periods offered." in page_text(response)


def test_the_review_permission_opens_the_review_page_without_a_queue(client, clinic):
    from django.contrib.auth.models import Permission

    c = clinic
    resolved(c)
    reviewer = c.w.agent2
    reviewer.user_permissions.add(
        Permission.objects.get(content_type__app_label="escalations", codename="review_escalation")
    )
    login(client, reviewer)
    html = page_text(client.get(REVIEW))
    assert len(rows_of(html)) == 1


# --- who may do what ----------------------------------------------------------------------------

ANONYMOUS, AGENT, AGENT2, FOREIGN, NURSE = "anonymous", "agent", "agent2", "foreign", "nurse"
SUPERVISOR, OFFICER, SUPERUSER = "supervisor", "compliance_officer", "superuser"
ROLES = (ANONYMOUS, AGENT, AGENT2, FOREIGN, NURSE, SUPERVISOR, OFFICER, SUPERUSER)


def user_of(c: Clinic, role: str):
    return {
        ANONYMOUS: None,
        AGENT: c.w.agent,  # works the case's queue, requested the escalation
        AGENT2: c.w.agent2,  # works the case's queue, no recipient
        FOREIGN: c.w.foreign,  # works another queue
        NURSE: c.nurse,  # the recipient
        SUPERVISOR: c.w.supervisor,
        OFFICER: c.w.officer,
        SUPERUSER: c.w.superuser,
    }[role]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: object  # (clinic, escalation) -> url
    expected: dict  # role -> status (anonymous: always the login redirect)
    data: dict = field(default_factory=dict)
    resolved: bool = False  # acts on a resolved escalation


VIEWERS = {AGENT: 200, AGENT2: 200, FOREIGN: 404, NURSE: 200, SUPERVISOR: 200}
ENDPOINTS = {
    "case page": Endpoint("get", lambda c, e: case_url(c.w.case), VIEWERS),
    "banner": Endpoint("get", lambda c, e: case_url(c.w.case, "banner"), VIEWERS),
    "escalate": Endpoint(
        "post",
        lambda c, e: case_url(c.w.case, "escalate"),
        {AGENT: 302, AGENT2: 302, FOREIGN: 404, NURSE: 302, SUPERVISOR: 302},
        {"pathway": "PHARMACY", "urgency": "routine", **SBAR},
    ),
    "acknowledge": Endpoint(
        "post",
        lambda c, e: url("acknowledge", e),
        {AGENT: 409, AGENT2: 409, FOREIGN: 404, NURSE: 302, SUPERVISOR: 409},
    ),
    "resolve": Endpoint(
        "post",
        lambda c, e: url("resolve", e),
        {AGENT: 409, AGENT2: 409, FOREIGN: 404, NURSE: 302, SUPERVISOR: 409},
        {"outcome": "advice_given"},
    ),
    "review": Endpoint(
        "post",
        lambda c, e: url("review", e),
        # The nurse's access ended with the resolution: the escalation is a 404 to them now.
        {AGENT: 409, AGENT2: 409, FOREIGN: 404, NURSE: 404, SUPERVISOR: 302},
        {"warranted": "yes"},
        resolved=True,
    ),
    "recipients' view": Endpoint(
        "get",
        lambda c, e: ESCALATIONS,
        {AGENT: 200, AGENT2: 200, FOREIGN: 200, NURSE: 200, SUPERVISOR: 200},
    ),
    "review page": Endpoint(
        "get",
        lambda c, e: REVIEW,
        {AGENT: 404, AGENT2: 404, FOREIGN: 404, NURSE: 404, SUPERVISOR: 200},
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ENDPOINTS)
def test_permission_matrix(client, clinic, name, role):
    """The compliance officer reads cases through the admin and the compliance pages, never
    the console: a 404 everywhere, like a service account or staff without a support role — and
    a superuser without one (issue 17)."""
    c = clinic
    endpoint = ENDPOINTS[name]
    escalation = resolved(c) if endpoint.resolved else escalate(c)
    data = {
        key: (c.pharmacy.pk if value == "PHARMACY" else value)
        for key, value in endpoint.data.items()
    }
    target = endpoint.path(c, escalation)
    login(client, user_of(c, role))
    before = state()

    response = getattr(client, endpoint.method)(target, data)

    expected = endpoint.expected.get(role, 404)
    if role == ANONYMOUS:
        assert_login_redirect(response, target)
    else:
        assert response.status_code == expected, (name, role, response.content[:600])
    assert response.status_code not in (403, 500)
    if endpoint.method == "post" and expected != 302:
        assert state() == before  # refused or unseen: nothing written
    if expected == 409:
        assert "Nothing was changed:</strong>" in page_text(response)
    if expected == 404 and role != ANONYMOUS:
        html = page_text(response)
        assert c.w.case.reference not in html and SBAR["situation"] not in html


# --- query counts -------------------------------------------------------------------------------


def test_the_case_page_query_count_does_not_grow_with_escalations(
    client, clinic, vendor, django_assert_num_queries
):
    """The case page's queries (tests/console/test_pages_case.py) and two: the case's
    escalations (with who requested, acknowledged, resolved and reviewed each, the pathway and
    whether the user is a recipient, in one query) and the active pathways of the escalate
    form."""
    c = clinic
    escalate(c)
    login(client, c.w.supervisor)
    client.get(case_url(c.w.case))
    # 16: issue 15's change forms read the move targets and the active categories (one each);
    # the access entry no longer reads the chain head (the sealer chains entries later); 17: the
    # session's second-factor device (django-otp's middleware, mfa/); issue 18: no session save
    # (the idle timeout's stamp is refreshed at most once a minute, accounts/idle.py), +1 the
    # access scope (the user's queue and case grants, read once per request; this supervisor
    # supervises a queue, so the supervised-queues check stays a query, unlike
    # test_pages_case.py's agent).
    expected = {"sqlite": 15, "postgresql": 15}[vendor]
    with django_assert_num_queries(expected, info="case page, one escalation"):
        assert client.get(case_url(c.w.case)).status_code == 200
    more = [
        EscalationPathway.objects.create(
            name=f"Extra pathway {n}",
            kind=PathwayKind.CARE_MANAGER,
            recipient_queue=c.nurse_triage.recipient_queue,
            acknowledgement_minutes=60,
            use_default_red_flags=False,
        )
        for n in range(4)
    ]
    for n, pathway in enumerate(more):
        escalation = escalate(c, pathway=pathway, actor=c.w.agent2 if n % 2 else c.w.agent)
        if n >= 1:
            services.escalation_acknowledge(actor=c.nurse, escalation=escalation)
        if n >= 2:
            services.escalation_resolve(
                actor=c.nurse, escalation=escalation, outcome=Outcome.ADVICE_GIVEN
            )
        if n >= 3:
            services.escalation_review(actor=c.w.supervisor, escalation=escalation, warranted=True)
    red_flag_escalation(c)
    with django_assert_num_queries(expected, info="case page, six escalations"):
        response = client.get(case_url(c.w.case))
    assert page_text(response).count('<article class="escalation') == 6
    assert SCRIPT_911 in page_text(response)


def test_the_recipients_view_query_count_does_not_grow(client, clinic, django_assert_num_queries):
    """Session, user, permissions (2), the escalations (one query: the read path, the
    recipient's queues, the people and the pathways), the supervised-queues check; no session
    save (issue 18: the idle timeout's stamp is refreshed at most once a minute)."""
    c = clinic
    escalate(c)
    login(client, c.nurse)
    client.get(ESCALATIONS)
    with django_assert_num_queries(7):  # with the session's second-factor device
        assert len(rows_of(page_text(client.get(ESCALATIONS)))) == 1
    for n in range(6):
        case = make_case(actor=c.w.intake, category=c.w.category)
        escalation = escalate(c, case, actor=c.w.agent2 if n % 2 else c.w.agent)
        if n % 3 == 0:
            services.escalation_acknowledge(actor=c.nurse, escalation=escalation)
    with django_assert_num_queries(7):  # with the session's second-factor device
        assert len(rows_of(page_text(client.get(ESCALATIONS)))) == 7


def test_the_review_page_query_count_does_not_grow(client, clinic, django_assert_num_queries):
    c = clinic
    resolved(c)
    login(client, c.w.supervisor)
    client.get(REVIEW)
    with django_assert_num_queries(9):  # the device, the access scope; no session save (issue 18)
        assert len(rows_of(page_text(client.get(REVIEW)))) == 1
    for _ in range(5):
        resolved(c, case=make_case(actor=c.w.intake, category=c.w.category))
    with django_assert_num_queries(9):  # the device, the access scope; no session save (issue 18)
        assert len(rows_of(page_text(client.get(REVIEW)))) == 6


def test_the_pages_recipient_flag_is_the_services_is_recipient(clinic):
    """The page decides which buttons to show with one annotated query; the service decides what
    is allowed. They must agree for everyone who sees the escalation."""
    from escalations.selectors import visible_escalations

    c = clinic
    escalation = escalate(c)
    checked = 0
    for role in ROLES[1:]:
        user = user_of(c, role)
        row = visible_escalations(user).filter(pk=escalation.pk).first()
        if row is None:
            continue
        assert bool(row.addressed_to_me) == services.is_recipient(user, c.nurse_triage), role
        checked += 1
    # All but the foreign agent (the officer reads every case) and the superuser without a role,
    # who sees no escalation (issue 17).
    assert checked == 5


def test_closing_the_case_shows_its_escalation_cancelled_and_removes_the_banner(client, clinic):
    """escalations.closing: closing the case cancels its unresolved escalation; the case page
    says so, with who and why, and neither the banner nor the actions remain."""
    c = clinic
    escalation = red_flag_escalation(c)
    case = case_services.case_transition(actor=c.w.agent, case=c.w.case, to_status=Status.RESOLVED)
    case_services.case_transition(
        actor=c.w.agent, case=case, to_status=Status.CLOSED, reason="Duplicate of another case."
    )
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.CANCELLED
    client.force_login(c.w.agent)
    html = client.get(reverse("console:case", args=[c.w.case.reference])).content.decode()
    assert "Cancelled" in html
    assert "No longer needed: the case was closed (Duplicate of another case.)." in html
    assert EMPTY_BANNER in html
    assert reverse("console:escalation-acknowledge", args=[escalation.pk]) not in html
    # The nurse's access ended with it.
    client.force_login(c.nurse)
    assert client.get(reverse("console:case", args=[c.w.case.reference])).status_code == 404
