"""Every write path leaves exactly one audit entry per logical change — one per row created,
changed or deleted, never a duplicate, never one for a save that changed nothing — each with the
actor responsible: the service's actor, the admin's request user, the system account for
commands and tasks."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import call_command
from django.urls import reverse
from guardian.shortcuts import assign_perm

from accounts.models import SYSTEM_USERNAME
from accounts.roles import Role, ensure_role_groups
from cases import services
from cases.choices import Channel, Status, Visibility
from cases.models import Case
from compliance.models import AuditEntry, ChainVerification
from compliance.tasks import verify_audit_chain
from oversight.services import break_glass_open, break_glass_review
from tests.factories import QueueFactory, UserFactory, make_case, make_patient

pytestmark = pytest.mark.django_db

CREATE, UPDATE, ACCESS = (
    AuditEntry.Action.CREATE,
    AuditEntry.Action.UPDATE,
    AuditEntry.Action.ACCESS,
)


class NewEntries:
    """The entries written since it was made."""

    def __init__(self) -> None:
        head = AuditEntry.objects.order_by("-id").values_list("id", flat=True)
        self.after = head.first() if head.exists() else -1

    def get(self) -> list[AuditEntry]:
        return list(
            AuditEntry.objects.filter(id__gt=self.after)
            .exclude(action=ACCESS)
            .select_related("content_type", "actor")
            .order_by("id")
        )

    def summary(self) -> Counter:
        return Counter((e.content_type.model, e.action) for e in self.get())

    def rows(self) -> list[tuple[str, str, int]]:
        return [(e.content_type.model, e.object_pk, e.action) for e in self.get()]


def _assert_once_each(entries: NewEntries, expected: dict, actor) -> None:
    assert entries.summary() == Counter(expected)
    rows = entries.rows()
    assert len(rows) == len(set(rows)), "a row was audited twice for one change"
    assert {e.actor for e in entries.get()} == {actor}


@pytest.fixture
def case(actor, category):
    return make_case(actor=actor, category=category)


def test_patient_services(actor):
    entries = NewEntries()
    patient = make_patient(actor)
    _assert_once_each(entries, {("patient", CREATE): 1}, actor)

    entries = NewEntries()
    services.patient_update(
        # 0299: outside the factory's range (0100-0199), so the phone always changes
        actor=actor,
        patient=patient,
        phone="+12025550299",
        email="x@example.org",
    )
    _assert_once_each(entries, {("patient", UPDATE): 1}, actor)
    (change,) = entries.get()
    assert set(change.changes) == {"phone", "email"}

    entries = NewEntries()
    services.patient_update(actor=actor, patient=patient, phone="+12025550299")  # no change
    assert entries.get() == []


def test_case_open(actor, category):
    patient = make_patient(actor)
    entries = NewEntries()
    services.case_open(
        actor=actor,
        patient=patient,
        category=category,
        subject="Statement",
        description="A charge",
        channel=Channel.SMS,
    )
    _assert_once_each(entries, {("case", CREATE): 1, ("caseevent", CREATE): 1}, actor)


@pytest.mark.parametrize(
    ("work", "expected"),
    [
        (
            lambda actor, other, case: services.case_assign(actor=actor, case=case, assignee=other),
            {("case", UPDATE): 1, ("caseevent", CREATE): 1},
        ),
        (
            lambda actor, other, case: services.case_transition(
                actor=actor, case=case, to_status=Status.IN_PROGRESS
            ),
            {("case", UPDATE): 1, ("caseevent", CREATE): 1},
        ),
        (
            lambda actor, other, case: services.case_add_note(
                actor=actor, case=case, body="internal", visibility=Visibility.INTERNAL
            ),
            {("caseevent", CREATE): 1},
        ),
        (
            lambda actor, other, case: services.case_add_note(
                actor=actor, case=case, body="to the patient", visibility=Visibility.PATIENT
            ),
            # the first reply also stamps the case's first response time
            {("case", UPDATE): 1, ("caseevent", CREATE): 1},
        ),
    ],
    ids=["assign", "transition", "note", "reply"],
)
def test_case_services(actor, other_agent, case, work, expected):
    entries = NewEntries()
    work(actor, other_agent, case)
    _assert_once_each(entries, expected, actor)


def test_break_glass_open_and_review(actor, case):
    groups = ensure_role_groups()
    night = UserFactory(username="night-agent", is_staff=True)
    night.groups.add(groups[Role.CLINICIAN])  # a role that may break the glass
    assign_perm("cases.work_queue", night, QueueFactory(name="Elsewhere", slug="elsewhere"))
    reviewer = UserFactory(username="privacy-officer")
    reviewer.groups.add(groups[Role.COMPLIANCE_OFFICER])

    entries = NewEntries()
    access = break_glass_open(
        actor=night,
        reference=case.reference,
        reason="Patient on the line reports a reaction; need the open case now.",
    )
    _assert_once_each(
        entries,
        {
            ("caseuserobjectpermission", CREATE): 1,
            ("breakglassaccess", CREATE): 1,
            ("caseevent", CREATE): 1,
        },
        night,
    )
    assert {e.case_pk for e in entries.get()} == {case.pk}

    entries = NewEntries()
    break_glass_review(actor=reviewer, access=access, outcome="appropriate")
    _assert_once_each(entries, {("breakglassaccess", UPDATE): 1}, reviewer)


def test_admin_patient_edit(admin_client, admin_user, case):
    patient = case.patient
    url = reverse("admin:cases_patient_change", args=[patient.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "date_of_birth": patient.date_of_birth.isoformat(),
            "phone": "+12025550142",
            "sms_consent": "on" if patient.sms_consent else "",
            "interpreter_needed": "",
        }
    )
    data = {key: value for key, value in data.items() if value != ""}
    entries = NewEntries()
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    _assert_once_each(entries, {("patient", UPDATE): 1}, admin_user)
    (change,) = entries.get()
    assert set(change.changes) == {"phone"}
    assert change.remote_addr == "127.0.0.1"


def test_admin_action(admin_client, admin_user, case):
    entries = NewEntries()
    response = admin_client.post(
        reverse("admin:cases_case_changelist"),
        {"action": "mark_in_progress", "_selected_action": [case.pk]},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == Status.IN_PROGRESS
    _assert_once_each(entries, {("case", UPDATE): 1, ("caseevent", CREATE): 1}, admin_user)


def test_a_management_command_writes_as_the_system_account(db):
    entries = NewEntries()
    call_command("ensure_roles", verbosity=0)
    written = entries.get()
    assert written
    assert {e.actor.username for e in written} == {SYSTEM_USERNAME}
    rows = entries.rows()
    assert len(rows) == len(set(rows))
    # run again: nothing changed, nothing written
    entries = NewEntries()
    call_command("ensure_roles", verbosity=0)
    assert entries.get() == []


def test_a_task_writes_as_its_requester_or_the_system_account(actor):
    entries = NewEntries()
    verify_audit_chain.delay()  # eager in tests, as in the embedded default
    (created, finished) = entries.get()
    assert (created.action, finished.action) == (CREATE, UPDATE)
    assert {created.actor.username, finished.actor.username} == {SYSTEM_USERNAME}
    assert ChainVerification.objects.get().intact is True

    entries = NewEntries()
    verify_audit_chain.delay(source="page", requested_by=actor.pk)
    assert {e.actor for e in entries.get()} == {actor}
