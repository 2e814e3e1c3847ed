"""The supervisor's view (``/console/supervisor/``): every supervised queue, its open, unassigned
and overdue cases, and the workload per agent — one aggregate query, whatever the number of
agents and cases."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from accounts.roles import Role, ensure_role_groups
from cases import services
from cases.choices import Priority, Status
from cases.models import Case
from tests.console.pages_world import login, page_text, world_fixture  # noqa: F401
from tests.factories import UserFactory, make_case

pytestmark = pytest.mark.django_db

SUPERVISOR = "/console/supervisor/"


def workload(response, queue_name: str) -> dict[str, tuple[str, str, str]]:
    """Agent name -> (open, high or urgent, overdue) from the queue's workload table."""
    summary = next(s for s in response.context["summaries"] if s["queue"].name == queue_name)
    return {
        agent["person"].display_name: (agent["open"], agent["urgent"], agent["overdue"])
        for agent in summary["agents"]
    }


def test_the_supervisor_sees_each_supervised_queue_and_its_workload(client, world):
    a1 = make_case(actor=world.intake, category=world.category, priority=Priority.URGENT)
    a2 = make_case(actor=world.intake, category=world.category)
    b1 = make_case(actor=world.intake, category=world.category)
    done = make_case(actor=world.intake, category=world.category)
    for case in (a1, a2):
        services.case_claim(actor=world.agent, case=case)
    services.case_claim(actor=world.agent2, case=b1)
    services.case_claim(actor=world.agent2, case=done)
    services.case_transition(actor=world.agent2, case=done, to_status=Status.RESOLVED)
    Case.objects.filter(pk=a2.pk).update(resolution_due_at=timezone.now() - timedelta(hours=1))

    response = login(client, world.supervisor).get(SUPERVISOR)

    assert response.status_code == 200
    assert workload(response, "Billing") == {
        "Ada Tester": (2, 1, 1),
        "Bo Tester": (1, 0, 0),
        "Sam Tester": (0, 0, 0),  # a member with nothing open is listed too
        "Rory Tester": (0, 0, 0),  # the world's superuser supervises it through its role
    }
    summary = response.context["summaries"][0]
    assert (summary["open"], summary["unassigned"], summary["overdue"]) == (4, 1, 1)
    html = page_text(response)
    assert "<caption>Workload in Billing: open cases per agent</caption>" in html
    assert '<span class="sla-overdue-text">1 overdue</span>' in html
    assert f'href="{reverse("console:queue")}?queue={world.queue.pk}">4 open cases</a>' in html
    assert "Pharmacy" not in html  # not supervised
    assert "Ownqueuepatient" not in html  # no patient data


def test_group_members_and_assignees_from_elsewhere_count(client, world):
    group = ensure_role_groups()[Role.AGENT]
    team_member = UserFactory(username="team-member", first_name="Tia", last_name="Team")
    team_member.groups.add(group)
    from django.contrib.auth.models import Group

    team = Group.objects.create(name="Billing team")
    team.user_set.add(team_member)
    assign_perm("cases.work_queue", team, world.queue)
    services.case_assign(actor=world.supervisor, case=world.case, assignee=world.foreign)

    response = login(client, world.supervisor).get(SUPERVISOR)

    agents = workload(response, "Billing")
    assert agents["Tia Team"] == (0, 0, 0)
    assert agents["Fay Tester"] == (1, 0, 0)


def test_a_superuser_sees_the_queues_its_role_supervises_and_none_without_one(client, world):
    """Issue 17: the superuser flag gives no queue; the Supervisor role's grants do."""
    response = login(client, world.root).get(SUPERVISOR)
    names = [s["queue"].name for s in response.context["summaries"]]
    assert names == ["Billing", "Pharmacy"]
    assert login(client, world.superuser).get(SUPERVISOR).status_code == 404


def test_the_nav_offers_the_supervisor_page_only_to_supervisors(client, world):
    link = f'href="{SUPERVISOR}"'
    assert link in page_text(login(client, world.supervisor).get(reverse("console:queue")))
    assert link not in page_text(login(client, world.agent).get(reverse("console:queue")))


def test_the_query_count_does_not_grow_with_agents_or_cases(
    client, world, django_assert_num_queries
):
    """Session, user, the session's second-factor device (django-otp), permissions (2), the
    access scope (the user's queue and case grants, once per request: issue 18), queues,
    the workload aggregate, memberships by user and by group, the people, the overdue
    complaints; no session save (issue 18: the idle timeout's stamp is refreshed at most once a
    minute, accounts/idle.py)."""
    login(client, world.supervisor)
    client.get(SUPERVISOR)
    with django_assert_num_queries(12):
        client.get(SUPERVISOR)
    for n in range(6):
        agent = UserFactory(username=f"extra-{n}", first_name=f"Extra{n}")
        assign_perm("cases.work_queue", agent, world.queue)
        services.case_assign(
            actor=world.supervisor,
            case=make_case(actor=world.intake, category=world.category),
            assignee=agent,
        )
    with django_assert_num_queries(12):
        response = client.get(SUPERVISOR)
    assert len(workload(response, "Billing")) == 10  # with the world's ``root``
    assert re.search(r"7 open cases</a>", page_text(response))


def test_an_open_case_whose_first_response_was_late_counts_as_overdue(client, world):
    """Met late is a breach (cases.sla_state), on the supervisor's counts too."""
    late = make_case(actor=world.intake, category=world.category)
    on_time = make_case(actor=world.intake, category=world.category)
    now = timezone.now()
    for case, due in ((late, now - timedelta(minutes=30)), (on_time, now + timedelta(hours=1))):
        Case.objects.filter(pk=case.pk).update(
            first_response_due_at=due, resolution_due_at=now + timedelta(hours=8)
        )
        services.case_claim(actor=world.agent, case=case)
        services.case_add_note(
            actor=world.agent, case=Case.objects.get(pk=case.pk), body="Hi.", visibility="patient"
        )

    response = login(client, world.supervisor).get(SUPERVISOR)

    assert workload(response, "Billing")["Ada Tester"] == (2, 0, 1)
