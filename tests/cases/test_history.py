"""Row history (django-simple-history) of patients, cases and category details.

Every service write leaves exactly one version of each row it saves, authored by the service's
actor (also outside a request, and even when a request's user is someone else); ``as_of`` gives
the record as it was; the admin History pages read through ``restrict()`` (404 for the invisible),
show changes under minimum necessary, and never revert.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from guardian.shortcuts import assign_perm
from simple_history.models import HistoricalRecords

from accounts.roles import Role, ensure_role_groups
from billing_inquiries.models import BillingInquiry
from cases import minimum_necessary as mn
from cases import services
from cases.choices import Channel, Status, Visibility
from cases.models import Case, Patient
from complaints.models import Complaint, Outcome
from complaints.services import complaint_acknowledge, complaint_respond
from tests.factories import CategoryFactory, UserFactory, make_patient, patient_fields

pytestmark = pytest.mark.django_db

CREATED, CHANGED = "+", "~"
T0 = datetime.datetime(2026, 3, 2, 14, 0, tzinfo=datetime.UTC)  # a Monday, office hours
MINUTE = datetime.timedelta(minutes=1)


def versions(history) -> list[tuple[str, int]]:
    """(history_type, history_user id) of each version, oldest first."""
    return list(
        history.order_by("history_date", "history_id").values_list(
            "history_type", "history_user_id"
        )
    )


def open_case(actor, category, **overrides) -> Case:
    arguments = {
        "actor": actor,
        "patient": make_patient(actor),
        "category": category,
        "subject": "Question about a statement",
        "description": "The patient asks about a charge.",
        "channel": Channel.VOICE,
    }
    return services.case_open(**{**arguments, **overrides})


# --- 1. one version per row a service saves, by the actor ----------------------------------------


def test_patient_create_and_update(actor, other_agent):
    patient = make_patient(actor)
    assert versions(patient.history) == [(CREATED, actor.pk)]

    services.patient_update(actor=other_agent, patient=patient, given_name="Renamed")
    assert versions(patient.history) == [(CREATED, actor.pk), (CHANGED, other_agent.pk)]
    assert patient.history.first().given_name == "Renamed"

    services.patient_update(actor=other_agent, patient=patient, given_name="Renamed")  # no change
    assert patient.history.count() == 2


def test_patient_match_or_create_versions_only_a_new_patient(actor, intake_agent):
    other_agent = intake_agent  # a role: intake may match it to the patient
    data = patient_fields(4711)
    patient = services.patient_match_or_create(actor=actor, data=data)
    assert versions(patient.history) == [(CREATED, actor.pk)]

    again = services.patient_match_or_create(actor=other_agent, data=data)  # matched by MRN
    assert again.pk == patient.pk
    assert versions(patient.history) == [(CREATED, actor.pk)]


def test_case_open_versions_the_case_and_a_patient_registered_at_intake(actor, category):
    case = open_case(actor, category, patient=patient_fields(4712))

    assert versions(case.history) == [(CREATED, actor.pk)]
    assert versions(case.patient.history) == [(CREATED, actor.pk)]
    assert case.history.get().reference == case.reference


def test_case_open_with_an_existing_patient_does_not_version_the_patient(actor, category):
    patient = make_patient(actor)
    open_case(actor, category, patient=patient)
    assert patient.history.count() == 1


def test_each_work_service_writes_one_version_by_its_actor(actor, other_agent, category):
    case = open_case(actor, category)

    services.case_assign(actor=other_agent, case=case, assignee=other_agent)
    services.case_assign(actor=other_agent, case=case, assignee=other_agent)  # no change
    services.case_transition(actor=actor, case=case, to_status=Status.IN_PROGRESS)
    services.case_add_note(actor=other_agent, case=case, body="n", visibility=Visibility.INTERNAL)
    services.case_add_note(actor=actor, case=case, body="r", visibility=Visibility.PATIENT)
    services.case_assign(actor=actor, case=case, assignee=None)

    assert versions(case.history) == [
        (CREATED, actor.pk),
        (CHANGED, other_agent.pk),
        (CHANGED, actor.pk),
        (CHANGED, other_agent.pk),
        (CHANGED, actor.pk),
        (CHANGED, actor.pk),
    ]
    states = case.history.order_by("history_date", "history_id").values_list(
        "status", "assigned_to_id"
    )
    assert list(states) == [
        (Status.NEW, None),
        (Status.NEW, other_agent.pk),
        (Status.IN_PROGRESS, other_agent.pk),
        (Status.IN_PROGRESS, other_agent.pk),
        (Status.IN_PROGRESS, other_agent.pk),
        (Status.IN_PROGRESS, None),
    ]
    reply_version = case.history.order_by("-history_date", "-history_id")[1]
    assert reply_version.first_response_at is not None


def test_a_refused_write_leaves_no_version(actor, category):
    case = open_case(actor, category)
    with pytest.raises(ValidationError):
        services.case_transition(actor=actor, case=case, to_status=Status.CLOSED)
    assert case.history.count() == 1


def test_the_actor_is_the_author_even_inside_another_users_request(actor, other_agent, category):
    """The request middleware's user is only a fallback: the service's explicit actor wins."""
    case = open_case(actor, category)
    request = RequestFactory().get("/")
    request.user = other_agent
    HistoricalRecords.context.request = request
    try:
        services.case_transition(actor=actor, case=case, to_status=Status.TRIAGED)
    finally:
        del HistoricalRecords.context.request

    assert case.history.first().history_user == actor


# --- 2. details ----------------------------------------------------------------------------------


def test_details_are_versioned_at_intake(actor):
    category = CategoryFactory(kind="billing")
    case = open_case(
        actor,
        category,
        details={"inquiry_type": "payment_plan", "account_number": "ACC-1001"},
    )

    detail = BillingInquiry.objects.get(pk=case.pk)
    version = detail.history.get()
    assert (version.history_type, version.history_user) == (CREATED, actor)
    assert version.case_id == case.pk  # keyed by the one-to-one primary key
    assert (version.inquiry_type, version.account_number, version.payment_plan_requested) == (
        "payment_plan",
        "ACC-1001",
        True,
    )
    assert BillingInquiry.history.filter(case_id=case.pk).count() == 1


def test_complaint_services_version_the_complaint(actor, other_agent, time_machine):
    time_machine.move_to(T0, tick=False)
    case = open_case(
        actor,
        CategoryFactory(kind="complaints"),
        details={"complaint_type": "care", "severity": "moderate"},
    )
    time_machine.move_to(T0 + 60 * MINUTE, tick=False)
    complaint_acknowledge(actor=other_agent, case=case)
    time_machine.move_to(T0 + 120 * MINUTE, tick=False)
    complaint_respond(
        actor=other_agent, case=case, outcome=Outcome.NOT_UPHELD, summary="Explained."
    )

    complaint = Complaint.objects.get(pk=case.pk)
    assert versions(complaint.history) == [
        (CREATED, actor.pk),
        (CHANGED, other_agent.pk),
        (CHANGED, other_agent.pk),
    ]
    # as_of across the one-to-one primary key: the model-wide query and the instance one
    acknowledged = Complaint.history.as_of(T0 + 90 * MINUTE).get(pk=case.pk)
    assert acknowledged.acknowledged_at == T0 + 60 * MINUTE
    assert (acknowledged.responded_at, acknowledged.outcome) == (None, Outcome.PENDING)
    assert complaint.history.as_of(T0 + 30 * MINUTE).acknowledged_at is None
    assert complaint.history.as_of(T0 + 150 * MINUTE).outcome == Outcome.NOT_UPHELD


# --- 3. the case as it was at time T -------------------------------------------------------------


def test_as_of_returns_the_case_as_it_was(actor, category, time_machine):
    time_machine.move_to(T0, tick=False)
    case = open_case(actor, category)
    time_machine.move_to(T0 + 60 * MINUTE, tick=False)
    services.case_transition(actor=actor, case=case, to_status=Status.IN_PROGRESS)
    time_machine.move_to(T0 + 120 * MINUTE, tick=False)
    services.case_transition(actor=actor, case=case, to_status=Status.RESOLVED)

    before = case.history.as_of(T0 + 30 * MINUTE)
    assert isinstance(before, Case)
    assert (before.status, before.resolved_at) == (Status.NEW, None)
    assert Case.history.as_of(T0 + 90 * MINUTE).get(pk=case.pk).status == Status.IN_PROGRESS
    after = case.history.as_of(T0 + 180 * MINUTE)
    assert (after.status, after.resolved_at) == (Status.RESOLVED, T0 + 120 * MINUTE)
    with pytest.raises(Case.DoesNotExist):
        case.history.as_of(T0 - MINUTE)
    # the model-wide as_of leaves out cases that did not exist yet
    assert not Case.history.as_of(T0 - MINUTE).filter(pk=case.pk).exists()
    case.refresh_from_db()
    assert case.status == Status.RESOLVED


# --- 4. the admin --------------------------------------------------------------------------------


def history_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])


def version_url(obj, version_id) -> str:
    opts = obj._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, version_id]
    )


@pytest.fixture
def groups(db):
    return ensure_role_groups()


@pytest.fixture
def worked_case(actor, other_agent, category):
    case = open_case(actor, category)
    services.case_assign(actor=other_agent, case=case, assignee=other_agent)
    services.case_transition(actor=other_agent, case=case, to_status=Status.IN_PROGRESS)
    return case


def staff_with_role(groups, role: str, username: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(groups[role])
    return user


@pytest.fixture
def queue_agent(groups, worked_case):
    agent = staff_with_role(groups, Role.AGENT, "history-queue-agent")
    assign_perm("cases.work_queue", agent, worked_case.queue)
    return agent


@pytest.fixture
def outside_agent(groups, worked_case):
    return staff_with_role(groups, Role.AGENT, "history-outside-agent")  # no queue grant


@pytest.mark.parametrize("model", [Case, Patient])
@pytest.mark.parametrize(
    ("who", "status"), [("superuser", 200), ("queue_agent", 200), ("outside_agent", 404)]
)
def test_history_page_access(request, client, worked_case, model, who, status):
    user = request.getfixturevalue("admin_user" if who == "superuser" else who)
    client.force_login(user)
    obj = worked_case if model is Case else worked_case.patient

    response = client.get(history_url(obj))

    assert response.status_code == status
    if status == 200:
        assert response.context["page_obj"].paginator.count == obj.history.count()
        assert response.context["revert_disabled"] is True
        assert "to revert" not in response.content.decode()


def test_history_page_of_a_missing_record_is_404(admin_client):
    assert admin_client.get(reverse("admin:cases_case_history", args=[999_999])).status_code == 404
    assert admin_client.get(reverse("admin:cases_case_history", args=["x"])).status_code == 404


def test_history_page_lists_versions_with_their_authors(admin_client, worked_case, other_agent):
    response = admin_client.get(history_url(worked_case))

    records = list(response.context["page_obj"])
    assert [record.history_user for record in records][:2] == [other_agent, other_agent]
    assert [change["field"] for change in records[0].history_delta_changes] == ["Status"]
    assert {"field": "Status", "old": "new", "new": "in_progress"} in records[
        0
    ].history_delta_changes


@pytest.mark.parametrize(
    ("who", "status"), [("superuser", 200), ("queue_agent", 200), ("outside_agent", 404)]
)
def test_version_page_access_and_read_only(request, client, worked_case, who, status):
    user = request.getfixturevalue("admin_user" if who == "superuser" else who)
    client.force_login(user)
    first = worked_case.history.earliest()

    response = client.get(version_url(worked_case, first.history_id))

    assert response.status_code == status
    if status == 200:
        assert response.context["original"].status == Status.NEW  # the version, not today's row
        assert response.context["adminform"].form.fields == {}  # every field read-only
        assert response.context["revert_disabled"] is True
        assert 'value="Revert"' not in response.content.decode()


def test_patient_version_page_is_read_only_for_an_agent_who_may_change_patients(
    client, worked_case, queue_agent
):
    patient = worked_case.patient
    services.patient_update(actor=queue_agent, patient=patient, given_name="Renamed")
    client.force_login(queue_agent)

    response = client.get(version_url(patient, patient.history.earliest().history_id))

    assert response.status_code == 200
    assert response.context["original"].given_name == "Testy"
    assert response.context["adminform"].form.fields == {}
    assert 'value="Revert"' not in response.content.decode()


def test_version_page_of_another_records_version_or_a_bad_id_is_404(
    admin_client, actor, category, worked_case
):
    other = open_case(actor, category)
    foreign_version = other.history.get().history_id
    assert admin_client.get(version_url(worked_case, foreign_version)).status_code == 404
    assert admin_client.get(version_url(worked_case, "abc")).status_code == 404
    assert admin_client.get(version_url(worked_case, 999_999)).status_code == 404


@pytest.mark.parametrize("who", ["superuser", "queue_agent"])
def test_reverting_through_the_admin_is_refused(request, client, worked_case, who):
    user = request.getfixturevalue("admin_user" if who == "superuser" else who)
    patient = worked_case.patient
    services.patient_update(actor=user, patient=patient, given_name="Renamed")
    client.force_login(user)
    first = patient.history.earliest()
    form = {
        name: getattr(first, name)
        for name in services.PATIENT_FIELDS
        if getattr(first, name) is not None
    }

    response = client.post(version_url(patient, first.history_id), {**form, "_save": "Revert"})
    case_response = client.post(
        version_url(worked_case, worked_case.history.earliest().history_id),
        {"status": Status.NEW, "_save": "Revert"},
    )

    assert (response.status_code, case_response.status_code) == (403, 403)
    patient.refresh_from_db()
    worked_case.refresh_from_db()
    assert (patient.given_name, worked_case.status) == ("Renamed", Status.IN_PROGRESS)
    assert (patient.history.count(), worked_case.history.count()) == (2, 3)


def test_a_post_to_an_invisible_records_version_is_404_not_403(client, worked_case, outside_agent):
    client.force_login(outside_agent)
    version = worked_case.history.earliest().history_id
    assert client.post(version_url(worked_case, version), {}).status_code == 404


def test_history_changes_follow_minimum_necessary(client, admin_user, groups, worked_case):
    """An administrator sees the MRN masked and no contact data; the superuser sees all."""
    patient = worked_case.patient
    old_phone, old_mrn = str(patient.phone), patient.mrn
    administrator = staff_with_role(groups, Role.ADMINISTRATOR, "history-administrator")
    assign_perm("cases.work_queue", administrator, worked_case.queue)  # sees the row at all
    services.patient_update(
        actor=administrator,
        patient=patient,
        mrn="NEWMRN7788",
        phone="+12025550999",
        family_name="Changedname",
    )

    client.force_login(admin_user)
    full = client.get(history_url(patient)).content.decode()
    client.force_login(administrator)
    html = client.get(history_url(patient)).content.decode()

    assert "NEWMRN7788" in full and "+12025550999" in full and old_phone in full
    assert "Changedname" in html
    assert "NEWMRN7788" not in html and old_mrn not in html
    assert mn.mask_last4("NEWMRN7788") in html
    assert "+12025550999" not in html and old_phone not in html
