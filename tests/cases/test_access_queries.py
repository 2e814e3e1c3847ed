"""Performance guarantees of the read path (docs/architecture/access.md): ``restrict()`` is ONE
SQL query of flat conditions (issue 18: ``queue_id IN (…)``, ``assigned_to_id = …``, ``id IN
(…)`` from the person's access scope; no EXISTS over the grant tables), whose only lists of ids
are the scope's — the queues the person works, their case grants — never case ids found by
querying cases; it costs the same with 3 or 30 cases and 1 or 5 queues (the SQL differs only in
the length of the queue list); ``with_permission_flags`` adds nothing per row.

Access scope: a person's queue and case grants are read once per user object, in one query
(``cases.access_scope``), the first time a restrict() needs them.

Permission cache: ``restrict()`` asks ``accounts.permissions.holds()`` (view_sensitive,
view_all_cases) while it builds the query: ``user.has_perm()`` for anyone but a superuser. Django's
ModelBackend loads a user's permissions once per user object — two queries (the user's own
permissions, then their groups'), none for an inactive user — and caches them on the object, i.e.
once per request; a superuser's role permissions are one query, cached the same way (issue 17).
The counts below are taken with a warm cache (and a warm access scope);
``test_the_permission_cache_costs_two_queries_once`` pins the cold cost separately.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from accounts.models import User
from accounts.permissions import holds
from accounts.roles import Role, ensure_role_groups
from billing_inquiries.models import BillingInquiry
from cases import services
from cases.access_scope import access_scope
from cases.choices import Visibility
from cases.models import Case, CaseEvent, Patient
from tests.factories import CategoryFactory, PartnerFactory, QueueFactory, UserFactory, make_case

pytestmark = pytest.mark.django_db

ACTIONS = ("view", "work", "supervise")
MODELS = (Case, Patient, CaseEvent, BillingInquiry)
BILLING_DETAILS = {"inquiry_type": "statement_question"}
# A literal list of integers in an IN clause: ids materialised in Python.
ID_LIST = re.compile(r"\bIN\s*\(\s*-?\d+\s*(,\s*-?\d+\s*)*\)", re.IGNORECASE)
# The one list restrict() may carry here (no case grants in this module): the queues of the scope.
QUEUE_LIST = re.compile(r'"queue_id"\s+IN\s*\(\s*-?\d+\s*(,\s*-?\d+\s*)*\)', re.IGNORECASE)
# A list of parameters in an IN clause, in the SQL template.
PARAM_LIST = re.compile(r"\bIN\s*\(%s(, %s)*\)")


def case_id_lists(sql: str) -> list[str]:
    """Lists of ids in ``sql`` other than the scope's queue ids."""
    return ID_LIST.findall(QUEUE_LIST.sub('"queue_id" IN (queues)', sql))


