"""The access matrix (docs/architecture/access.md), every cell asserted.

Roles x situations x actions, for Case, Patient, CaseEvent and a category detail (billing):

* roles: an agent (work_queue on queue A granted to the user), an agent whose work_queue grant is
  given to a *group* they belong to, a supervisor (supervise_queue on A), an agent with the
  "Sensitive records" clearance, a compliance officer, an administrator (staff, Administrator
  group, not superuser, no queue grants), a superuser without a role and one in the Agent role
  (issue 17: a superuser reaches what its roles reach, nothing more), a partner service account
  (organisation P),
  a person with no role and an inactive agent;
* situations: a case in queue A, in queue B, a sensitive case in A, a case of a sensitive patient
  in A, a case in B assigned to the user, one assigned to the user and flagged sensitive
  afterwards, a case in B with an unexpired break-the-glass ``view_case`` grant, the same grant
  expired, a break-the-glass grant on a sensitive case in B, an escalation ``change_case`` grant
  in B, a case submitted by partner P and one submitted by another organisation (both in A), and
  the cases assigned or granted to *other* users;
* actions: view, work, supervise.

``EXPECTED`` is written out by hand from the document. The world is built once per module through
the services; every restrict() / access_case() / with_permission_flags() result is observed in
that one transaction (rolled back afterwards). Each role x situation x action is then its own
test (``test_access_matrix[agent-own_queue-view]``) asserting the four models, the failure message
naming the model.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.test.utils import override_settings
from django.utils import timezone
from guardian.shortcuts import assign_perm

from accounts.models import User
from accounts.roles import Role, ensure_role_groups
from billing_inquiries.models import BillingInquiry
from cases import services
from cases.access import access_case
from cases.choices import Visibility
from cases.models import Case, CaseEvent, CaseUserObjectPermission, Patient
from cases.models.permissions import CaseGrantKind
from tests.factories import (
    CategoryFactory,
    PartnerFactory,
    QueueFactory,
    UserFactory,
    make_case,
    make_patient,
)

# Every test needs the test database set up (the module fixture too, see ``observed``).
pytestmark = pytest.mark.django_db

VIEW, WORK, SUPERVISE = "view", "work", "supervise"
ACTIONS = (VIEW, WORK, SUPERVISE)
BILLING_DETAILS = {"inquiry_type": "statement_question"}

# --- roles ----------------------------------------------------------------------------------------

AGENT = "agent"
GROUP_AGENT = "group_agent"  # work_queue on A through a group ("Billing team")
SUPERVISOR = "supervisor"
CLEARED_AGENT = "cleared_agent"  # agent + "Sensitive records"
COMPLIANCE = "compliance"
ADMINISTRATOR = "administrator"
SUPERUSER = "superuser"  # no role: reaches nothing (issue 17)
SUPERUSER_AGENT = "superuser_agent"  # a superuser in the Agent role: exactly an agent
PARTNER = "partner"
NOBODY = "nobody"  # a person with no role (not staff, no groups)
INACTIVE_AGENT = "inactive_agent"
ROLES = (
    AGENT,
    GROUP_AGENT,
    SUPERVISOR,
    CLEARED_AGENT,
    COMPLIANCE,
    ADMINISTRATOR,
    SUPERUSER,
    SUPERUSER_AGENT,
    PARTNER,
    NOBODY,
    INACTIVE_AGENT,
)

# --- situations -----------------------------------------------------------------------------------

OWN_QUEUE = "own_queue"  # queue A, not sensitive
OTHER_QUEUE = "other_queue"  # queue B, not sensitive
SENSITIVE_CASE = "sensitive_case_own_queue"  # queue A, Case.sensitivity set
SENSITIVE_PATIENT = "sensitive_patient_own_queue"  # queue A, Patient.sensitivity set
ASSIGNED = "assigned_other_queue"  # queue B, assigned to the user
ASSIGNED_SENSITIVE = "assigned_then_sensitive"  # queue B, assigned to the user, then flagged
VIEW_GRANT = "view_grant_other_queue"  # queue B, break-the-glass view_case, unexpired
EXPIRED_GRANT = "expired_grant_other_queue"  # queue B, the same grant, expired
SENSITIVE_GRANT = "view_grant_sensitive_case"  # queue B, sensitive, break-the-glass view_case
WORK_GRANT = "work_grant_other_queue"  # queue B, escalation change_case, unexpired
PARTNER_P = "submitted_by_partner_p"  # queue A, source organisation P
OTHER_ORG = "submitted_by_other_org"  # queue A, another organisation
SOMEONE_ELSE = "someone_elses_case"  # every per-user case (B) of the *other* roles
SITUATIONS = (
    OWN_QUEUE,
    OTHER_QUEUE,
    SENSITIVE_CASE,
    SENSITIVE_PATIENT,
    ASSIGNED,
    ASSIGNED_SENSITIVE,
    VIEW_GRANT,
    EXPIRED_GRANT,
    SENSITIVE_GRANT,
    WORK_GRANT,
    PARTNER_P,
    OTHER_ORG,
    SOMEONE_ELSE,
)
PER_USER_SITUATIONS = (
    ASSIGNED,
    ASSIGNED_SENSITIVE,
    VIEW_GRANT,
    EXPIRED_GRANT,
    SENSITIVE_GRANT,
    WORK_GRANT,
)

# --- the expected table (docs/architecture/access.md) ---------------------------------------------
# Letters: v = view, w = work, s = supervise; "" = the case does not exist for the user.
# * agent / supervisor (staff person): queues they work or supervise (user or group grant), cases
#   assigned to them, cases granted to them (unexpired); a view_case grant gives view, a
#   change_case grant view and work (CaseUserObjectPermission); supervise: supervised queues only.
# * sensitive: only with cases.view_sensitive or an explicit case grant, even in one's own queue
#   (an assignment is not a grant).
# * compliance: view all (sensitive included), work and supervise none.
# * partner: view what its organisation submitted, nothing else.
# * anyone else, inactive users: none.

STAFF_AGENT = {
    OWN_QUEUE: "vw",
    OTHER_QUEUE: "",
    SENSITIVE_CASE: "",
    SENSITIVE_PATIENT: "",
    ASSIGNED: "vw",
    ASSIGNED_SENSITIVE: "",
    VIEW_GRANT: "v",
    EXPIRED_GRANT: "",
    SENSITIVE_GRANT: "v",
    WORK_GRANT: "vw",
    PARTNER_P: "vw",
    OTHER_ORG: "vw",
    SOMEONE_ELSE: "",
}
NOTHING = dict.fromkeys(SITUATIONS, "")

EXPECTED_LETTERS: dict[str, dict[str, str]] = {
    AGENT: STAFF_AGENT,
    GROUP_AGENT: STAFF_AGENT,
    SUPERVISOR: {
        OWN_QUEUE: "vws",
        OTHER_QUEUE: "",
        SENSITIVE_CASE: "",
        SENSITIVE_PATIENT: "",
        ASSIGNED: "vw",
        ASSIGNED_SENSITIVE: "",
        VIEW_GRANT: "v",
        EXPIRED_GRANT: "",
        SENSITIVE_GRANT: "v",
        WORK_GRANT: "vw",
        PARTNER_P: "vws",
        OTHER_ORG: "vws",
        SOMEONE_ELSE: "",
    },
    CLEARED_AGENT: {
        OWN_QUEUE: "vw",
        OTHER_QUEUE: "",
        SENSITIVE_CASE: "vw",
        SENSITIVE_PATIENT: "vw",
        ASSIGNED: "vw",
        ASSIGNED_SENSITIVE: "vw",
        VIEW_GRANT: "v",
        EXPIRED_GRANT: "",
        SENSITIVE_GRANT: "v",
        WORK_GRANT: "vw",
        PARTNER_P: "vw",
        OTHER_ORG: "vw",
        SOMEONE_ELSE: "",
    },
    COMPLIANCE: dict.fromkeys(SITUATIONS, "v"),
    ADMINISTRATOR: {
        OWN_QUEUE: "",
        OTHER_QUEUE: "",
        SENSITIVE_CASE: "",
        SENSITIVE_PATIENT: "",
        ASSIGNED: "vw",
        ASSIGNED_SENSITIVE: "",
        VIEW_GRANT: "v",
        EXPIRED_GRANT: "",
        SENSITIVE_GRANT: "v",
        WORK_GRANT: "vw",
        PARTNER_P: "",
        OTHER_ORG: "",
        SOMEONE_ELSE: "",
    },
    SUPERUSER: NOTHING,
    SUPERUSER_AGENT: STAFF_AGENT,
    PARTNER: {**NOTHING, PARTNER_P: "v"},
    NOBODY: NOTHING,
    INACTIVE_AGENT: NOTHING,
}
_LETTER = {VIEW: "v", WORK: "w", SUPERVISE: "s"}
EXPECTED: dict[str, dict[str, dict[str, bool]]] = {
    role: {
        situation: {action: _LETTER[action] in letters for action in ACTIONS}
        for situation, letters in row.items()
    }
    for role, row in EXPECTED_LETTERS.items()
}

# --- cells where the code disagrees with the document ---------------------------------------------


def cells() -> list:
    """One pytest.param per role x situation x action."""
    return [
        pytest.param(role, situation, action, id=f"{role}-{situation}-{action}")
        for role in ROLES
        for situation in SITUATIONS
        for action in ACTIONS
    ]


def test_the_expected_table_is_complete():
    assert set(EXPECTED) == set(ROLES)
    for role, row in EXPECTED_LETTERS.items():
        assert set(row) == set(SITUATIONS), role
        assert all(set(letters) <= set("vws") for letters in row.values()), role


# --- the world, built and observed once per module ------------------------------------------------


@dataclass
class Observed:
    """Plain data: ids of the world and what each role got, observed inside one rolled-back
    transaction (no test here touches the database afterwards)."""

    cases: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # situation → role → ids
    patient_of: dict[int, int] = field(default_factory=dict)
    events_of: dict[int, set[int]] = field(default_factory=dict)
    patient_events_of: dict[int, set[int]] = field(default_factory=dict)
    orphan_patient: int = 0
    restricted: dict[tuple[str, str, str], set[int]] = field(default_factory=dict)
    access: dict[tuple[str, str, int], str] = field(default_factory=dict)
    flags: dict[str, dict[int, tuple[bool, bool]]] = field(default_factory=dict)


class World:
    def __init__(self) -> None:
        groups = ensure_role_groups()
        self.queue_a = QueueFactory(name="Matrix queue A", slug="matrix-a")
        self.queue_b = QueueFactory(name="Matrix queue B", slug="matrix-b")
        self.category = CategoryFactory(kind="billing", default_queue=self.queue_a)
        self.partner_p = PartnerFactory(name="Partner P", slug="partner-p")
        self.partner_q = PartnerFactory(name="Partner Q", slug="partner-q")
        self.intake = UserFactory(username="matrix-intake")
        self.intake.groups.add(groups[Role.AGENT], groups[Role.SENSITIVE_RECORDS])
        self.users = self._users(groups)
        self.other_org_account = UserFactory(
            username="matrix-partner-q",
            is_staff=False,
            kind=User.Kind.SERVICE,
            organisation=self.partner_q,
        )

    def _users(self, groups) -> dict[str, User]:
        def person(name: str, *roles: str, **fields) -> User:
            user = UserFactory(username=f"matrix-{name}", **fields)
            user.groups.add(*(groups[role] for role in roles))
            return user

        users = {
            AGENT: person(AGENT, Role.AGENT),
            GROUP_AGENT: person(GROUP_AGENT, Role.AGENT),
            SUPERVISOR: person(SUPERVISOR, Role.SUPERVISOR),
            CLEARED_AGENT: person(CLEARED_AGENT, Role.AGENT, Role.SENSITIVE_RECORDS),
            COMPLIANCE: person(COMPLIANCE, Role.COMPLIANCE_OFFICER),
            ADMINISTRATOR: person(ADMINISTRATOR, Role.ADMINISTRATOR, is_staff=True),
            SUPERUSER: person(SUPERUSER, is_staff=True, is_superuser=True),
            SUPERUSER_AGENT: person(SUPERUSER_AGENT, Role.AGENT, is_staff=True, is_superuser=True),
            PARTNER: person(
                PARTNER,
                Role.PARTNER_SYSTEM,
                is_staff=False,
                kind=User.Kind.SERVICE,
                organisation=self.partner_p,
            ),
            NOBODY: person(NOBODY, is_staff=False),
            INACTIVE_AGENT: person(INACTIVE_AGENT, Role.AGENT),
        }
        for role in (AGENT, CLEARED_AGENT, INACTIVE_AGENT, SUPERUSER_AGENT):
            assign_perm("cases.work_queue", users[role], self.queue_a)
        team = Group.objects.create(name="Matrix billing team")
        assign_perm("cases.work_queue", team, self.queue_a)
        users[GROUP_AGENT].groups.add(team)
        assign_perm("cases.supervise_queue", users[SUPERVISOR], self.queue_a)
        return users

    def case(self, queue, *, actor=None, sensitive_case=False, sensitive_patient=False, **kw):
        case = make_case(
            actor=actor or self.intake,
            category=self.category,
            queue=queue,
            details=BILLING_DETAILS,
            **kw,
        )
        if sensitive_case:
            Case.objects.filter(pk=case.pk).update(sensitivity="behavioral_health")
        if sensitive_patient:
            Patient.objects.filter(pk=case.patient_id).update(sensitivity="hiv")
        return case

    def grant(
        self, user, case, *, codename="view_case", kind=CaseGrantKind.BREAK_GLASS, expired=False
    ):
        now = timezone.now()
        grant = CaseUserObjectPermission.objects.create(
            user=user,
            content_object=case,
            permission=Permission.objects.get(content_type__app_label="cases", codename=codename),
            kind=kind,
            reason="Matrix test grant",
            granted_by=self.intake,
            expires_at=now + datetime.timedelta(hours=1),
        )
        if expired:
            CaseUserObjectPermission.objects.filter(pk=grant.pk).update(
                granted_at=now - datetime.timedelta(hours=2),
                expires_at=now - datetime.timedelta(hours=1),
            )

    def build(self) -> dict[str, dict[str, list[Case]]]:
        a, b = self.queue_a, self.queue_b
        shared = {
            OWN_QUEUE: self.case(a),
            OTHER_QUEUE: self.case(b),
            SENSITIVE_CASE: self.case(a, sensitive_case=True),
            SENSITIVE_PATIENT: self.case(a, sensitive_patient=True),
            PARTNER_P: self.case(a, actor=self.users[PARTNER], source_organisation=self.partner_p),
            OTHER_ORG: self.case(
                a, actor=self.other_org_account, source_organisation=self.partner_q
            ),
        }
        per_user: dict[str, dict[str, Case]] = {situation: {} for situation in PER_USER_SITUATIONS}
        for role, user in self.users.items():
            assigned = self.case(b)
            if user.kind == User.Kind.PERSON:
                services.case_assign(actor=self.intake, case=assigned, assignee=user)
            else:  # refused by case_assign; forced, to prove restrict() ignores it
                Case.objects.filter(pk=assigned.pk).update(assigned_to=user)
            per_user[ASSIGNED][role] = assigned
            # Assigned while ordinary, flagged sensitive afterwards (assigning a sensitive case to
            # someone without clearance is refused, see test_case_assign_refuses_…).
            flagged = self.case(b)
            if user.kind == User.Kind.PERSON:
                services.case_assign(actor=self.intake, case=flagged, assignee=user)
            else:
                Case.objects.filter(pk=flagged.pk).update(assigned_to=user)
            Case.objects.filter(pk=flagged.pk).update(sensitivity="substance_use")
            per_user[ASSIGNED_SENSITIVE][role] = flagged
            per_user[VIEW_GRANT][role] = self.case(b)
            self.grant(user, per_user[VIEW_GRANT][role])
            per_user[EXPIRED_GRANT][role] = self.case(b)
            self.grant(user, per_user[EXPIRED_GRANT][role], expired=True)
            per_user[SENSITIVE_GRANT][role] = self.case(b, sensitive_case=True)
            self.grant(user, per_user[SENSITIVE_GRANT][role])
            per_user[WORK_GRANT][role] = self.case(b)
            self.grant(
                user,
                per_user[WORK_GRANT][role],
                codename="change_case",
                kind=CaseGrantKind.ESCALATION,
            )
        # Every case gets an internal note and a public reply (besides its internal events).
        for case in Case.objects.all():
            services.case_add_note(
                actor=self.intake, case=case, body="Internal note", visibility=Visibility.INTERNAL
            )
            services.case_add_note(
                actor=self.intake, case=case, body="Public reply", visibility=Visibility.PATIENT
            )
        User.objects.filter(pk=self.users[INACTIVE_AGENT].pk).update(is_active=False)

        situations: dict[str, dict[str, list[Case]]] = {
            situation: {role: [case] for role in ROLES} for situation, case in shared.items()
        }
        for situation, by_role in per_user.items():
            situations[situation] = {role: [case] for role, case in by_role.items()}
        situations[SOMEONE_ELSE] = {
            role: [
                case
                for by_role in per_user.values()
                for other, case in by_role.items()
                if other != role
            ]
            for role in ROLES
        }
        return situations


def access_samples(cases: list[int]) -> list[int]:
    """access_case is called on each situation's case (first and last of "someone else's")."""
    return sorted({cases[0], cases[-1]})


