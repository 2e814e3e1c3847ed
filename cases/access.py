"""The one read path: who may see and work which cases (docs/architecture/access.md).

``restrict_cases(queryset, user, action)`` turns the rules into ONE flat filter — ``queue_id IN
(…)``, ``assigned_to_id = …``, ``id IN (…)`` and the sensitivity columns — built from the person's
access scope (``cases.access_scope``: their queues, case grants and role flags, read once per
request), so it composes with any other filter, ordering and pagination, never materialises case
ids found by querying cases, and PostgreSQL plans it in well under a millisecond.
The querysets of every protected model call into this module (``Case.objects.restrict(user,
action)``, ``Patient.objects.restrict(…)``, ``CaseEvent.objects.restrict(…)``, and each category
detail's ``objects.restrict(…)``); ``access_case`` fetches one case or raises Http404.

A superuser is no exception (issue 17): the rules ask ``accounts.permissions.holds`` — the
permissions of the person's roles — never ``has_perm``, which answers True for a superuser's every
permission. A superuser without a support role reaches no case; with one, what that role reaches.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.models import User
from accounts.permissions import holds
from cases.access_scope import (
    ADD_CASE,
    CHANGE_CASE,
    VIEW_ALL_CASES,
    VIEW_CASE,
    VIEW_SENSITIVE,
    access_scope,
)
from cases.models import (
    SUPERVISE_QUEUE,
    WORK_QUEUE,
    Case,
    Patient,
    Queue,
    QueueGroupObjectPermission,
    QueueUserObjectPermission,
)

VIEW, WORK, SUPERVISE = "view", "work", "supervise"
ACTIONS = frozenset({VIEW, WORK, SUPERVISE})
# Patients only: find a patient at intake by exact identifiers (non-sensitive patients).
LOOKUP = "lookup"


def _check_action(action: str, allowed=ACTIONS) -> None:
    if action not in allowed:
        raise ValueError(f"Unknown access action {action!r}; use one of {sorted(allowed)}.")


def _person(user) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "kind", User.Kind.PERSON) == User.Kind.PERSON
    )


def queue_membership(user, action: str, queue_ref=None):
    """The queue half of the rules: a ``work_queue`` or ``supervise_queue`` grant (``supervise``:
    ``supervise_queue`` only) to ``user`` or to a group of theirs, on the queue ``queue_ref``
    names (an ``OuterRef``; by default the row's own ``pk``, for a queryset of queues). An
    expression usable in ``filter()`` and ``annotate()``."""

    codenames = [SUPERVISE_QUEUE] if action == SUPERVISE else [WORK_QUEUE, SUPERVISE_QUEUE]
    queue_ref = queue_ref if queue_ref is not None else OuterRef("pk")
    return Exists(
        QueueUserObjectPermission.objects.filter(
            user_id=user.pk, content_object_id=queue_ref, permission__codename__in=codenames
        )
    ) | Exists(
        QueueGroupObjectPermission.objects.filter(
            group__user=user.pk, content_object_id=queue_ref, permission__codename__in=codenames
        )
    )


def queue_members(queue_ids):
    """The reverse of ``queue_membership``, for a queryset of users: the row (its ``pk``) holds a
    ``work_queue`` or ``supervise_queue`` grant on any of ``queue_ids``, itself or through one of
    its groups. An expression usable in ``filter()``."""

    queue_ids = list(queue_ids)
    codenames = [WORK_QUEUE, SUPERVISE_QUEUE]
    return Exists(
        QueueUserObjectPermission.objects.filter(
            user_id=OuterRef("pk"),
            content_object_id__in=queue_ids,
            permission__codename__in=codenames,
        )
    ) | Exists(
        QueueGroupObjectPermission.objects.filter(
            group__user=OuterRef("pk"),
            content_object_id__in=queue_ids,
            permission__codename__in=codenames,
        )
    )


# What ``_case_filter`` answers besides a condition: every row, or none.
EVERYTHING, NOTHING = "everything", None


def _case_filter(user, action: str, *, prefix: str = "", case_id: str = "pk"):
    """The rule for ``user`` and ``action`` on case rows: ``EVERYTHING``, ``NOTHING`` or a flat
    ``Q``. ``prefix`` reaches the case's fields from a related row (``case__``), ``case_id`` its
    primary key (``case_id``)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    kind = getattr(user, "kind", User.Kind.PERSON)
    if kind == User.Kind.SERVICE:
        if action == VIEW and user.organisation_id is not None:
            return Q(**{f"{prefix}source_organisation_id": user.organisation_id})
        return NOTHING
    if kind != User.Kind.PERSON:
        return NOTHING
    if action == VIEW and holds(user, VIEW_ALL_CASES):
        return EVERYTHING
    # Object grants only ever widen a role: a person without the role's model permission (no
    # support role at all) reaches no case, whatever is assigned or granted to them.
    if not holds(user, VIEW_CASE if action == VIEW else CHANGE_CASE):
        return NOTHING
    return _person_condition(user, action, prefix=prefix, case_id=case_id)


def _person_condition(user, action: str, *, prefix: str = "", case_id: str = "pk"):
    """A person's reach, flat, from their access scope (``cases.access_scope``)::

        ((queue_id IN (their queues) OR assigned_to_id = them) AND not sensitive)
        OR id IN (their unexpired case grants)

    — an explicit case grant is the exception to sensitivity. ``supervise``: queues they
    supervise, not sensitive; no assignment, no grants. ``NOTHING`` when it reaches no row."""
    scope = access_scope(user)
    supervise = action == SUPERVISE
    queues = scope.queue_ids(supervise=supervise)
    reach = Q(**{f"{prefix}queue_id__in": queues}) if queues else None
    if not supervise:
        assigned = Q(**{f"{prefix}assigned_to_id": user.pk})
        reach = assigned if reach is None else reach | assigned
    if reach is not None and not scope.view_sensitive:
        reach &= Q(**{f"{prefix}sensitivity": ""}) & Q(**{f"{prefix}patient__sensitivity": ""})
    granted = [] if supervise else scope.granted(work=action == WORK)
    if granted:
        by_grant = Q(**{f"{case_id}__in": granted})
        reach = by_grant if reach is None else reach | by_grant
    return reach


def _apply(queryset: QuerySet, condition) -> QuerySet:
    if condition is NOTHING:
        return queryset.none()
    if condition is EVERYTHING:
        return queryset
    return queryset.filter(condition)


def restrict_cases(queryset: QuerySet, user, action: str) -> QuerySet:
    _check_action(action)
    return _apply(queryset, _case_filter(user, action))


def restrict_related(
    queryset: QuerySet, user, action: str, *, case_field: str = "case"
) -> QuerySet:
    """Rows that belong to a visible case (timeline events, category details, escalations): the
    case's rule on the joined case row, no subquery."""

    _check_action(action)
    condition = _case_filter(user, action, prefix=f"{case_field}__", case_id=f"{case_field}_id")
    return _apply(queryset, condition)


def restrict_patients(queryset: QuerySet, user, action: str) -> QuerySet:

    _check_action(action, ACTIONS | {LOOKUP})
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if action in (VIEW, LOOKUP) and _reads_everything(user):
        return queryset
    condition = _case_filter(user, VIEW if action == LOOKUP else action)
    with_visible_case = None
    if condition is not NOTHING:
        cases = _apply(Case.objects.all(), condition)
        with_visible_case = Exists(cases.filter(patient_id=OuterRef("pk")))
    if action == LOOKUP and _person(user) and holds(user, ADD_CASE):
        # Intake: an agent finds the caller's record by exact identifiers; sensitive patients
        # only when the agent may see sensitive records.
        if holds(user, VIEW_SENSITIVE):
            return queryset
        if with_visible_case is None:
            return queryset.filter(sensitivity="")
        return queryset.filter(Q(sensitivity="") | with_visible_case)
    if with_visible_case is None:
        return queryset.none()
    return queryset.filter(with_visible_case)


def _reads_everything(user) -> bool:
    return _person(user) and holds(user, VIEW_ALL_CASES)


def access_case(user, pk, action: str = VIEW, *, queryset: QuerySet | None = None) -> Case:
    """The case ``pk`` if ``user`` may ``action`` it; otherwise Http404 (never a 403)."""

    base = queryset if queryset is not None else Case.objects.all()
    visible = restrict_cases(base, user, action)  # an unknown action is a programming error
    try:
        return visible.get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such case.") from exc


def access_patient(user, pk, action: str = VIEW):

    visible = restrict_patients(Patient.objects.all(), user, action)
    try:
        return visible.get(pk=pk)
    except (Patient.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such patient.") from exc


def case_permission_flags(queryset: QuerySet, user) -> QuerySet:
    """Annotate ``can_work`` and ``can_supervise`` on each row — the per-object flags a page needs,
    computed in the same query (no query per row), from the same flat conditions as
    ``restrict_cases``."""
    from django.db.models import BooleanField, Value, When
    from django.db.models import Case as CaseWhen

    if not _person(user):
        return queryset.annotate(can_work=Value(False), can_supervise=Value(False))

    may_change = holds(user, CHANGE_CASE)  # the same role check as restrict_cases

    def flag(action):
        condition = _person_condition(user, action) if may_change else NOTHING
        if condition is NOTHING:
            return Value(False)
        return CaseWhen(
            When(condition, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )

    return queryset.annotate(can_work=flag(WORK), can_supervise=flag(SUPERVISE))


def queues_for_allowed(user) -> bool:
    """Whether ``user`` may work queues at all: an active person with the role's
    ``change_case`` (``queues_for`` answers no queue otherwise)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return _person(user) and holds(user, CHANGE_CASE)


def queues_for(user, action: str = WORK) -> QuerySet:
    """The queues whose cases ``user`` may ``action`` (``work`` or ``supervise``) by membership —
    the queue half of ``restrict_cases``, for what subscribes per queue (the live queue's
    socket). The queue ids come from the access scope; an inactive user, a non-person or a
    person without the role gets none."""

    _check_action(action, frozenset({WORK, SUPERVISE}))
    if not queues_for_allowed(user):
        return Queue.objects.none()
    return Queue.objects.filter(pk__in=access_scope(user).queue_ids(supervise=action == SUPERVISE))