class Setup:
    """Roles, queues they are members of, and cases spread over those queues."""

    def __init__(self) -> None:
        groups = ensure_role_groups()
        self.partner_org = PartnerFactory()
        self.team = Group.objects.create(name="Perf team")
        self.queues = []
        self.category = None
        self.intake = UserFactory(username="perf-intake")

        def person(name, *roles, **fields):
            user = UserFactory(username=f"perf-{name}", **fields)
            user.groups.add(*(groups[role] for role in roles))
            return user

        self.users = {
            "agent": person("agent", Role.AGENT),
            "group_agent": person("group_agent", Role.AGENT),
            "supervisor": person("supervisor", Role.SUPERVISOR),
            "cleared_agent": person("cleared_agent", Role.AGENT, Role.SENSITIVE_RECORDS),
            "administrator": person("administrator", Role.ADMINISTRATOR),
            "compliance": person("compliance", Role.COMPLIANCE_OFFICER),
            "superuser": person("superuser", is_superuser=True),
            "partner": person(
                "partner",
                Role.PARTNER_SYSTEM,
                is_staff=False,
                kind=User.Kind.SERVICE,
                organisation=self.partner_org,
            ),
            "nobody": person("nobody", is_staff=False),
        }
        self.users["group_agent"].groups.add(self.team)

    def grow(self, *, queues: int, cases: int) -> None:
        """Grow to ``queues`` queues (every role granted on each) and ``cases`` cases."""
        while len(self.queues) < queues:
            queue = QueueFactory()
            self.queues.append(queue)
            self.category = self.category or CategoryFactory(kind="billing", default_queue=queue)
            for name in ("agent", "cleared_agent"):
                assign_perm("cases.work_queue", self.users[name], queue)
            assign_perm("cases.work_queue", self.team, queue)
            assign_perm("cases.supervise_queue", self.users["supervisor"], queue)
        existing = Case.objects.count()
        for n in range(existing, cases):
            case = make_case(
                actor=self.intake,
                category=self.category,
                queue=self.queues[n % len(self.queues)],
                details=BILLING_DETAILS,
                source_organisation=self.partner_org if n % 2 else None,
            )
            # Besides its internal "opened" event, a reply the patient (and a partner) sees.
            services.case_add_note(
                actor=self.intake, case=case, body="Reply", visibility=Visibility.PATIENT
            )
            if n % 3 == 0:
                services.case_assign(
                    actor=self.intake, case=case, assignee=self.users["administrator"]
                )

    def warm(self, name: str) -> User:
        """A fresh user object (as a request has) with its permission cache loaded."""
        user = User.objects.get(pk=self.users[name].pk)
        user.has_perm("cases.view_case")
        holds(user, "cases.view_case")  # a superuser's role permissions (issue 17)
        if user.is_active and user.kind == User.Kind.PERSON:
            access_scope(user)  # the access scope (issue 18)
        return user


@pytest.fixture
def setup(db) -> Setup:
    return Setup()


def evaluate(queryset) -> tuple[int, list]:
    """(queries, rows) of evaluating ``queryset`` and touching every row's flags if any."""
    with CaptureQueriesContext(connection) as queries:
        rows = list(queryset)
        for row in rows:
            getattr(row, "can_work", None)
            getattr(row, "can_supervise", None)
    return len(queries), rows


def shape(queryset) -> tuple[str, int] | None:
    """The SQL template, its lists of parameters collapsed (the queue list grows with the
    queues a person works), or None for an empty queryset."""
    try:
        sql, _params = queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return None
    return PARAM_LIST.sub("IN (…)", sql), 0


def expected_queries(queryset) -> int:
    # A queryset restrict() returned as .none() costs no query at all.
    return 0 if queryset.query.is_empty() else 1


# --- one query, flat, no list of case ids --------------------------------------------------------


ROLE_NAMES = (
    "agent",
    "group_agent",
    "supervisor",
    "cleared_agent",
    "administrator",
    "compliance",
    "superuser",
    "partner",
    "nobody",
)


@pytest.mark.parametrize("name", ROLE_NAMES)
def test_restrict_is_one_flat_query_without_a_list_of_case_ids(setup, name):
    setup.grow(queues=2, cases=2)
    user = setup.warm(name)
    for model in MODELS:
        for action in ACTIONS:
            queryset = model.objects.restrict(user, action)
            cell = f"{model.__name__}.objects.restrict({name}, {action!r})"
            count, _ = evaluate(queryset)
            assert count == expected_queries(queryset), cell
            if queryset.query.is_empty():
                continue
            sql = str(queryset.query)
            assert not case_id_lists(sql), f"{cell} inlines case ids: {sql}"
            if model is not Patient:  # a patient is one with a visible case: EXISTS over cases
                assert "EXISTS" not in sql, f"{cell}: {sql}"
                assert "objectpermission" not in sql, f"{cell} reads the grants: {sql}"