def observe(world: World, situations) -> Observed:
    observed = Observed()
    observed.cases = {
        situation: {role: [case.pk for case in cases] for role, cases in by_role.items()}
        for situation, by_role in situations.items()
    }
    observed.patient_of = dict(Case.objects.values_list("pk", "patient_id"))
    for case_id, event_id, visibility in CaseEvent.objects.values_list(
        "case_id", "pk", "visibility"
    ):
        observed.events_of.setdefault(case_id, set()).add(event_id)
        if visibility == Visibility.PATIENT:
            observed.patient_events_of.setdefault(case_id, set()).add(event_id)
    assert all(observed.patient_events_of.get(pk) for pk in observed.patient_of)
    assert len(set(observed.patient_of.values())) == len(observed.patient_of)  # one patient each
    observed.orphan_patient = make_patient(world.intake).pk

    for role, stale in world.users.items():
        user = User.objects.get(pk=stale.pk)  # fresh permission caches
        for action in ACTIONS:
            for model in (Case, Patient, CaseEvent, BillingInquiry):
                observed.restricted[model.__name__, role, action] = set(
                    model.objects.restrict(user, action).values_list("pk", flat=True)
                )
            for situation in SITUATIONS:
                for pk in access_samples(observed.cases[situation][role]):
                    try:
                        access_case(user, pk, action)
                        outcome = "found"
                    except Http404:
                        outcome = "Http404"
                    except PermissionDenied:
                        outcome = "PermissionDenied"
                    observed.access[role, action, pk] = outcome
        observed.flags[role] = {
            pk: (bool(can_work), bool(can_supervise))
            for pk, can_work, can_supervise in Case.objects.with_permission_flags(user).values_list(
                "pk", "can_work", "can_supervise"
            )
        }
    return observed


