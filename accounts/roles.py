"""The roles, as Django groups with documented meaning (docs/architecture/roles.md).

Model-level permissions here say what a role may do at all; which queues and cases a person may
see is decided per object (guardian grants on queues, ``Case.objects.restrict()``:
docs/architecture/access.md).
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction


class Role:
    AGENT = "Agent"
    # An agent of the portal and technology team: same work, fewer insurance and billing details.
    PORTAL_SUPPORT_AGENT = "Portal support agent"
    SUPERVISOR = "Supervisor"
    # A nurse, pharmacist, care manager, behavioral-health clinician or privacy officer who
    # receives escalations (escalations/): works the cases escalated to them, under the case
    # grants an escalation gives, and the cases of the queues they are members of.
    CLINICIAN = "Clinician"
    COMPLIANCE_OFFICER = "Compliance officer"
    ADMINISTRATOR = "Administrator"
    PARTNER_SYSTEM = "Partner system"
    # Not a job role but a clearance added to people who may see sensitive records
    # (behavioral health, 42 CFR Part 2, HIV, reproductive health).
    SENSITIVE_RECORDS = "Sensitive records"


_CASE_WORK = [
    "cases.view_patient",
    "cases.add_patient",
    "cases.change_patient",
    "cases.view_case",
    "cases.add_case",
    "cases.change_case",
    "cases.view_caseevent",
    "cases.view_category",
    "cases.view_queue",
]


def _crud(app_label: str, model: str) -> list[str]:
    return [f"{app_label}.{action}_{model}" for action in ("add", "change", "delete", "view")]


ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Works the cases of the queues they are members of: intake, replies, notes, transitions.
    Role.AGENT: _CASE_WORK,
    Role.PORTAL_SUPPORT_AGENT: _CASE_WORK,
    # An agent who also oversees queues: reassigns, watches workload and partner activity.
    Role.SUPERVISOR: [
        *_CASE_WORK,
        "partners.view_partnerorganisation",
        "escalations.view_escalation",
        "escalations.view_escalationpathway",
        # Marks a case or patient sensitive (42 CFR Part 2 …) or clears it, with a reason.
        "cases.set_sensitivity",
        # Decides about patient records flagged at intake: merge, or confirm a different person.
        "cases.reconcile_patient",
    ],
    Role.CLINICIAN: [
        *_CASE_WORK,
        "escalations.view_escalation",
        "escalations.view_escalationpathway",
    ],
    # Reads everything that holds or controls access to PHI; changes nothing but what is
    # sensitive (the privacy officer decides that).
    Role.COMPLIANCE_OFFICER: [
        "cases.view_patient",
        "cases.view_case",
        "cases.view_caseevent",
        "cases.view_category",
        "cases.view_queue",
        "partners.view_partnerorganisation",
        "accounts.view_user",
        "auth.view_group",
        "cases.view_all_cases",
        "cases.view_sensitive",
        # The privacy officer decides what is sensitive (a reason, audited, on the timeline).
        "cases.set_sensitivity",
        "oversight.view_breakglassaccess",
        "oversight.change_breakglassaccess",
        "oversight.review_breakglassaccess",
        # The audit trail pages: search, "who accessed this record", export, chain status.
        "compliance.view_auditentry",
        "compliance.export_auditentry",
        "compliance.view_chainverification",
        "compliance.add_chainverification",
        "escalations.view_escalation",
        "escalations.view_escalationpathway",
        "escalations.view_redflagphrase",
    ],
    # Configures queues and their members, categories, routing, calendars and SLA policies,
    # complaint departments, partners and their webhooks, accounts; unlocks locked-out logins.
    # What the demo's operator account does, without being a superuser (issue 17).
    Role.ADMINISTRATOR: [
        *_CASE_WORK,
        "cases.add_queue",
        "cases.change_queue",
        "cases.delete_queue",
        "cases.add_queuelanguage",
        "cases.change_queuelanguage",
        "cases.delete_queuelanguage",
        "cases.view_queuelanguage",
        *_crud("cases", "queuekind"),
        # The queue's members and teams (its "Members" in the admin: guardian queue grants).
        *_crud("cases", "queueuserobjectpermission"),
        *_crud("cases", "queuegroupobjectpermission"),
        # Routing rules, business calendars with their hours and holidays, SLA policies.
        *_crud("cases", "routingrule"),
        *_crud("cases", "businesscalendar"),
        *_crud("cases", "businesshours"),
        *_crud("cases", "holiday"),
        *_crud("cases", "slapolicy"),
        # Complaint routing departments and grievance response periods.
        *_crud("complaints", "department"),
        *_crud("complaints", "grievanceperiod"),
        # Partners' webhook endpoints (rotating the signing secret, sending a test).
        *_crud("webhooks", "webhookendpoint"),
        "webhooks.rotate_secret_webhookendpoint",
        "webhooks.send_test_webhookendpoint",
        # Unlocking a locked-out account early: the admin's "Access attempts" (delete the rows).
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "cases.add_category",
        "cases.change_category",
        "cases.delete_category",
        "cases.view_casenumbercounter",
        "cases.reconcile_patient",
        "partners.add_partnerorganisation",
        "partners.change_partnerorganisation",
        "partners.view_partnerorganisation",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_user",
        "auth.view_group",
        # Clinical escalation pathways and their red-flag phrases.
        "escalations.add_escalationpathway",
        "escalations.change_escalationpathway",
        "escalations.delete_escalationpathway",
        "escalations.view_escalationpathway",
        "escalations.add_redflagphrase",
        "escalations.change_redflagphrase",
        "escalations.delete_redflagphrase",
        "escalations.view_redflagphrase",
        # Second factors: who has one; the reset of a lost phone (mfa/admin.py, audited).
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
        "django_otp_webauthn.view_webauthncredential",  # passkeys, read-only, no credential data
        "django_otp_webauthn.delete_webauthncredential",  # the same reset
    ],
    # A partner system's service account: submits cases and messages through the API only.
    Role.PARTNER_SYSTEM: ["cases.add_case", "cases.view_case", "cases.view_category"],
    Role.SENSITIVE_RECORDS: ["cases.view_sensitive"],
}


@transaction.atomic
def ensure_role_groups() -> dict[str, Group]:
    """Create or update the role groups with exactly their documented permissions."""
    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    found = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.filter(
            content_type__app_label__in={name.split(".")[0] for name in wanted}
        ).values_list("pk", "content_type__app_label", "codename")
    }
    missing = sorted(wanted - set(found))
    if missing:
        raise LookupError(f"Permissions missing (run migrate first): {', '.join(missing)}")
    groups = {}
    for name, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([found[perm] for perm in perms])
        groups[name] = group
    return groups
