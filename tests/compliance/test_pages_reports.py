"""The compliance home page, "who accessed this patient's record" (and its MRN look-up), and the
audit chain verification page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cases.models import Patient
from compliance.access_log import record_access
from compliance.models import AuditEntry, AuditSeal, ChainVerification, VerificationSource
from tests.compliance.test_audit_trail import TABLE, triggers_disabled
from tests.factories import UserFactory, make_patient

pytestmark = pytest.mark.django_db

HOME = "/compliance/"
LOOKUP = "/compliance/patients/"
CHAIN = "/compliance/chain/"
VERIFY = "/compliance/chain/verify/"


def report_url(patient) -> str:
    return reverse("oversight:patient-access", args=[patient.pk])


def verification(*, intact: bool | None, hours_ago: float, by: User, **fields):
    finished = timezone.now() - timedelta(hours=hours_ago)
    return ChainVerification.objects.create(
        source=VerificationSource.SCHEDULE,
        requested_by=by,
        started_at=finished - timedelta(minutes=1),
        finished_at=finished if intact is not None else None,
        intact=intact,
        **fields,
    )


# --- home -----------------------------------------------------------------------------------------

BROKEN = "The audit chain is BROKEN"
STALE = "No chain verification has finished in the last 36 hours"
NEVER = "The audit chain has never been verified."


def test_home_links_the_pages_and_counts_the_reviews_waiting(officer_client, emergency):
    response = officer_client.get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    for url in (
        "/compliance/trail/",
        "/compliance/patients/",
        "/compliance/chain/",
        "/compliance/break-glass/",
    ):
        assert f'href="{url}"' in html
    assert response.context["awaiting_review"] == 1
    assert "emergency access awaiting review" in html
    assert '<label for="id_mrn">Patient MRN:</label>' in html
    assert f'action="{LOOKUP}"' in html and 'method="get"' in html


@pytest.mark.parametrize(
    ("runs", "shown", "not_shown"),
    [
        ([], [NEVER], [BROKEN, STALE]),
        ([(True, 1)], ["chain <strong>intact</strong>"], [BROKEN, STALE, NEVER]),
        ([(True, 40)], [STALE], [BROKEN, NEVER]),
        ([(False, 1)], [BROKEN], [STALE, NEVER]),
        ([(False, 50)], [BROKEN, STALE], [NEVER]),
        ([(False, 5), (True, 2)], [], [BROKEN, STALE]),  # the latest finished one counts
        ([(True, 5), (False, 2)], [BROKEN], [STALE]),
        ([(True, 40), (None, 1)], [STALE], [BROKEN]),  # a running one has not finished
    ],
)
def test_home_shows_the_latest_finished_verification(
    officer_client, officer, runs, shown, not_shown
):
    for intact, hours_ago in runs:
        fields = {"broken_at": 7, "reason": "content does not match"} if intact is False else {}
        verification(intact=intact, hours_ago=hours_ago, by=officer, **fields)
    html = officer_client.get(HOME).content.decode()
    for text in shown:
        assert text in html
    for text in not_shown:
        assert text not in html
    if BROKEN in shown:
        assert 'class="errornote" role="alert"' in html
        assert "at entry 7" in html


# --- the MRN look-up ------------------------------------------------------------------------------


def test_the_lookup_redirects_to_the_report(officer_client, patient):
    response = officer_client.get(LOOKUP, {"mrn": f"  {patient.mrn} "})
    assert response.status_code == 302
    assert response["Location"] == report_url(patient)


@pytest.mark.parametrize(
    ("mrn", "message"),
    [
        ("NOBODY-0000", "No patient has this MRN."),
        ("", "This field is required."),
        ("a\x00b", "Null characters are not allowed."),
        ("x" * 65, "Ensure this value has at most 64 characters"),
    ],
)
def test_a_bad_mrn_is_a_400_with_the_message(officer_client, patient, mrn, message):
    response = officer_client.get(LOOKUP, {"mrn": mrn})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'id="id_mrn_error"' in html and 'aria-invalid="true"' in html


def test_an_mrn_matching_nobody_is_logged_as_a_lookup(officer_client, officer, patient):
    officer_client.get(LOOKUP, {"mrn": "NOBODY-0000"})
    logged = AuditEntry.objects.filter(actor=officer).latest("id")
    assert logged.content_type.model_class() is Patient
    assert logged.additional_data["access"]["kind"] == "lookup"
    assert logged.additional_data["access"]["query"] == {"mrn": "NOBODY-0000"}
    assert logged.additional_data["access"]["listed"] == 0


def test_the_lookup_page_without_an_mrn_shows_the_form(officer_client):
    response = officer_client.get(LOOKUP)
    assert response.status_code == 200
    assert '<label for="id_mrn">Patient MRN:</label>' in response.content.decode()


# --- who accessed this record ---------------------------------------------------------------------


@pytest.fixture
def accessed(patient, case, actor):
    """Two readers of the patient's record: three accesses by one, one by the other; and an
    access to somebody else."""
    carol = UserFactory(username="carol", first_name="Carol", last_name="Reader")
    dave = UserFactory(username="dave")
    for obj in (patient, case, case):
        record_access([obj], actor=carol, kind="view", via="admin", remote_addr="10.0.0.7")
    record_access([case], actor=dave, kind="list", via="admin", remote_addr="10.0.0.8")
    record_access([make_patient(actor)], actor=dave, kind="view", via="admin")
    return carol, dave


def test_the_report_says_who_accessed_the_record(officer_client, officer, patient, accessed):
    carol, dave = accessed
    response = officer_client.get(report_url(patient))
    assert response.status_code == 200
    html = response.content.decode()
    assert patient.family_name in html and patient.mrn in html

    people = {person["actor__username"]: person for person in response.context["people"]}
    assert people["carol"]["accesses"] == 3
    assert people["dave"]["accesses"] == 1
    assert people["carol"]["first"] <= people["carol"]["last"]
    link = f"/compliance/trail/?patient_id={patient.pk}&amp;user=carol"
    assert link in html
    assert patient.mrn not in link  # no MRN in the links the pages write

    recent = [entry for entry, _details in response.context["rows"]]
    assert {entry.actor_id for entry in recent} == {carol.pk, dave.pk}
    assert all(entry.patient_pk == patient.pk for entry in recent)
    assert all(entry.action == AuditEntry.Action.ACCESS for entry in recent)
    assert f"/compliance/trail/?patient_id={patient.pk}&amp;action=3" in html


def test_the_per_person_link_searches_that_persons_accesses(officer_client, patient, accessed):
    carol, _dave = accessed
    response = officer_client.get("/compliance/trail/", {"patient_id": patient.pk, "user": "carol"})
    assert response.status_code == 200
    entries = [entry for entry, _ in response.context["rows"]]
    assert len(entries) == 3
    assert {(entry.actor_id, entry.patient_pk) for entry in entries} == {(carol.pk, patient.pk)}


def test_the_report_lists_the_break_glass_accesses_to_the_patients_cases(
    officer_client, patient, emergency, night_agent
):
    response = officer_client.get(report_url(patient))
    assert [access.pk for access in response.context["emergency"]] == [emergency.pk]
    html = response.content.decode()
    assert emergency.case.reference in html and "Awaiting review" in html
    assert reverse("oversight:break-glass-review", args=[emergency.pk]) in html
    people = {person["actor__username"] for person in response.context["people"]}
    assert "night-agent" not in people  # opening the access is a change, not an access yet


def test_the_report_is_logged_as_a_report_about_the_patient(officer_client, officer, patient):
    officer_client.get(report_url(patient))
    logged = AuditEntry.objects.filter(actor=officer).latest("id")
    assert logged.action == AuditEntry.Action.ACCESS
    assert logged.content_type.model_class() is Patient
    assert logged.object_pk == str(patient.pk)
    assert logged.patient_pk == patient.pk
    assert logged.remote_addr == "127.0.0.1"
    assert logged.additional_data["access"]["kind"] == "report"
    assert logged.additional_data["access"]["via"] == "compliance"
    # ... so the next report shows the compliance officer among those who accessed the record
    again = officer_client.get(report_url(patient))
    assert officer.username in {person["actor__username"] for person in again.context["people"]}


def test_an_unknown_patient_is_a_404(officer_client, patient):
    assert officer_client.get(reverse("oversight:patient-access", args=[99999])).status_code == 404


# --- chain verification ---------------------------------------------------------------------------


def test_the_chain_page_shows_the_head_and_the_verifications(
    officer_client, officer, patient, seal_audit
):
    seal_audit()
    for hours in range(25):
        verification(intact=True, hours_ago=hours + 1, by=officer, checked=hours)
    response = officer_client.get(CHAIN)
    assert response.status_code == 200
    head = AuditSeal.objects.order_by("-chain_index").first()
    html = response.content.decode()
    assert head.entry_hash in html
    assert len(response.context["verifications"]) == 20
    assert response.context["verifications"][0].checked == 0  # newest first
    assert 'value="Verify now"' in html


def test_verify_now_records_an_intact_verification(officer_client, officer, patient, seal_audit):
    seal_audit()
    response = officer_client.post(VERIFY)
    assert response.status_code == 302
    assert response["Location"] == CHAIN
    run = ChainVerification.objects.get()
    assert run.intact is True
    assert (run.source, run.requested_by) == (VerificationSource.PAGE, officer)
    assert run.checked == AuditSeal.objects.filter(chain_index__lte=run.head_index).count() > 0
    assert run.anchor == "no signed anchor yet: not compared"

    page = officer_client.get(CHAIN)
    assert "The audit chain is intact" in page.content.decode()  # the message
    home = officer_client.get(HOME).content.decode()
    assert BROKEN not in home and STALE not in home


def test_after_tampering_the_home_page_shows_the_broken_chain(
    officer_client, patient, case, seal_audit
):
    seal_audit()
    forged = AuditSeal.objects.get(chain_index=1)
    target = forged.chain_index
    with triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET object_repr = 'forged' WHERE id = %s",  # noqa: S608
            [forged.entry_id],
        )

    response = officer_client.post(VERIFY, follow=True)

    run = ChainVerification.objects.get()
    assert run.intact is False and run.broken_at == target
    assert f"The audit chain is BROKEN at entry {target}" in response.content.decode()
    home = officer_client.get(HOME).content.decode()
    assert BROKEN in home and f"at entry {target}" in home and "altered" in home
    assert 'class="errornote" role="alert"' in home


def test_verify_now_queued_when_celery_is_not_eager(officer_client, officer, monkeypatch):
    calls = []

    class Queued:
        id = "queued-task"

    def delay(**kwargs):
        calls.append(kwargs)
        return Queued()

    monkeypatch.setattr("oversight.views.chain.verify_audit_chain.delay", delay)
    response = officer_client.post(VERIFY, follow=True)
    assert calls == [{"source": VerificationSource.PAGE, "requested_by": officer.pk}]
    assert "it runs in the background" in response.content.decode()


def test_verify_now_reports_a_failure_to_start(officer_client, monkeypatch):
    def delay(**kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr("oversight.views.chain.verify_audit_chain.delay", delay)
    response = officer_client.post(VERIFY, follow=True)
    assert response.status_code == 200
    assert "The verification could not be run" in response.content.decode()


def test_the_verify_button_is_only_for_those_who_may(patient):
    from django.contrib.auth.models import Permission

    viewer = UserFactory(username="viewer-only")
    viewer.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    client = Client()
    client.force_login(viewer)
    assert 'value="Verify now"' not in client.get(CHAIN).content.decode()
