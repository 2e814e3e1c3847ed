"""The flat access filters (issue 18) select exactly the rows of the EXISTS expression they replace.

``restrict()`` used to build, for every query, nested EXISTS subqueries over the grant tables
(``queue_membership``, ``case_condition``); PostgreSQL spent most of a case page planning them.
It now reads the person's access scope once (``cases.access_scope``) and filters with flat
conditions (``queue_id IN (…)``, ``assigned_to_id = …``, ``id IN (…)``). The old expression lives
on here only, as the reference (``Reference``), and a property test builds random people — roles,
superuser or not, direct and group queue grants of both codenames, case grants of both kinds with
past and future expiry, inactive accounts, service accounts — and random case states — queue,
assignee, case and patient sensitivity — and asserts that for every action the flat filter returns
the same cases, patients, timeline events, category details and per-row flags.

Further down: the scope is one query, cached on the user object, and seen again after a grant
changes within the same request (break-the-glass, then the redirect's restrict()).
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction
from django.db.models import BooleanField, Exists, OuterRef, Q, Value, When
from django.db.models import Case as CaseWhen
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from guardian.shortcuts import assign_perm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from accounts.permissions import holds
from accounts.roles import Role, ensure_role_groups
from billing_inquiries.models import BillingInquiry
from cases.access import restrict_cases, restrict_patients, restrict_related
from cases.access_scope import access_scope, forget_access
from cases.models import (
    Case,
    CaseEvent,
    CaseUserObjectPermission,
    Patient,
    QueueGroupObjectPermission,
    QueueUserObjectPermission,
)
from cases.models.permissions import CaseGrantKind
from tests.factories import CategoryFactory, PartnerFactory, QueueFactory, UserFactory, make_case

pytestmark = pytest.mark.django_db

BILLING_DETAILS = {"inquiry_type": "statement_question"}
ACTIONS = ("view", "work", "supervise")


# --- the reference: the EXISTS expression as it was before issue 18 -----------------------------


class Reference:
    """``cases.access`` before issue 18 (queue_membership, case_condition, restrict_cases,
    restrict_related, restrict_patients, case_permission_flags), verbatim but for names."""

    @staticmethod
    def queue_membership(user, action, queue_ref):
        codenames = (
            ["supervise_queue"] if action == "supervise" else ["work_queue", "supervise_queue"]
        )
        return Exists(
            QueueUserObjectPermission.objects.filter(
                user_id=user.pk, content_object_id=queue_ref, permission__codename__in=codenames
            )
        ) | Exists(
            QueueGroupObjectPermission.objects.filter(
                group__user=user.pk, content_object_id=queue_ref, permission__codename__in=codenames
            )
        )

    @classmethod
    def case_condition(cls, user, action):
        now = timezone.now()
        by_queue = cls.queue_membership(user, action, OuterRef("queue_id"))
        if action == "supervise":
            condition = by_queue
            granted = None
        else:
            grant_codenames = ["change_case"] if action == "work" else ["view_case", "change_case"]
            granted = Exists(
                CaseUserObjectPermission.objects.filter(
                    user_id=user.pk,
                    content_object_id=OuterRef("pk"),
                    expires_at__gt=now,
                    permission__codename__in=grant_codenames,
                )
            )
            condition = by_queue | Q(assigned_to_id=user.pk) | granted
        if not holds(user, "cases.view_sensitive"):
            not_sensitive = Q(sensitivity="") & Q(patient__sensitivity="")
            if granted is not None:
                condition = condition & (not_sensitive | granted)
            else:
                condition = condition & not_sensitive
        return condition

    @staticmethod
    def person(user):
        return (
            user is not None
            and user.is_authenticated
            and user.is_active
            and getattr(user, "kind", User.Kind.PERSON) == User.Kind.PERSON
        )

    @classmethod
    def cases(cls, queryset, user, action):
        if user is None or not user.is_authenticated or not user.is_active:
            return queryset.none()
        kind = getattr(user, "kind", User.Kind.PERSON)
        if kind == User.Kind.SERVICE:
            if action == "view" and user.organisation_id is not None:
                return queryset.filter(source_organisation_id=user.organisation_id)
            return queryset.none()
        if kind != User.Kind.PERSON:
            return queryset.none()
        if action == "view" and holds(user, "cases.view_all_cases"):
            return queryset
        if not holds(user, "cases.view_case" if action == "view" else "cases.change_case"):
            return queryset.none()
        return queryset.filter(cls.case_condition(user, action))

    @classmethod
    def reads_everything(cls, user):
        return cls.person(user) and holds(user, "cases.view_all_cases")

    @classmethod
    def related(cls, queryset, user, action):
        visible = cls.cases(Case.objects.all(), user, action)
        if visible.query.is_empty():
            return queryset.none()
        if action == "view" and cls.reads_everything(user):
            return queryset
        return queryset.filter(Exists(visible.filter(pk=OuterRef("case_id"))))

    @classmethod
    def patients(cls, queryset, user, action):
        if user is None or not user.is_authenticated or not user.is_active:
            return queryset.none()
        if action in ("view", "lookup") and cls.reads_everything(user):
            return queryset
        case_action = "view" if action == "lookup" else action
        with_visible_case = Exists(
            cls.cases(Case.objects.all(), user, case_action).filter(patient_id=OuterRef("pk"))
        )
        if action == "lookup" and cls.person(user) and holds(user, "cases.add_case"):
            if holds(user, "cases.view_sensitive"):
                return queryset
            return queryset.filter(Q(sensitivity="") | with_visible_case)
        return queryset.filter(with_visible_case)

    @classmethod
    def flags(cls, queryset, user):
        if not cls.person(user):
            return queryset.annotate(can_work=Value(False), can_supervise=Value(False))
        may_change = holds(user, "cases.change_case")

        def flag(action):
            if not may_change:
                return Value(False)
            return CaseWhen(
                When(cls.case_condition(user, action), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )

        return queryset.annotate(can_work=flag("work"), can_supervise=flag("supervise"))


# --- a small world the examples rearrange ---------------------------------------------------------

QUEUES, PATIENTS, CASES = 3, 3, 6
ROLES = (
    Role.AGENT,
    Role.SUPERVISOR,
    Role.CLINICIAN,
    Role.COMPLIANCE_OFFICER,
    Role.ADMINISTRATOR,
    Role.SENSITIVE_RECORDS,
    Role.PARTNER_SYSTEM,
)


class World:
    def __init__(self) -> None:
        self.roles = ensure_role_groups()
        self.organisations = [PartnerFactory(), PartnerFactory()]
        self.queues = [QueueFactory() for _ in range(QUEUES)]
        category = CategoryFactory(kind="billing", default_queue=self.queues[0])
        intake = UserFactory(username="flat-intake")
        self.other = UserFactory(username="flat-other")
        self.cases = [
            make_case(
                actor=intake,
                category=category,
                details=BILLING_DETAILS,
                source_organisation=self.organisations[n % 2] if n % 3 else None,
            )
            for n in range(CASES)
        ]
        self.patients = [case.patient for case in self.cases[:PATIENTS]]
        self.permissions = {
            codename: Permission.objects.get(content_type__app_label="cases", codename=codename)
            for codename in ("view_case", "change_case")
        }
        self.people = 0


@pytest.fixture
def world(db) -> World:
    return World()


case_states = st.lists(
    st.tuples(
        st.integers(0, QUEUES - 1),  # queue
        st.integers(0, PATIENTS - 1),  # patient
        st.sampled_from(["nobody", "user", "other"]),  # assignee
        st.booleans(),  # case sensitive
    ),
    min_size=CASES,
    max_size=CASES,
)
queue_grants = st.lists(
    st.tuples(st.integers(0, QUEUES - 1), st.sampled_from(["work_queue", "supervise_queue"])),
    max_size=3,
)
people = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["person", "person", "person", "service", "inactive"]),
        "roles": st.sets(st.sampled_from(ROLES), max_size=3),
        "superuser": st.booleans(),
        "organisation": st.sampled_from([None, 0, 1]),
        "direct": queue_grants,
        "team": queue_grants,  # grants to a group the person is in
        "case_grants": st.lists(
            st.tuples(
                st.integers(0, CASES - 1),
                st.sampled_from(["view_case", "change_case"]),
                st.sampled_from([-1, 1]),  # expired a day ago, or expiring in a day
            ),
            max_size=3,
        ),
        "patients_sensitive": st.lists(st.booleans(), min_size=PATIENTS, max_size=PATIENTS),
        "cases": case_states,
    }
)


def build(world: World, spec: dict) -> User:
    """Apply ``spec`` to the world and return a fresh user object for the person it describes."""
    world.people += 1
    kind = spec["kind"]
    organisation = spec["organisation"]
    user = UserFactory(
        username=f"flat-{world.people}",
        is_active=kind != "inactive",
        is_superuser=spec["superuser"],
        kind=User.Kind.SERVICE if kind == "service" else User.Kind.PERSON,
        # Only a service account has an organisation (a constraint).
        organisation=(
            world.organisations[organisation]
            if kind == "service" and organisation is not None
            else None
        ),
    )
    user.groups.add(*(world.roles[role] for role in spec["roles"]))
    for queue, codename in spec["direct"]:
        assign_perm(f"cases.{codename}", user, world.queues[queue])
    if spec["team"]:
        team = Group.objects.create(name=f"flat-team-{world.people}")
        user.groups.add(team)
        for queue, codename in spec["team"]:
            assign_perm(f"cases.{codename}", team, world.queues[queue])
    now = timezone.now()
    for case, codename, days in spec["case_grants"]:
        grant, _ = CaseUserObjectPermission.objects.update_or_create(
            user=user,
            content_object=world.cases[case],
            permission=world.permissions[codename],
            defaults={
                "kind": CaseGrantKind.BREAK_GLASS,
                "reason": "property test",
                "granted_by": world.other,
                "expires_at": now + datetime.timedelta(days=1),
            },
        )
        # granted_at is set on creation and must precede expires_at: backdate both.
        CaseUserObjectPermission.objects.filter(pk=grant.pk).update(
            granted_at=now - datetime.timedelta(days=2),
            expires_at=now + datetime.timedelta(days=days),
        )
    for patient, sensitive in zip(world.patients, spec["patients_sensitive"], strict=True):
        Patient.objects.filter(pk=patient.pk).update(sensitivity="hiv" if sensitive else "")
    assignees = {"nobody": None, "user": user, "other": world.other}
    for case, (queue, patient, assignee, sensitive) in zip(world.cases, spec["cases"], strict=True):
        Case.objects.filter(pk=case.pk).update(
            queue=world.queues[queue],
            patient=world.patients[patient],
            assigned_to=assignees[assignee],
            sensitivity="behavioral_health" if sensitive else "",
        )
    return User.objects.get(pk=user.pk)


def ids(queryset) -> list:
    return sorted(queryset.values_list("pk", flat=True))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spec=people)
def test_the_flat_filter_selects_what_the_exists_expression_selected(world, spec):
    user = build(world, spec)
    for action in ACTIONS:
        assert ids(restrict_cases(Case.objects.all(), user, action)) == ids(
            Reference.cases(Case.objects.all(), user, action)
        ), ("cases", action)
        for model in (CaseEvent, BillingInquiry):
            assert ids(restrict_related(model.objects.all(), user, action)) == ids(
                Reference.related(model.objects.all(), user, action)
            ), (model.__name__, action)
    for action in (*ACTIONS, "lookup"):
        assert ids(restrict_patients(Patient.objects.all(), user, action)) == ids(
            Reference.patients(Patient.objects.all(), user, action)
        ), ("patients", action)
    columns = ("pk", "can_work", "can_supervise")
    flat = sorted(Case.objects.all().with_permission_flags(user).values_list(*columns))
    assert flat == sorted(Reference.flags(Case.objects.all(), user).values_list(*columns))


# --- the scope: one query, once per user object, fresh after a grant changes -------------------


def agent(world: World, name: str = "scope-agent") -> User:
    user = UserFactory(username=name)
    user.groups.add(world.roles[Role.AGENT], world.roles[Role.CLINICIAN])
    assign_perm("cases.work_queue", user, world.queues[0])
    return User.objects.get(pk=user.pk)


def test_the_scope_is_one_query_cached_on_the_user_object(world):
    user = agent(world)
    holds(user, "cases.view_case")  # the permission cache (two queries, Django's own)
    with CaptureQueriesContext(connection) as first:
        scope = access_scope(user)
    with CaptureQueriesContext(connection) as again:
        for action in ACTIONS:
            list(Case.objects.restrict(user, action))
    assert len(first) == 1
    assert "UNION ALL" in first[0]["sql"]
    # view and work: one query each, no second read of the scope; supervise: none at all (the
    # person supervises no queue, so the queryset is empty without asking the database).
    assert len(again) == 2
    assert scope.work_queue_ids == (world.queues[0].pk,)
    assert scope.supervise_queue_ids == ()
    forget_access(user)
    with CaptureQueriesContext(connection) as after_forgetting:
        access_scope(user)
    assert len(after_forgetting) == 1


def test_a_grant_made_in_the_request_is_seen_by_the_next_restrict_of_that_request(world):
    """Break-the-glass, then the redirect's restrict() with the same user object."""
    from oversight.services import break_glass_open

    user = agent(world, "glass-agent")
    case = world.cases[1]
    Case.objects.filter(pk=case.pk).update(queue=world.queues[1])
    assert not Case.objects.restrict(user, "view").filter(pk=case.pk).exists()
    break_glass_open(actor=user, reference=case.reference, reason="Patient on the line, urgent.")
    assert Case.objects.restrict(user, "view").filter(pk=case.pk).exists()
    assert CaseEvent.objects.restrict(user, "view").filter(case=case).exists()