@pytest.fixture(scope="module")
def observed(django_db_setup, django_db_blocker) -> Observed:
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        name = str(connection.settings_dict["NAME"])
        assert "test" in name or "memory" in name, f"not a test database: {name}"
        world = World()
        result = observe(world, world.build())
        transaction.set_rollback(True)
    return result


# --- the matrix: Case against the document; Patient, CaseEvent and the detail follow the case -----


def related_rows(observed: Observed, model: str, role: str, case_pk: int) -> tuple[set, set]:
    """(rows of ``model`` belonging to the case, the ones ``role`` sees if it sees the case)."""
    if model == "Case" or model == "BillingInquiry":
        return {case_pk}, {case_pk}
    if model == "Patient":
        return {observed.patient_of[case_pk]}, {observed.patient_of[case_pk]}
    events = observed.events_of[case_pk]
    if role == PARTNER:  # partners see only what the patient sees
        return events, observed.patient_events_of[case_pk]
    return events, events


@pytest.mark.parametrize(("role", "situation", "action"), cells())
def test_access_matrix(observed, role, situation, action):
    """One cell: ``Model.objects.restrict(user, action)`` for Case, Patient, CaseEvent and
    BillingInquiry, on the case(s) of ``situation``, against EXPECTED."""
    expected_visible = EXPECTED[role][situation][action]
    for model in ("Case", "Patient", "CaseEvent", "BillingInquiry"):
        got = observed.restricted[model, role, action]
        for pk in observed.cases[situation][role]:
            rows, visible_rows = related_rows(observed, model, role, pk)
            expected = visible_rows if expected_visible else set()
            assert got & rows == expected, (
                f"{model}.objects.restrict({role}, {action!r}) on case {pk} ({situation}): "
                f"expected {sorted(expected)}, got {sorted(got & rows)}"
            )


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_patient_without_a_case(observed, role, action):
    """A patient with no case: compliance reads it; nobody else has a case through which to see
    it (look-up by agents is tested below) — superusers neither (issue 17)."""
    expected = role == COMPLIANCE and action == VIEW
    assert (observed.orphan_patient in observed.restricted["Patient", role, action]) == expected


