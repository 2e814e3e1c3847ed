"""Claiming (docs/architecture/live-queue.md, "Claiming"): ``case_claim``, ``case_claim_next`` and
``case_release``. Who may claim what, the order claim-next hands cases out in, the records each
writes (one timeline event, one row version, one audit entry per changed row, one announcement),
pinned query counts, and on PostgreSQL concurrent claimers that never share a case."""

from __future__ import annotations

import datetime
import os
import threading
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from guardian.shortcuts import assign_perm

from accounts.roles import Role, ensure_role_groups
from cases import services
from cases.access import queues_for
from cases.access_scope import access_scope
from cases.choices import EventKind, Priority, Status
from cases.events import CaseEventName, queue_group
from cases.models import Case, CaseGrantKind, CaseUserObjectPermission, Patient
from cases.models.case import CLAIM_NEXT_STATUSES
from cases.selectors import worked_queue_ids
from cases.workflow import OPEN_STATUSES, WAITING_STATUSES
from compliance.models import AuditEntry
from tests.factories import CategoryFactory, QueueFactory, UserFactory, make_case

User = get_user_model()


class World:
    """Queues A and B (C: nobody here works it), one category per queue, and the people:

    * ``agent``: Agent role, works A; ``agent_b``: works B; ``agent_ab``: works A and B;
    * ``supervisor``: Supervisor role, supervises A; ``cleared``: works A, sensitive records;
    * ``compliance``: Compliance officer (sees every case, works none); ``intake``: opens cases.
    """

    def __init__(self) -> None:
        groups = ensure_role_groups()
        self.queue_a = QueueFactory(name="Claim A", slug="claim-a")
        self.queue_b = QueueFactory(name="Claim B", slug="claim-b")
        self.queue_c = QueueFactory(name="Claim C", slug="claim-c")
        self.categories = {
            queue.pk: CategoryFactory(default_queue=queue)
            for queue in (self.queue_a, self.queue_b, self.queue_c)
        }
        self.intake = UserFactory(username="claim-intake")
        self.intake.groups.add(groups[Role.AGENT])

        def person(username, first_name, *roles, work=(), supervise=()):
            user = UserFactory(username=username, first_name=first_name, last_name="Claimer")
            user.groups.add(*(groups[role] for role in roles))
            for queue in work:
                assign_perm("cases.work_queue", user, queue)
            for queue in supervise:
                assign_perm("cases.supervise_queue", user, queue)
            return User.objects.get(pk=user.pk)  # no permission cache from the set-up

        a, b = self.queue_a, self.queue_b
        self.agent = person("claim-agent", "Alma", Role.AGENT, work=[a])
        self.agent_b = person("claim-agent-b", "Bea", Role.AGENT, work=[b])
        self.agent_ab = person("claim-agent-ab", "Cai", Role.AGENT, work=[a, b])
        self.supervisor = person("claim-supervisor", "Sol", Role.SUPERVISOR, supervise=[a])
        self.cleared = person("claim-cleared", "Dee", Role.AGENT, Role.SENSITIVE_RECORDS, work=[a])
        self.compliance = person("claim-compliance", "Cora", Role.COMPLIANCE_OFFICER)

    def case(self, queue=None, **overrides) -> Case:
        queue = queue or self.queue_a
        return make_case(
            actor=self.intake, category=self.categories[queue.pk], queue=queue, **overrides
        )


@pytest.fixture
def world(db):
    return World()


