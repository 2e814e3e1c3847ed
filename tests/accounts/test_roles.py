"""The role groups (``ensure_role_groups``, the ``ensure_roles`` command) and the system account."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from accounts.models import SYSTEM_USERNAME, User
from accounts.roles import ROLE_PERMISSIONS, Role, ensure_role_groups
from accounts.services import system_user

pytestmark = pytest.mark.django_db

ROLE_NAMES = {
    "Agent",
    "Portal support agent",
    "Supervisor",
    "Clinician",
    "Compliance officer",
    "Administrator",
    "Partner system",
    "Sensitive records",
}


def _permissions(group: Group) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def _all_role_permissions() -> dict[str, set[str]]:
    return {group.name: _permissions(group) for group in Group.objects.filter(name__in=ROLE_NAMES)}


def _permission(name: str) -> Permission:
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


# --- ensure_role_groups ---------------------------------------------------------------------------


def test_creates_the_role_groups_with_exactly_their_permissions():
    assert not Group.objects.filter(name__in=ROLE_NAMES).exists()

    groups = ensure_role_groups()

    assert set(groups) == ROLE_NAMES
    assert set(Group.objects.values_list("name", flat=True)) == ROLE_NAMES
    for name, group in groups.items():
        assert group.pk is not None
        assert _permissions(group) == set(ROLE_PERMISSIONS[name]), name


def test_role_permissions_keep_their_documented_shape():
    groups = ensure_role_groups()
    agent = _permissions(groups[Role.AGENT])
    supervisor = _permissions(groups[Role.SUPERVISOR])
    compliance = _permissions(groups[Role.COMPLIANCE_OFFICER])
    administrator = _permissions(groups[Role.ADMINISTRATOR])
    partner = _permissions(groups[Role.PARTNER_SYSTEM])
    sensitive = _permissions(groups[Role.SENSITIVE_RECORDS])

    assert sensitive == {"cases.view_sensitive"}
    assert "cases.view_sensitive" not in agent | supervisor | administrator | partner
    assert {"cases.view_all_cases", "cases.view_sensitive"} <= compliance
    assert "cases.change_case" in agent
    assert "cases.delete_case" not in agent
    assert agent < supervisor
    # A clinician works cases like an agent and reads the escalations of the cases they see.
    clinician = _permissions(groups[Role.CLINICIAN])
    assert agent < clinician
    assert "cases.view_sensitive" not in clinician
    assert "escalations.review_escalation" not in clinician | supervisor
    # Setting sensitivity: the privacy officer (compliance) and supervisors, no one else.
    assert "cases.set_sensitivity" in supervisor
    assert "cases.set_sensitivity" not in agent | clinician | partner
    assert agent < administrator
    # Compliance reads everything that holds or controls access to PHI and changes nothing.
    assert compliance
    # ... except signing off emergency accesses, which is their review job, and exporting and
    # verifying the audit trail (a verification run is recorded; nothing else changes), and
    # deciding what is sensitive (the privacy officer's call, with a reason, audited).
    review = {
        "cases.set_sensitivity",
        "oversight.change_breakglassaccess",
        "oversight.review_breakglassaccess",
        "compliance.export_auditentry",
        "compliance.add_chainverification",
    }
    assert review <= compliance
    assert all(name.split(".")[1].startswith("view_") for name in compliance - review)
    assert {"compliance.view_auditentry", "compliance.view_chainverification"} <= compliance
    for permissions in (agent, supervisor, administrator, partner):
        assert not {name for name in permissions if name.startswith("compliance.")}
    assert {"cases.view_patient", "cases.view_caseevent", "accounts.view_user"} <= compliance
    # A partner system submits cases; it never browses patients or timelines.
    assert partner == {"cases.add_case", "cases.view_case", "cases.view_category"}
    # Nobody may delete a case, a patient or a timeline event: the record is permanent.
    for permissions in (agent, supervisor, compliance, administrator, partner):
        assert not permissions & {
            "cases.delete_case",
            "cases.delete_patient",
            "cases.delete_caseevent",
            "cases.change_caseevent",
        }


def test_is_idempotent():
    first = {name: group.pk for name, group in ensure_role_groups().items()}
    permissions = _all_role_permissions()

    second = {name: group.pk for name, group in ensure_role_groups().items()}

    assert second == first
    assert _all_role_permissions() == permissions
    assert Group.objects.filter(name__in=ROLE_NAMES).count() == len(ROLE_NAMES)


def test_restores_a_permission_removed_by_hand_and_drops_one_added_by_hand():
    groups = ensure_role_groups()
    agent = groups[Role.AGENT]
    agent.permissions.remove(_permission("cases.change_case"))
    agent.permissions.add(_permission("cases.delete_case"))
    assert "cases.change_case" not in _permissions(agent)

    ensure_role_groups()

    agent.refresh_from_db()
    assert _permissions(agent) == set(ROLE_PERMISSIONS[Role.AGENT])


def test_leaves_other_groups_alone():
    other = Group.objects.create(name="Volunteers")
    other.permissions.add(_permission("cases.view_category"))

    ensure_role_groups()

    assert _permissions(other) == {"cases.view_category"}


def test_refuses_when_a_permission_is_missing():
    _permission("cases.view_queue").delete()

    with pytest.raises(LookupError, match=r"cases\.view_queue"):
        ensure_role_groups()

    assert not Group.objects.filter(name__in=ROLE_NAMES).exists()  # checked before any write


# --- the ensure_roles command ---------------------------------------------------------------------


def test_ensure_roles_command_prints_each_group():
    stdout = StringIO()
    call_command("ensure_roles", stdout=stdout)

    lines = stdout.getvalue().splitlines()
    assert lines == [
        f"{name}: {len(set(permissions))} permissions"
        for name, permissions in ROLE_PERMISSIONS.items()
    ]
    assert {line.split(":")[0] for line in lines} == ROLE_NAMES
    assert set(Group.objects.values_list("name", flat=True)) == ROLE_NAMES


# --- the system account ---------------------------------------------------------------------------


def test_system_user_is_one_system_account_that_cannot_log_in():
    user = system_user()

    assert user.pk is not None
    assert user.username == SYSTEM_USERNAME
    assert user.kind == User.Kind.SYSTEM
    assert not user.has_usable_password()
    assert not user.is_staff
    assert not user.is_superuser

    again = system_user()
    assert again.pk == user.pk
    assert get_user_model().objects.filter(kind=User.Kind.SYSTEM).count() == 1
    stored = get_user_model().objects.get(pk=user.pk)
    assert not stored.has_usable_password()


def test_system_user_loses_a_password_set_by_hand():
    user = system_user()
    user.set_password("someone-set-this-123")
    user.save()

    assert not system_user().has_usable_password()
    assert not get_user_model().objects.get(pk=user.pk).has_usable_password()