# --- access_case: Http404 (never 403) exactly where restrict() hides the case ---------------------


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_access_case_is_404_exactly_where_restrict_hides(observed, role, action):
    visible = observed.restricted["Case", role, action]
    wrong = [
        f"{situation}: case {pk} {outcome}"
        for situation in SITUATIONS
        for pk in access_samples(observed.cases[situation][role])
        if (outcome := observed.access[role, action, pk])
        != ("found" if pk in visible else "Http404")
    ]
    assert not wrong, f"access_case({role}, pk, {action!r}) disagrees with restrict(): {wrong}"


# --- with_permission_flags: the per-row flags match restrict(work / supervise) --------------------


@pytest.mark.parametrize("role", ROLES)
def test_permission_flags_match_restrict(observed, role):
    work = observed.restricted["Case", role, WORK]
    supervise = observed.restricted["Case", role, SUPERVISE]
    wrong = [
        f"{situation}: case {pk} flags {observed.flags[role][pk]}"
        for situation in SITUATIONS
        for pk in observed.cases[situation][role]
        if observed.flags[role][pk] != (pk in work, pk in supervise)
    ]
    assert not wrong, f"with_permission_flags({role}) (can_work, can_supervise) wrong: {wrong}"


# --- tests with a small world of their own --------------------------------------------------------