def _reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def _make_sensitive(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(sensitivity="behavioral_health")  # test set-up only


def _set(case: Case, **fields) -> None:
    """Test set-up only: put a case into a state the services reach by longer paths."""
    Case.objects.filter(pk=case.pk).update(**fields)


def _code(raised) -> tuple[str, str]:
    ((field, errors),) = raised.value.error_dict.items()
    return field, errors[0].code


# --- case_claim ----------------------------------------------------------------------------------


def test_claim_assigns_the_case_and_records_it_once(world):
    case = world.case()
    claimed = services.case_claim(actor=world.agent, case=case)
    assert claimed.assigned_to_id == world.agent.pk
    assert _reload(case).assigned_to_id == world.agent.pk
    event = case.events.order_by("-id").first()
    assert (event.kind, event.actor_id, event.old_value, event.new_value) == (
        EventKind.ASSIGNED,
        world.agent.pk,
        "",
        world.agent.username,
    )
    version = case.history.order_by("-history_id").first()
    assert (version.assigned_to_id, version.history_user_id) == (world.agent.pk, world.agent.pk)


def test_claiming_ones_own_case_changes_nothing(world):
    case = services.case_claim(actor=world.agent, case=world.case())
    events, versions = case.events.count(), case.history.count()
    again = services.case_claim(actor=world.agent, case=case)
    assert again.assigned_to_id == world.agent.pk
    assert (case.events.count(), case.history.count()) == (events, versions)


def test_a_case_someone_else_holds_is_refused_naming_them(world):
    case = services.case_claim(actor=world.agent, case=world.case())
    with pytest.raises(ValidationError) as raised:
        services.case_claim(actor=world.agent_ab, case=case)
    assert _code(raised) == ("case", "already_assigned")
    assert raised.value.error_dict["case"][0].message == "Already claimed by Alma Claimer."
    assert _reload(case).assigned_to_id == world.agent.pk


@pytest.mark.parametrize("final", [Status.RESOLVED, Status.CLOSED])
def test_resolved_and_closed_cases_cannot_be_claimed(world, final):
    case = services.case_transition(
        actor=world.intake, case=world.case(), to_status=Status.RESOLVED
    )
    if final == Status.CLOSED:
        case = services.case_transition(actor=world.intake, case=case, to_status=Status.CLOSED)
    with pytest.raises(ValidationError) as raised:
        services.case_claim(actor=world.agent, case=case)
    assert _code(raised) == ("case", "case_closed")
    assert _reload(case).assigned_to_id is None


def test_a_waiting_case_can_be_claimed(world):
    case = services.case_transition(
        actor=world.intake, case=world.case(), to_status=Status.IN_PROGRESS
    )
    case = services.case_transition(
        actor=world.intake, case=case, to_status=Status.WAITING_ON_PATIENT
    )
    assert services.case_claim(actor=world.agent, case=case).assigned_to_id == world.agent.pk


@pytest.mark.parametrize("who", ["agent_b", "compliance"])
def test_who_may_not_work_the_case_gets_not_found(world, who):
    """Another queue's agent does not see the case; the compliance officer sees it but works no
    case: both get the read path's Http404, and nothing is written."""
    case = world.case()
    events = case.events.count()
    with pytest.raises(Http404):
        services.case_claim(actor=getattr(world, who), case=case)
    assert _reload(case).assigned_to_id is None
    assert case.events.count() == events


def test_a_sensitive_case_is_claimed_only_with_the_clearance(world):
    case = world.case()
    _make_sensitive(case)
    with pytest.raises(Http404):  # not even visible without the clearance
        services.case_claim(actor=world.agent, case=case)
    assert services.case_claim(actor=world.cleared, case=case).assigned_to_id == world.cleared.pk


def test_a_case_grant_does_not_clear_a_sensitive_claim(world):
    """An escalation grant lets an uncleared agent work one sensitive case, but a claim would make
    them its assignee, which needs the clearance (as case_assign requires of any assignee)."""
    case = world.case(world.queue_b)
    _make_sensitive(case)
    CaseUserObjectPermission.objects.create(
        user=world.agent,
        content_object=case,
        permission=Permission.objects.get(content_type__app_label="cases", codename="change_case"),
        kind=CaseGrantKind.ESCALATION,
        reason="Claim test grant",
        granted_by=world.intake,
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    with pytest.raises(ValidationError) as raised:
        services.case_claim(actor=world.agent, case=case)
    assert _code(raised) == ("case", "sensitive")
    assert services.case_claim_next(actor=world.agent) is None  # nor is it handed out


def test_claim_announces_after_commit(world, listener, django_capture_on_commit_callbacks):
    case = world.case()
    listener.join(queue_group(world.queue_a.pk))
    with django_capture_on_commit_callbacks(execute=True):
        services.case_claim(actor=world.agent, case=case)
        assert listener.receive_all(timeout=0.1) == []
    (message,) = listener.receive_all()
    assert (message["event"], message["case_id"], message["assigned_to_id"]) == (
        CaseEventName.ASSIGNED,
        case.pk,
        world.agent.pk,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.case_claim(actor=world.agent, case=case)  # no change: no announcement
    assert listener.receive_all(timeout=0.1) == []


# --- case_claim_next -----------------------------------------------------------------------------


def test_claim_next_hands_out_the_most_urgent_then_earliest_due_then_oldest(world):
    now = timezone.now()
    normal_old = world.case(priority=Priority.NORMAL)
    normal_due_late = world.case(priority=Priority.NORMAL)
    normal_due_soon = world.case(priority=Priority.NORMAL)
    normal_new = world.case(priority=Priority.NORMAL)
    urgent = world.case(priority=Priority.URGENT)
    low = world.case(priority=Priority.LOW)
    _set(normal_due_late, resolution_due_at=now + datetime.timedelta(hours=8))
    _set(normal_due_soon, resolution_due_at=now + datetime.timedelta(hours=1))
    for case in (normal_old, normal_new, urgent, low):
        _set(case, resolution_due_at=None)
    _set(normal_old, created_at=now - datetime.timedelta(days=1))

    order = []
    while (claimed := services.case_claim_next(actor=world.agent, queue=world.queue_a)) is not None:
        order.append(claimed.pk)
    expected = [urgent, normal_due_soon, normal_due_late, normal_old, normal_new, low]
    assert order == [case.pk for case in expected]
    assert Counter(Case.objects.values_list("assigned_to", flat=True)) == {world.agent.pk: 6}


def test_claim_next_skips_what_is_not_claimable(world):
    held = services.case_claim(actor=world.agent_ab, case=world.case(priority=Priority.URGENT))
    waiting = services.case_transition(
        actor=world.intake, case=world.case(priority=Priority.URGENT), to_status=Status.IN_PROGRESS
    )
    services.case_transition(actor=world.intake, case=waiting, to_status=Status.WAITING_ON_PATIENT)
    services.case_transition(
        actor=world.intake, case=world.case(priority=Priority.URGENT), to_status=Status.RESOLVED
    )
    triaged = services.case_transition(
        actor=world.intake, case=world.case(priority=Priority.LOW), to_status=Status.TRIAGED
    )
    claimed = services.case_claim_next(actor=world.agent, queue=world.queue_a)
    assert claimed.pk == triaged.pk
    assert services.case_claim_next(actor=world.agent, queue=world.queue_a) is None
    assert _reload(held).assigned_to_id == world.agent_ab.pk


def test_claim_next_statuses_are_the_open_ones_that_need_an_agent():
    assert CLAIM_NEXT_STATUSES == OPEN_STATUSES - WAITING_STATUSES
    assert {Status.NEW, Status.TRIAGED, Status.IN_PROGRESS} == CLAIM_NEXT_STATUSES


def test_claim_next_without_a_queue_spans_the_queues_one_works_and_no_other(world):
    in_a = world.case(world.queue_a, priority=Priority.LOW)
    in_b = world.case(world.queue_b, priority=Priority.HIGH)
    world.case(world.queue_c, priority=Priority.URGENT)
    assert services.case_claim_next(actor=world.agent_ab).pk == in_b.pk
    assert services.case_claim_next(actor=world.agent_ab).pk == in_a.pk
    assert services.case_claim_next(actor=world.agent_ab) is None


def test_claim_next_of_a_queue_one_does_not_work_is_refused(world):
    world.case(world.queue_b)
    with pytest.raises(ValidationError) as raised:
        services.case_claim_next(actor=world.agent, queue=world.queue_b)
    assert _code(raised) == ("queue", "not_queue_member")
    with pytest.raises(ValidationError):
        services.case_claim_next(actor=world.compliance, queue=world.queue_a)
    assert services.case_claim_next(actor=world.compliance) is None
    assert not Case.objects.filter(assigned_to__isnull=False).exists()


def test_a_supervisor_claims_next_from_the_supervised_queue(world):
    case = world.case()
    assert services.case_claim_next(actor=world.supervisor, queue=world.queue_a).pk == case.pk


def test_claim_next_hands_sensitive_cases_only_to_the_cleared(world):
    sensitive_case = world.case(priority=Priority.URGENT)
    _make_sensitive(sensitive_case)
    sensitive_patient = world.case(priority=Priority.HIGH)
    Patient.objects.filter(pk=sensitive_patient.patient_id).update(sensitivity="hiv")
    plain = world.case(priority=Priority.LOW)
    assert services.case_claim_next(actor=world.agent).pk == plain.pk
    assert services.case_claim_next(actor=world.agent) is None
    assert services.case_claim_next(actor=world.cleared).pk == sensitive_case.pk
    assert services.case_claim_next(actor=world.cleared).pk == sensitive_patient.pk


def test_claim_next_candidates_are_restricts_work_rows_meeting_the_conditions(world):
    """claim_next_candidates() does not go through restrict() (its other branches would be planned
    on every claim); it must select exactly the rows restrict(actor, "work") allows that are
    unassigned, claimable, in a queue the actor works, and not sensitive without the clearance."""
    plain = world.case(world.queue_a)
    world.case(world.queue_b)
    world.case(world.queue_c)
    sensitive = world.case(world.queue_a)
    _make_sensitive(sensitive)
    granted = world.case(world.queue_c)  # a case grant: restrict() allows it, claim-next not
    CaseUserObjectPermission.objects.create(
        user=world.agent,
        content_object=granted,
        permission=Permission.objects.get(content_type__app_label="cases", codename="change_case"),
        kind=CaseGrantKind.ESCALATION,
        reason="Claim test grant",
        granted_by=world.intake,
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    services.case_claim(actor=world.agent_ab, case=world.case(world.queue_a))
    services.case_transition(actor=world.intake, case=world.case(), to_status=Status.RESOLVED)
    services.case_transition(
        actor=world.intake,
        case=services.case_transition(
            actor=world.intake, case=world.case(), to_status=Status.IN_PROGRESS
        ),
        to_status=Status.WAITING_ON_PATIENT,
    )
    for name in ("agent", "agent_b", "agent_ab", "supervisor", "cleared", "compliance"):
        actor = getattr(world, name)
        worked = queues_for(actor, "work")
        expected = set(
            Case.objects.restrict(actor, "work")
            .filter(
                queue__in=worked,
                assigned_to__isnull=True,
                status__in=CLAIM_NEXT_STATUSES,
            )
            .exclude(
                pk__in=[] if actor.has_perm("cases.view_sensitive") else [sensitive.pk],
            )
            .values_list("pk", flat=True)
        )
        found = set(services.claim_next_candidates(actor=actor).values_list("pk", flat=True))
        assert found == expected, name
    agent_rows = set(services.claim_next_candidates(actor=world.agent).values_list("pk", flat=True))
    assert plain.pk in agent_rows
    assert not {sensitive.pk, granted.pk} & agent_rows


def _fields(case: Case | None) -> dict | None:
    if case is None:
        return None
    values = {field.attname: getattr(case, field.attname) for field in Case._meta.concrete_fields}
    values["patient"] = {
        field.attname: getattr(case.patient, field.attname)
        for field in Patient._meta.concrete_fields
    }
    return values


def test_the_candidate_is_the_querysets_first_row(world, django_assert_num_queries):
    """claim_next_candidate() is the first row of claim_next_candidates(): the same row, with its
    patient and its converted values, in one query, every time — two on PostgreSQL for someone
    who works several queues and names none (each queue's backlog heads first, then the lock:
    issue 18), one when no queue has a claimable case."""
    world.case(world.queue_a, priority=Priority.LOW)
    urgent = world.case(world.queue_a, priority=Priority.HIGH)
    in_b = world.case(world.queue_b, priority=Priority.NORMAL)
    sensitive = world.case(world.queue_a, priority=Priority.URGENT)
    _make_sensitive(sensitive)
    expected = {
        "agent": urgent,
        "agent_b": in_b,
        "agent_ab": urgent,
        "supervisor": urgent,
        "cleared": sensitive,
        "compliance": None,  # works no queue
    }
    for name in ("agent", "agent_b", "agent_ab", "supervisor", "cleared", "compliance"):
        actor = _fresh(getattr(world, name))
        actor.has_perm("cases.view_sensitive")  # the permission cache, off the counted query
        access_scope(actor)  # and the access scope (issue 18), read once per user object
        for queue in (None, world.queue_a, world.queue_b):
            with transaction.atomic():
                with CaptureQueriesContext(connection) as plain:  # none for an empty queue set
                    first = services.claim_next_candidates(actor=actor, queue=queue).first()
                heads_first = (
                    queue is None
                    and len(worked_queue_ids(actor)) > 1
                    and connection.features.supports_slicing_ordering_in_compound
                )
                expected_count = len(plain.captured_queries)
                if heads_first:
                    expected_count = 2 if first is not None else 1
                for _ in range(2):  # the same answer again
                    with django_assert_num_queries(expected_count):
                        found = services.claim_next_candidate(actor=actor, queue=queue)
                    assert _fields(found) == _fields(first), (name, queue)
                    if found is not None:
                        with django_assert_num_queries(0):
                            assert found.patient.pk == found.patient_id
    with transaction.atomic():
        for name, case in expected.items():
            actor = _fresh(getattr(world, name))
            found = services.claim_next_candidate(actor=actor)
            assert (found.pk if found else None) == (case.pk if case else None), name


def test_the_candidate_sees_a_grant_taken_away_at_once(world):
    """The queue membership comes from the access scope, dropped when a grant changes (issue
    18): a work grant removed after a claim takes effect on the next one."""
    from guardian.shortcuts import remove_perm

    case = world.case(world.queue_a)
    actor = _fresh(world.agent)
    with transaction.atomic():
        assert services.claim_next_candidate(actor=actor, queue=world.queue_a).pk == case.pk
    remove_perm("cases.work_queue", world.agent, world.queue_a)
    with transaction.atomic():
        assert services.claim_next_candidate(actor=actor, queue=world.queue_a) is None
    with pytest.raises(ValidationError) as raised:
        services.case_claim_next(actor=actor, queue=world.queue_a)
    assert _code(raised) == ("queue", "not_queue_member")


def test_the_candidate_follows_the_role_permissions_it_depends_on(world):
    """Decisions made in Python (the sensitive-records permission, an active account) are made
    again on every claim: a user who gains the clearance gets the sensitive case, one
    deactivated gets nothing, whatever they were handed before."""
    sensitive = world.case(world.queue_a, priority=Priority.URGENT)
    _make_sensitive(sensitive)
    with transaction.atomic():
        assert services.claim_next_candidate(actor=_fresh(world.agent)) is None
    groups = ensure_role_groups()
    world.agent.groups.add(groups[Role.SENSITIVE_RECORDS])
    with transaction.atomic():
        assert services.claim_next_candidate(actor=_fresh(world.agent)).pk == sensitive.pk
    User.objects.filter(pk=world.agent.pk).update(is_active=False)
    with transaction.atomic():
        assert services.claim_next_candidate(actor=_fresh(world.agent)) is None


def test_the_candidate_query_walks_the_claim_index(world):
    """PostgreSQL: the candidate query can walk case_claim_next_idx (its condition names the
    claim statuses, which the query filters on). Shown with sequential scans off (the test
    table is tiny)."""
    if connection.vendor != "postgresql":
        pytest.skip("the partial index is PostgreSQL's plan")
    world.case(world.queue_a)
    actor = _fresh(world.agent)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = services.claim_next_candidates(actor=actor, queue=world.queue_a)[:1].explain()
    assert "case_claim_next_idx" in plan, plan


def test_claim_next_on_an_empty_queue_writes_nothing(world):
    head = AuditEntry.objects.count()
    assert services.case_claim_next(actor=world.agent, queue=world.queue_a) is None
    assert AuditEntry.objects.exclude(action=AuditEntry.Action.ACCESS).count() == head


# --- case_release --------------------------------------------------------------------------------


def test_the_assignee_releases_the_case_to_the_queue(world, listener):
    case = services.case_claim(actor=world.agent, case=world.case())
    released = services.case_release(actor=world.agent, case=case)
    assert released.assigned_to_id is None
    event = case.events.order_by("-id").first()
    assert (event.kind, event.actor_id, event.old_value, event.new_value) == (
        EventKind.UNASSIGNED,
        world.agent.pk,
        world.agent.username,
        "",
    )
    assert services.case_claim_next(actor=world.agent_ab).pk == case.pk  # back in the queue


def test_only_the_assignee_or_a_supervisor_releases(world):
    case = services.case_claim(actor=world.agent, case=world.case())
    with pytest.raises(ValidationError) as raised:
        services.case_release(actor=world.agent_ab, case=case)
    assert _code(raised) == ("case", "not_assignee")
    with pytest.raises(Http404):
        services.case_release(actor=world.agent_b, case=case)
    assert _reload(case).assigned_to_id == world.agent.pk
    assert services.case_release(actor=world.supervisor, case=case).assigned_to_id is None


def test_releasing_an_unassigned_case_changes_nothing(world):
    case = world.case()
    events = case.events.count()
    assert services.case_release(actor=world.agent, case=case).assigned_to_id is None
    assert case.events.count() == events


def test_a_closed_case_is_not_released(world):
    case = services.case_claim(actor=world.agent, case=world.case())
    case = services.case_transition(actor=world.agent, case=case, to_status=Status.RESOLVED)
    case = services.case_transition(actor=world.agent, case=case, to_status=Status.CLOSED)
    with pytest.raises(ValidationError) as raised:
        services.case_release(actor=world.agent, case=case)
    assert _code(raised) == ("case", "case_closed")


# --- the audit trail: exactly one entry per changed row ------------------------------------------


def _new_entries(after: int) -> Counter:
    entries = AuditEntry.objects.filter(id__gt=after).exclude(action=AuditEntry.Action.ACCESS)
    rows = list(entries.values_list("content_type__model", "object_pk", "action", "actor_id"))
    assert len(rows) == len(set(rows)), "a row was audited twice for one change"
    return Counter((model, action, actor) for model, _pk, action, actor in rows)


def _head() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True)[0]


@pytest.mark.parametrize("work", ["claim", "claim_next", "release"])
def test_each_claim_writes_one_audit_entry_per_changed_row(world, work):
    case = world.case()
    if work == "release":
        case = services.case_claim(actor=world.agent, case=case)
    head = _head()
    if work == "claim":
        services.case_claim(actor=world.agent, case=case)
    elif work == "claim_next":
        services.case_claim_next(actor=world.agent, queue=world.queue_a)
    else:
        services.case_release(actor=world.agent, case=case)
    update, create = AuditEntry.Action.UPDATE, AuditEntry.Action.CREATE
    assert _new_entries(head) == {
        ("case", update, world.agent.pk): 1,
        ("caseevent", create, world.agent.pk): 1,
    }
    head = _head()
    if work != "release":  # claiming one's own case again: no entry at all
        services.case_claim(actor=world.agent, case=case)
        assert _new_entries(head) == Counter()


# --- query counts --------------------------------------------------------------------------------

# Per call, with the actor's permissions not cached yet (a fresh request's user):
# Every count holds the actor's access scope (issue 18): one query (their queue and case grants),
# read once per user object, before the first restricted query.
# claim: SAVEPOINT, the user's and the groups' model permissions (2), the access scope, the
#        restricted row lock
#        (with the patient); then case_assign's work on that locked row, without a second lock or
#        savepoint: auditlog's read of the row's old values (its own pre_save receiver), UPDATE
#        case, INSERT row version, INSERT event, one INSERT per audit entry (the case's update,
#        the event's creation; no chain lock or head: the sealer chains them later); RELEASE.
#        One more than when the entries were chained at commit (two round trips then, and the
#        locked row remembered instead of read again by auditlog).
# claim_own: SAVEPOINT, permissions (2), the access scope, the restricted row lock, RELEASE:
#        nothing written.
# claim_next: claim's, with the candidate query (SKIP LOCKED on PostgreSQL; the queue membership
#        in it as a flat queue_id IN (…); the whole row and its patient) instead of the
#        restricted row lock.
# claim_next_empty: SAVEPOINT, permissions (2), the access scope, candidate query, then the
#        queue (to tell "nothing to claim" from "not your queue": its id against the scope's
#        queues, one query), RELEASE.
# The same on both databases.
EXPECTED_QUERIES = {
    vendor: {"claim": 12, "claim_own": 6, "claim_next": 12, "claim_next_empty": 7}
    for vendor in ("postgresql", "sqlite")
}


def _count(work) -> int:
    with CaptureQueriesContext(connection) as captured:
        work()
    if os.environ.get("SHOW_QUERIES"):
        print(*(q["sql"][:160] for q in captured.captured_queries), sep="\n", end="\n\n")
    return len(captured.captured_queries)


def _fresh(user):
    return User.objects.get(pk=user.pk)


def _measure(world) -> dict[str, int]:
    counts = {}
    case = world.case(priority=Priority.URGENT)
    agent = _fresh(world.agent)
    counts["claim"] = _count(lambda: services.case_claim(actor=agent, case=case))
    agent = _fresh(world.agent)
    counts["claim_own"] = _count(lambda: services.case_claim(actor=agent, case=case))
    world.case(priority=Priority.URGENT)
    agent = _fresh(world.agent)
    counts["claim_next"] = _count(
        lambda: services.case_claim_next(actor=agent, queue=world.queue_a)
    )
    agent_b = _fresh(world.agent_b)
    counts["claim_next_empty"] = _count(  # queue B: only claimed cases, if any
        lambda: services.case_claim_next(actor=agent_b, queue=world.queue_b)
    )
    return counts


def test_claim_query_counts_are_pinned_and_constant(world):
    few = _measure(world)
    for _ in range(20):
        world.case(world.queue_a)
        services.case_claim(actor=world.agent_b, case=world.case(world.queue_b))
    many = _measure(world)
    assert few == many
    assert few == EXPECTED_QUERIES[connection.vendor]


# --- concurrency (PostgreSQL: row locks and SKIP LOCKED) -----------------------------------------


def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED: PostgreSQL (SQLite serialises all writers)")


def _in_threads(count: int, work) -> tuple[list, list]:
    """Run ``work(index)`` in ``count`` threads started together; (results, errors)."""
    start = threading.Barrier(count)
    results, errors = [], []

    def run(index):
        try:
            start.wait()
            results.append(work(index))
        except Exception as exc:  # reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_claim_next_gives_every_case_to_exactly_one_claimer():
    _postgresql_only()
    world = World()
    agents = [world.agent, world.agent_ab, world.supervisor, world.cleared]
    cases = [world.case(priority=Priority.NORMAL) for _ in range(10)]

    def claim_until_empty(index):
        agent = _fresh(agents[index])
        mine = []
        while (case := services.case_claim_next(actor=agent, queue=world.queue_a)) is not None:
            mine.append(case.pk)
        return agents[index].pk, mine

    results, errors = _in_threads(len(agents), claim_until_empty)
    assert errors == []
    claimed = [pk for _agent, mine in results for pk in mine]
    assert sorted(claimed) == sorted(case.pk for case in cases)  # each exactly once
    holders = dict(Case.objects.values_list("pk", "assigned_to_id"))
    for agent_pk, mine in results:
        assert all(holders[pk] == agent_pk for pk in mine)
    assignments = Counter(
        Case.objects.filter(events__kind=EventKind.ASSIGNED).values_list("pk", flat=True)
    )
    assert assignments == dict.fromkeys((case.pk for case in cases), 1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_of_one_case_have_one_winner():
    _postgresql_only()
    world = World()
    agents = [world.agent, world.agent_ab, world.supervisor, world.cleared]
    case = world.case()

    def claim(index):
        try:
            return services.case_claim(actor=_fresh(agents[index]), case=case).assigned_to_id
        except ValidationError as exc:
            return exc.error_dict["case"][0].code

    results, errors = _in_threads(len(agents), claim)
    assert errors == []
    winners = [result for result in results if isinstance(result, int)]
    assert len(winners) == 1
    assert sorted(r for r in results if not isinstance(r, int)) == ["already_assigned"] * 3
    assert _reload(case).assigned_to_id == winners[0]
    assert case.events.filter(kind=EventKind.ASSIGNED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_claim_next_skips_a_locked_case_instead_of_waiting():
    """While another transaction holds the most urgent case's row, claim-next takes the next one
    at once rather than wait for it (SKIP LOCKED)."""
    _postgresql_only()
    from django.db import transaction

    world = World()
    first = world.case(priority=Priority.URGENT)
    second = world.case(priority=Priority.LOW)
    held, done = threading.Event(), threading.Event()

    def holder(_index):
        with transaction.atomic():
            list(Case.objects.select_for_update().filter(pk=first.pk))
            held.set()
            done.wait(10)

    thread = threading.Thread(target=lambda: _in_threads(1, holder))
    thread.start()
    assert held.wait(10)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # waiting would fail the test, not hang it
        assert services.case_claim_next(actor=world.agent, queue=world.queue_a).pk == second.pk
    finally:
        done.set()
        thread.join(10)
    assert services.case_claim_next(actor=world.agent, queue=world.queue_a).pk == first.pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_claim_next_over_several_queues_gives_every_case_to_exactly_one_claimer():
    """Claim-next over "any of my queues" reads each queue's backlog heads first, unlocked, then
    locks the best of them (issue 18): four claimers who each work both queues still get every
    case exactly once, whatever the heads they read at the same time."""
    _postgresql_only()
    world = World()
    cases = [
        world.case(queue, priority=priority)
        for queue in (world.queue_a, world.queue_b)
        for priority in (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT) * 3
    ]

    def claim_until_empty(_index):
        agent = _fresh(world.agent_ab)
        mine = []
        while (case := services.case_claim_next(actor=agent)) is not None:
            mine.append(case.pk)
        return mine

    results, errors = _in_threads(4, claim_until_empty)
    assert errors == []
    claimed = [pk for mine in results for pk in mine]
    assert sorted(claimed) == sorted(case.pk for case in cases)  # each exactly once
    assignments = Counter(
        Case.objects.filter(events__kind=EventKind.ASSIGNED).values_list("pk", flat=True)
    )
    assert assignments == dict.fromkeys((case.pk for case in cases), 1)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lookahead", [1, 8])
def test_claim_next_over_several_queues_passes_over_locked_heads(monkeypatch, lookahead):
    """While another transaction holds the most urgent case of each queue, claim-next over both
    queues takes the best of the rest at once; with a look-ahead of one (every head held) it
    falls back to the whole backlog and still finds it, without waiting."""
    _postgresql_only()
    from cases import selectors

    monkeypatch.setattr(selectors, "CLAIM_NEXT_LOOKAHEAD", lookahead)
    world = World()
    head_a = world.case(world.queue_a, priority=Priority.URGENT)
    head_b = world.case(world.queue_b, priority=Priority.URGENT)
    next_b = world.case(world.queue_b, priority=Priority.HIGH)
    world.case(world.queue_a, priority=Priority.LOW)
    held, done = threading.Event(), threading.Event()

    def holder(_index):
        with transaction.atomic():
            list(Case.objects.select_for_update().filter(pk__in=[head_a.pk, head_b.pk]))
            held.set()
            done.wait(10)

    thread = threading.Thread(target=lambda: _in_threads(1, holder))
    thread.start()
    assert held.wait(10)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # waiting would fail the test, not hang it
        assert services.case_claim_next(actor=_fresh(world.agent_ab)).pk == next_b.pk
    finally:
        done.set()
        thread.join(10)
    agent = _fresh(world.agent_ab)
    assert {services.case_claim_next(actor=agent).pk for _ in range(2)} == {head_a.pk, head_b.pk}