def test_restrict_costs_the_same_with_3_or_30_cases_and_1_or_5_queues(setup):
    """Every role x model x action (and a case list with flags): the same query count (one, or
    none for an empty queryset) and the same SQL template, whatever the number of rows and queue
    memberships (the queue list's length aside)."""

    def measure() -> dict:
        result = {}
        for name in ROLE_NAMES:
            user = setup.warm(name)
            for model in MODELS:
                for action in ACTIONS:
                    queryset = model.objects.restrict(user, action)
                    count, rows = evaluate(queryset)
                    result[name, model.__name__, action] = (count, shape(queryset), len(rows))
            queryset = Case.objects.restrict(user, "view").for_list().with_permission_flags(user)
            count, rows = evaluate(queryset)
            result[name, "Case+flags", "view"] = (count, shape(queryset), len(rows))
        return result

    setup.grow(queues=1, cases=3)
    small = measure()
    setup.grow(queues=5, cases=30)
    large = measure()
    wrong = []
    for key in small:
        (count_small, shape_small, _), (count_large, shape_large, _) = (
            small[key],
            large[key],
        )
        if not count_small == count_large <= 1:
            wrong.append(f"{key}: {count_small} then {count_large} queries")
        if shape_small != shape_large:
            wrong.append(f"{key}: the SQL changed with the data")
    assert not wrong
    # The data did grow where the role sees it.
    for name in ("agent", "group_agent", "supervisor", "compliance"):
        assert (small[name, "Case", "view"][2], large[name, "Case", "view"][2]) == (3, 30), name
    # A superuser without a role reaches nothing, whatever the data (issue 17).
    assert (small["superuser", "Case", "view"][2], large["superuser", "Case", "view"][2]) == (0, 0)


@pytest.mark.parametrize("rows", [3, 30])
def test_with_permission_flags_adds_no_query_per_row(setup, rows):
    setup.grow(queues=2, cases=rows)
    for name in ("agent", "supervisor", "superuser", "compliance", "partner"):
        user = setup.warm(name)
        queryset = Case.objects.all().for_list().with_permission_flags(user)
        with CaptureQueriesContext(connection) as queries:
            listed = [
                (case.pk, case.can_work, case.can_supervise, case.patient.pk, case.queue.name)
                for case in queryset
            ]
        assert len(listed) == rows
        assert len(queries) == 1, (name, [query["sql"] for query in queries])


def test_the_permission_cache_costs_two_queries_once(setup):
    """Documents the cold cost: the first restrict() on a fresh user object loads its
    permissions (user, groups) and, for a person with a support role whose restrict() needs
    them, their access scope (one query: queue and case grants, issue 18); later ones reuse the
    caches. The compliance officer reads everything (no scope); the partner's service account
    has no scope; a superuser without a role reaches nothing (no scope)."""
    setup.grow(queues=1, cases=1)
    for name, cold in {"agent": 3, "compliance": 2, "partner": 0, "superuser": 1}.items():
        user = User.objects.get(pk=setup.users[name].pk)
        with CaptureQueriesContext(connection) as first:
            Case.objects.restrict(user, "view")
            Patient.objects.restrict(user, "lookup")
        with CaptureQueriesContext(connection) as second:
            Case.objects.restrict(user, "view")
            Patient.objects.restrict(user, "lookup")
        assert (len(first), len(second)) == (cold, 0), name


def test_patient_lookup_is_one_query(setup):
    setup.grow(queues=1, cases=3)
    for name in ("agent", "cleared_agent", "nobody"):
        user = setup.warm(name)
        queryset = Patient.objects.restrict(user, "lookup")
        count, _ = evaluate(queryset)
        # None for "nobody" (no role: no case, no lookup), known without a query since issue 18.
        assert count == expected_queries(queryset) == (0 if name == "nobody" else 1), name
        if count:
            assert not case_id_lists(str(queryset.query))


def test_the_id_list_check_catches_a_materialised_list_of_ids():
    assert ID_LIST.search(str(Case.objects.filter(pk__in=[3, 14, 15]).query))
    assert case_id_lists(str(Case.objects.filter(pk__in=[3, 14, 15]).query))
    assert not case_id_lists(str(Case.objects.filter(queue_id__in=[3, 14, 15]).query))
    assert not ID_LIST.search(str(Case.objects.filter(status__in=["new", "triaged"]).query))