@pytest.fixture
def roles(db):
    groups = ensure_role_groups()
    queue_a = QueueFactory(name="Own", slug="own")
    category = CategoryFactory(kind="billing", default_queue=queue_a)

    def make(name: str, *role_names: str, **fields) -> User:
        user = UserFactory(username=name, **fields)
        user.groups.add(*(groups[role] for role in role_names))
        if Role.AGENT in role_names or Role.SUPERVISOR in role_names:
            assign_perm("cases.work_queue", user, queue_a)
        return User.objects.get(pk=user.pk)

    class Roles:
        queue = queue_a
        billing = category
        agent = make("agent", Role.AGENT)
        cleared = make("cleared", Role.AGENT, Role.SENSITIVE_RECORDS)
        supervisor = make("supervisor", Role.SUPERVISOR)
        compliance = make("compliance", Role.COMPLIANCE_OFFICER)
        superuser = make("superuser", is_superuser=True)
        nobody = make("nobody", is_staff=False)
        inactive = make("inactive", Role.AGENT, is_active=False)
        partner = make(
            "partner",
            Role.PARTNER_SYSTEM,
            is_staff=False,
            kind=User.Kind.SERVICE,
            organisation=PartnerFactory(),
        )

    return Roles


GARBAGE_PKS = [0, -1, 10**12, "abc", "", None, "1 OR 1=1", "1.5", [1, 2], {"pk": 1}]


