"""Access logging: every page that shows PHI writes ACCESS entries (actor, client address, what
was viewed, the patient and case it was about); denied pages write none; entries of one request
share a server-made correlation id; the chain head is reused within a transaction only while it is
still true."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from guardian.shortcuts import assign_perm

from accounts.roles import Role, ensure_role_groups
from cases import services
from cases.choices import Status, Visibility
from cases.models import Case, CaseEvent, Patient
from compliance.access_log import AccessKind, client_address, record_access
from compliance.models import AuditEntry, AuditSeal
from compliance.subjects import subject_of
from compliance.verify import verify_chain
from tests.factories import QueueFactory, UserFactory, make_case, make_patient

pytestmark = pytest.mark.django_db

ACCESS = AuditEntry.Action.ACCESS


def admin_url(model, view: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def accesses(**filters):
    return AuditEntry.objects.filter(action=ACCESS, **filters).order_by("id")


@pytest.fixture
def agent(category):
    user = UserFactory(username="queue-agent")
    user.groups.add(ensure_role_groups()[Role.AGENT])
    assign_perm("cases.work_queue", user, category.default_queue)
    return user


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def case(actor, category):
    return make_case(actor=actor, category=category)


# --- one record's page ---------------------------------------------------------------------------


def test_a_case_page_logs_who_saw_which_case_of_which_patient(agent_client, agent, case):
    response = agent_client.get(admin_url(Case, "change", case.pk))
    assert response.status_code == 200

    (entry,) = accesses()
    assert entry.actor == agent
    assert entry.remote_addr == "127.0.0.1"
    assert (entry.content_type.model, entry.object_pk) == ("case", str(case.pk))
    assert entry.object_repr == case.reference
    assert (entry.patient_pk, entry.case_pk) == (case.patient_id, case.pk)
    assert entry.additional_data["access"] == {
        "kind": AccessKind.VIEW,
        "via": "admin",
        "path": admin_url(Case, "change", case.pk),
    }
    assert entry.cid  # made by the server for this request
    assert verify_chain().intact


def test_a_patient_page_logs_the_patient(agent_client, agent, case):
    patient = case.patient
    assert agent_client.get(admin_url(Patient, "change", patient.pk)).status_code == 200
    (entry,) = accesses()
    assert (entry.content_type.model, entry.patient_pk, entry.case_pk) == (
        "patient",
        patient.pk,
        None,
    )


def test_a_denied_page_logs_nothing(client, case):
    stranger = UserFactory(username="other-queue-agent")
    stranger.groups.add(ensure_role_groups()[Role.AGENT])
    assign_perm("cases.work_queue", stranger, QueueFactory(name="Elsewhere", slug="elsewhere"))
    client.force_login(stranger)
    assert client.get(admin_url(Case, "change", case.pk)).status_code == 404
    assert client.get(admin_url(Patient, "change", case.patient_id)).status_code == 404
    assert not accesses().exists()


def test_the_history_pages_are_logged(agent_client, agent, case):
    services.case_transition(actor=agent, case=case, to_status=Status.IN_PROGRESS)
    assert agent_client.get(admin_url(Case, "history", case.pk)).status_code == 200
    version = case.history.order_by("history_id").first()
    url = reverse("admin:cases_case_simple_history", args=[case.pk, version.history_id])
    assert agent_client.get(url).status_code == 200

    listed, version_page = accesses()
    assert listed.additional_data["access"]["kind"] == AccessKind.HISTORY
    assert version_page.additional_data["access"]["query"] == {"version": str(version.history_id)}
    assert {listed.case_pk, version_page.case_pk} == {case.pk}


# --- lists, searches, look-ups -------------------------------------------------------------------


def test_a_list_page_logs_each_case_listed_under_one_correlation_id(
    agent_client, agent, actor, category
):
    cases = [make_case(actor=actor, category=category) for _ in range(3)]
    response = agent_client.get(admin_url(Case, "changelist"), {"status__exact": Status.NEW})
    assert response.status_code == 200

    entries = list(accesses())
    assert {entry.case_pk for entry in entries} == {c.pk for c in cases}
    assert {entry.patient_pk for entry in entries} == {c.patient_id for c in cases}
    assert len({entry.cid for entry in entries}) == 1
    details = entries[0].additional_data["access"]
    assert details["kind"] == AccessKind.LIST
    assert details["listed"] == 3
    assert details["query"] == {"status__exact": Status.NEW}
    assert all(entry.actor == agent for entry in entries)


def test_a_search_logs_its_term_and_every_result(agent_client, actor, category):
    found = make_case(actor=actor, category=category)
    make_case(actor=actor, category=category)
    response = agent_client.get(admin_url(Case, "changelist"), {"q": found.reference})
    assert response.status_code == 200

    (entry,) = accesses()
    assert entry.case_pk == found.pk
    assert entry.additional_data["access"]["kind"] == AccessKind.SEARCH
    assert entry.additional_data["access"]["query"] == {"q": found.reference}


def test_a_search_that_finds_nothing_is_logged_too(agent_client, agent, case):
    response = agent_client.get(admin_url(Patient, "changelist"), {"q": "Nobody-By-This-Name"})
    assert response.status_code == 200
    (entry,) = accesses()
    assert entry.object_pk == ""
    assert entry.content_type.model == "patient"
    assert entry.additional_data["access"]["listed"] == 0
    assert entry.additional_data["access"]["query"] == {"q": "Nobody-By-This-Name"}
    assert entry.actor == agent


def test_an_empty_list_without_a_search_writes_nothing(agent_client):
    assert agent_client.get(admin_url(Case, "changelist")).status_code == 200
    assert not accesses().exists()


def test_the_intake_look_up_logs_the_callers_it_returns(agent_client, agent, actor):
    caller = make_patient(actor, family_name="Quillfeather")
    url = reverse("admin:autocomplete")
    params = {"app_label": "cases", "model_name": "case", "field_name": "patient"}

    response = agent_client.get(url, {**params, "term": "Quillfeather"})
    assert [int(item["id"]) for item in response.json()["results"]] == [caller.pk]
    (entry,) = accesses()
    assert entry.patient_pk == caller.pk
    assert entry.additional_data["access"]["kind"] == AccessKind.LOOKUP
    assert entry.additional_data["access"]["query"] == {"term": "Quillfeather"}

    agent_client.get(url, {**params, "term": ""})  # an empty box looks nobody up
    assert accesses().count() == 1
    agent_client.get(url, {**params, "term": "Nobody"})
    miss = accesses().last()
    assert (miss.object_pk, miss.additional_data["access"]["listed"]) == ("", 0)


def test_list_pages_log_with_a_constant_number_of_queries(agent_client, actor, category):
    def page_queries(rows: int) -> int:
        while Case.objects.count() < rows:
            make_case(actor=actor, category=category)
        with CaptureQueriesContext(connection) as context:
            assert agent_client.get(admin_url(Case, "changelist")).status_code == 200
        return len(context.captured_queries)

    assert page_queries(2) == page_queries(25)
    assert accesses().filter(case_pk__isnull=False).count() == 2 + 25


# --- the request's address and correlation id -----------------------------------------------------


def test_a_forged_forwarded_for_header_is_not_the_address(agent_client, case):
    agent_client.get(
        admin_url(Case, "change", case.pk), HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7"
    )
    assert accesses().get().remote_addr == "127.0.0.1"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),  # no proxy trusted: the peer
        (1, "203.0.113.9", "203.0.113.9"),  # one proxy: what it appended
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client's own prefix is ignored
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.2"),  # fewer hops than proxies: the peer
        (1, "not-an-address", "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_behind_trusted_proxies(rf, settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_writes_and_reads_of_one_request_share_a_server_made_correlation_id(
    admin_client, admin_user, case
):
    url = admin_url(Case, "changelist")
    response = admin_client.post(
        url,
        {"action": "mark_in_progress", "_selected_action": [case.pk]},
        HTTP_X_CORRELATION_ID="client-chosen",
    )
    assert response.status_code == 302
    written = AuditEntry.objects.filter(case_pk=case.pk, action=AuditEntry.Action.UPDATE).get()
    assert written.actor == admin_user
    assert written.cid and written.cid != "client-chosen"
    event = AuditEntry.objects.filter(  # the transition's timeline event (newest first)
        case_pk=case.pk, action=AuditEntry.Action.CREATE, content_type__model="caseevent"
    ).first()
    assert event.cid == written.cid
    admin_client.get(url)
    assert accesses().get().cid not in (written.cid, "client-chosen")


# --- record_access itself ------------------------------------------------------------------------


def test_record_access_needs_an_actor_and_a_known_kind(actor, case):
    with pytest.raises(ValueError, match="actor"):
        record_access([case], actor=None, kind=AccessKind.VIEW, via="api")
    with pytest.raises(ValueError, match="kind"):
        record_access([case], actor=actor, kind="peek", via="api")
    assert not accesses().exists()


def test_a_summary_entry_carries_its_subject(actor, case):
    written = record_access(
        [],
        actor=actor,
        kind=AccessKind.EXPORT,
        via="compliance",
        model=AuditEntry,
        summary="Audit trail export",
        query={"patient": "TEST1"},
        subject=(case.patient_id, None),
    )
    assert written == 1
    entry = accesses().get()
    assert (entry.object_repr, entry.patient_pk, entry.case_pk) == (
        "Audit trail export",
        case.patient_id,
        None,
    )


# --- the subject of change entries ---------------------------------------------------------------


def test_change_entries_carry_their_patient_and_case(actor, category):
    case = make_case(actor=actor, category=category)
    services.case_add_note(actor=actor, case=case, body="note", visibility=Visibility.INTERNAL)
    for entry in AuditEntry.objects.filter(case_pk=case.pk):
        assert entry.patient_pk == case.patient_id
    kinds = set(
        AuditEntry.objects.filter(case_pk=case.pk).values_list("content_type__model", flat=True)
    )
    assert {"case", "caseevent"} <= kinds
    assert AuditEntry.objects.filter(
        patient_pk=case.patient_id, content_type__model="patient"
    ).exists()


def test_the_subject_of_an_event_without_its_case_loaded(actor, case):
    event = CaseEvent.objects.filter(case=case).first()
    fresh = CaseEvent.objects.get(pk=event.pk)
    assert subject_of(fresh) == (case.patient_id, case.pk)
    assert subject_of(actor) == (None, None)


# --- savepoints ---------------------------------------------------------------------------------


def test_a_rolled_back_savepoint_leaves_no_entry_and_the_chain_intact(actor, case, seal_audit):
    before = AuditEntry.objects.count()
    with transaction.atomic():
        record_access([case], actor=actor, kind=AccessKind.VIEW, via="test")
        try:
            with transaction.atomic():
                record_access([case.patient], actor=actor, kind=AccessKind.VIEW, via="test")
                raise RuntimeError("undo")
        except RuntimeError:
            pass
        record_access([case], actor=actor, kind=AccessKind.LIST, via="test")
    assert AuditEntry.objects.count() == before + 2
    assert not AuditEntry.objects.filter(content_type__model="patient", action=ACCESS).exists()
    seal_audit()
    report = verify_chain()
    assert report.intact, report.reason
    assert report.checked == AuditEntry.objects.count()
    indexes = list(AuditSeal.objects.values_list("chain_index", flat=True))
    assert indexes == list(range(len(indexes)))


def test_a_nul_in_a_search_is_logged_not_a_server_error(agent_client):
    response = agent_client.get(admin_url(Patient, "changelist"), {"q": "a\x00b"})
    assert response.status_code == 200
    (entry,) = accesses()
    assert entry.additional_data["access"]["query"] == {"q": "a\ufffdb"}
