"""A superuser is no way around minimum necessary (issue 17): on the pages of patient data — the
admin's patients, cases and timeline, the console — a superuser has what their roles give and
nothing without one; the configuration pages stay theirs. The read path's cells are in
test_access_matrix.py (``superuser``, ``superuser_agent``), the field rules in
test_minimum_necessary.py."""

from __future__ import annotations

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from accounts.roles import Role, ensure_role_groups
from cases.models import Case
from tests.factories import QueueFactory, UserFactory, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db):
    return UserFactory(username="bare-root", is_superuser=True, is_staff=True)


@pytest.fixture
def records(actor, category):
    case = make_case(actor=actor, category=category)
    return case, case.patient


@pytest.mark.parametrize(
    "page",
    [
        "admin:cases_case_changelist",
        "admin:cases_case_add",
        "admin:cases_patient_changelist",
        "admin:cases_patient_add",
        "admin:cases_caseevent_changelist",
        "admin:oversight_breakglassaccess_changelist",  # the reasons
        "admin:compliance_auditentry_changelist",  # the audit trail
    ],
)
def test_a_superuser_without_a_role_gets_no_patient_data_page(client, root, records, page):
    client.force_login(root)
    response = client.get(reverse(page))
    assert response.status_code == 403  # the admin's answer to a missing model permission


def test_nor_one_record(client, root, records):
    case, patient = records
    client.force_login(root)
    for url in (
        reverse("admin:cases_case_change", args=[case.pk]),
        reverse("admin:cases_patient_change", args=[patient.pk]),
        reverse("admin:cases_case_history", args=[case.pk]),
    ):
        assert client.get(url).status_code in (403, 404), url
    assert case.patient.family_name not in client.get(reverse("admin:index")).content.decode()


@pytest.mark.parametrize(
    "page",
    [
        "admin:index",
        "admin:cases_queue_changelist",
        "admin:cases_category_changelist",
        "admin:cases_slapolicy_changelist",
        "admin:escalations_escalationpathway_changelist",
        "admin:accounts_user_changelist",
    ],
)
def test_the_configuration_pages_stay_a_superusers(client, root, page):
    client.force_login(root)
    assert client.get(reverse(page)).status_code == 200


def test_a_superuser_in_a_role_sees_what_the_role_sees(client, actor, category):
    agent_root = UserFactory(username="agent-root", is_superuser=True, is_staff=True)
    agent_root.groups.add(ensure_role_groups()[Role.AGENT])
    mine = make_case(actor=actor, category=category)
    other = make_case(actor=actor, category=category, queue=QueueFactory(slug="elsewhere"))
    assign_perm("cases.work_queue", agent_root, mine.queue)
    client.force_login(agent_root)

    listing = client.get(reverse("admin:cases_case_changelist"))

    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [mine]
    assert client.get(reverse("admin:cases_case_change", args=[other.pk])).status_code == 404
    Case.objects.filter(pk=mine.pk).update(sensitivity="substance_use")
    assert client.get(reverse("admin:cases_case_change", args=[mine.pk])).status_code == 404


def test_the_console_is_not_a_superusers_without_a_role(client, root):
    client.force_login(root)
    assert client.get(reverse("console:queue")).status_code == 404


def test_the_audit_trail_in_the_admin_is_the_compliance_officers(client, root):
    root.groups.add(ensure_role_groups()[Role.COMPLIANCE_OFFICER])
    client.force_login(root)
    assert client.get(reverse("admin:compliance_auditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:oversight_breakglassaccess_changelist")).status_code == 200