def test_access_case_with_an_unknown_or_garbage_pk_is_404(roles):
    make_case(category=roles.billing, queue=roles.queue, details=BILLING_DETAILS)
    not_404 = []
    for who in ("superuser", "agent", "compliance", "partner", "nobody"):
        for pk in GARBAGE_PKS:
            try:
                access_case(getattr(roles, who), pk, VIEW)
                not_404.append(f"{who}: {pk!r} found a case")
            except Http404:
                pass
    assert not not_404


def test_access_case_is_404_for_a_hidden_case_never_403(roles):
    case = make_case(category=roles.billing, details=BILLING_DETAILS)
    Case.objects.filter(pk=case.pk).update(sensitivity="hiv")
    assert access_case(roles.cleared, case.pk, WORK) == case
    for user in (roles.agent, roles.nobody, roles.partner, roles.inactive):
        with pytest.raises(Http404):
            access_case(user, case.pk, VIEW)
    with pytest.raises(Http404):
        access_case(roles.compliance, case.pk, WORK)


def test_restrict_refuses_an_unknown_action(roles):
    with pytest.raises(ValueError, match="Unknown access action"):
        Case.objects.restrict(roles.agent, "delete")
    with pytest.raises(ValueError, match="Unknown access action"):
        Patient.objects.restrict(roles.agent, "delete")