def test_queue_and_group_changes_are_seen_at_once(world):
    user = agent(world, "moving-agent")
    assert access_scope(user).work_queue_ids == (world.queues[0].pk,)
    assign_perm("cases.supervise_queue", user, world.queues[1])
    assert access_scope(user).supervise_queue_ids == (world.queues[1].pk,)
    team = Group.objects.create(name="late team")
    assign_perm("cases.work_queue", team, world.queues[2])
    user.groups.add(team)
    assert access_scope(user).work_queue_ids == tuple(q.pk for q in world.queues)
    QueueUserObjectPermission.objects.filter(user=user).delete()
    user.groups.remove(team)
    assert access_scope(user).work_queue_ids == ()


def test_an_expired_grant_is_ignored_at_query_time_without_reading_the_scope_again(world):
    user = agent(world, "clock-agent")
    case = world.cases[2]
    Case.objects.filter(pk=case.pk).update(queue=world.queues[1])
    now = timezone.now()
    CaseUserObjectPermission.objects.create(
        user=user,
        content_object=case,
        permission=world.permissions["view_case"],
        kind=CaseGrantKind.BREAK_GLASS,
        reason="test",
        granted_by=world.other,
        expires_at=now + datetime.timedelta(minutes=5),
    )
    assert case.pk in ids(Case.objects.restrict(user, "view"))
    later = now + datetime.timedelta(minutes=6)
    assert access_scope(user).granted(work=False, now=later) == []
    assert access_scope(user).granted(work=False, now=now) == [case.pk]