LOOKUP_EXPECTATIONS = {
    # who: (plain patient without a case, sensitive patient without a case)
    "agent": (True, False),
    "supervisor": (True, False),
    "cleared": (True, True),
    "compliance": (True, True),
    "superuser": (False, False),  # no role, no intake look-up (issue 17)
    "partner": (False, False),
    "nobody": (False, False),
    "inactive": (False, False),
}


def test_patient_lookup(roles):
    """Agents may look up non-sensitive patients for intake, even without a visible case;
    sensitive ones only with the Sensitive records clearance."""
    plain = make_patient()
    sensitive = make_patient()
    Patient.objects.filter(pk=sensitive.pk).update(sensitivity="substance_use")
    found = {}
    for who in LOOKUP_EXPECTATIONS:
        patients = set(Patient.objects.restrict(getattr(roles, who), "lookup"))
        found[who] = (plain in patients, sensitive in patients)
    assert found == LOOKUP_EXPECTATIONS


def test_patient_lookup_is_not_view(roles):
    """Without a visible case, an agent does not *view* a patient they could look up."""
    plain = make_patient()
    assert plain in Patient.objects.restrict(roles.agent, "lookup")
    assert plain not in Patient.objects.restrict(roles.agent, VIEW)
    case = make_case(
        patient=plain, category=roles.billing, queue=roles.queue, details=BILLING_DETAILS
    )
    assert plain in Patient.objects.restrict(roles.agent, VIEW)
    Case.objects.filter(pk=case.pk).update(sensitivity="reproductive_health")
    assert plain not in Patient.objects.restrict(roles.agent, VIEW)


@pytest.mark.parametrize("how", ["case", "patient"])
def test_case_assign_refuses_a_sensitive_case_without_clearance(roles, how):
    case = make_case(category=roles.billing, queue=roles.queue, details=BILLING_DETAILS)
    if how == "case":
        Case.objects.filter(pk=case.pk).update(sensitivity="behavioral_health")
    else:
        Patient.objects.filter(pk=case.patient_id).update(sensitivity="hiv")

    with pytest.raises(ValidationError) as refused:
        services.case_assign(actor=roles.supervisor, case=case, assignee=roles.agent)
    assert [error.code for error in refused.value.error_dict["assignee"]] == ["sensitive"]
    case.refresh_from_db()
    assert case.assigned_to is None
    assert not Case.objects.restrict(roles.agent, VIEW).filter(pk=case.pk).exists()

    services.case_assign(actor=roles.supervisor, case=case, assignee=roles.cleared)
    case.refresh_from_db()
    assert case.assigned_to == roles.cleared
    assert Case.objects.restrict(roles.cleared, WORK).filter(pk=case.pk).exists()


# --- intake look-up in the admin (the case form's patient box) ------------------------------------


@pytest.mark.django_db
def test_patient_autocomplete_finds_callers_by_exact_identifier_only(client, actor):
    from django.urls import reverse

    from accounts.roles import Role, ensure_role_groups
    from cases.models import Patient
    from tests.factories import UserFactory, make_patient

    agent = UserFactory(username="intake-agent")
    agent.groups.add(ensure_role_groups()[Role.AGENT])
    caller = make_patient(actor, family_name="Quillfeather")
    hidden = make_patient(actor, family_name="Quillfeather-Sensitive")
    Patient.objects.filter(pk=hidden.pk).update(sensitivity="hiv")
    client.force_login(agent)
    url = reverse("admin:autocomplete")
    params = {"app_label": "cases", "model_name": "case", "field_name": "patient"}

    def found(term):
        response = client.get(url, {**params, "term": term})
        assert response.status_code == 200
        return {int(item["id"]) for item in response.json()["results"]}

    assert found("Quillfeather") == {caller.pk}  # no visible case needed to find a caller
    assert found(caller.mrn) == {caller.pk}
    assert found("Quill") == set()  # exact identifiers only: no browsing by prefix
    assert found("") == set()
    assert found("Quillfeather-Sensitive") == set()  # sensitive needs the clearance