def test_a_grant_rolled_back_is_not_kept_in_the_scope(world, monkeypatch):
    """A service writes a grant, reads through restrict() (the scope now holds the grant), then
    fails: its transaction rolls back. Once the transaction has ended (autocommit again), the
    next lookup reads the scope afresh. The test's own transaction never ends, so the end of the
    service's (here a savepoint) is shown by ``get_autocommit`` answering True, as it does in a
    request once the outermost atomic block has exited."""
    from django.db import transaction as db_transaction

    user = agent(world, "rollback-agent")
    case = world.cases[3]
    Case.objects.filter(pk=case.pk).update(queue=world.queues[1])
    with pytest.raises(RuntimeError), transaction.atomic():
        CaseUserObjectPermission.objects.create(
            user=user,
            content_object=case,
            permission=world.permissions["view_case"],
            kind=CaseGrantKind.BREAK_GLASS,
            reason="test",
            granted_by=world.other,
            expires_at=timezone.now() + datetime.timedelta(minutes=5),
        )
        assert case.pk in ids(Case.objects.restrict(user, "view"))  # read inside the transaction
        raise RuntimeError("the service failed after the grant")
    monkeypatch.setattr(db_transaction, "get_autocommit", lambda *args, **kwargs: True)
    assert case.pk not in ids(Case.objects.restrict(user, "view"))
