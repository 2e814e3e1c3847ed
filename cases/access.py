"""The one read path: who may see and work which cases (docs/architecture/access.md).

``restrict_cases(queryset, user, action)`` turns the rules into ONE filter of EXISTS subqueries, so
it composes with any other filter, ordering and pagination and never materialises ids in Python.
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
from django.utils import timezone

from accounts.models import User
from accounts.permissions import holds
from cases.models import (
    SUPERVISE_QUEUE,
    WORK_QUEUE,
    Case,
    CaseUserObjectPermission,
    Patient,
    Queue,
    QueueGroupObjectPermission,
    QueueUserObjectPermission,
)

VIEW, WORK, SUPERVISE = "view", "work", "supervise"
ACTIONS = frozenset({VIEW, WORK, SUPERVISE})
# Patients only: find a patient at intake by exact identifiers (non-sensitive patients).
LOOKUP = "lookup"

VIEW_ALL_CASES = "cases.view_all_cases"
VIEW_SENSITIVE = "cases.view_sensitive"
ADD_CASE = "cases.add_case"
VIEW_CASE = "cases.view_case"
CHANGE_CASE = "cases.change_case"


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


def case_condition(user, action: str, *, case_ref: str = "pk", now=None):
    """The condition on a case row (``case_ref`` names its primary key, ``pk`` or ``case_id``
    from a related model) for a person who is not a compliance reader; relative
    field names are prefixed accordingly. Returns a Q/expression usable in ``filter()``."""

    prefix = "" if case_ref == "pk" else case_ref.removesuffix("_id") + "__"
    now = now or timezone.now()
    by_queue = queue_membership(user, action, OuterRef(f"{prefix}queue_id"))
    if action == SUPERVISE:
        condition = by_queue
        granted = None
    else:
        grant_codenames = ["change_case"] if action == WORK else ["view_case", "change_case"]
        granted = Exists(
            CaseUserObjectPermission.objects.filter(
                user_id=user.pk,
                content_object_id=OuterRef(case_ref),
                expires_at__gt=now,
                permission__codename__in=grant_codenames,
            )
        )
        condition = by_queue | Q(**{f"{prefix}assigned_to_id": user.pk}) | granted
    if not holds(user, VIEW_SENSITIVE):
        not_sensitive = Q(**{f"{prefix}sensitivity": ""}) & Q(
            **{f"{prefix}patient__sensitivity": ""}
        )
        if granted is not None:  # an explicit case grant is the exception to sensitivity
            condition = condition & (not_sensitive | granted)
        else:
            condition = condition & not_sensitive
    return condition


def restrict_cases(queryset: QuerySet, user, action: str) -> QuerySet:
    _check_action(action)
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    kind = getattr(user, "kind", User.Kind.PERSON)
    if kind == User.Kind.SERVICE:
        if action == VIEW and user.organisation_id is not None:
            return queryset.filter(source_organisation_id=user.organisation_id)
        return queryset.none()
    if kind != User.Kind.PERSON:
        return queryset.none()
    if action == VIEW and holds(user, VIEW_ALL_CASES):
        return queryset
    # Object grants only ever widen a role: a person without the role's model permission (no
    # support role at all) reaches no case, whatever is assigned or granted to them.
    if not holds(user, VIEW_CASE if action == VIEW else CHANGE_CASE):
        return queryset.none()
    return queryset.filter(case_condition(user, action))


def restrict_related(
    queryset: QuerySet, user, action: str, *, case_field: str = "case"
) -> QuerySet:
    """Rows that belong to a visible case (timeline events, category details)."""

    _check_action(action)
    visible = restrict_cases(Case.objects.all(), user, action)
    if visible.query.is_empty():
        return queryset.none()
    if action == VIEW and _reads_everything(user):
        return queryset
    return queryset.filter(Exists(visible.filter(pk=OuterRef(f"{case_field}_id"))))


def restrict_patients(queryset: QuerySet, user, action: str) -> QuerySet:

    _check_action(action, ACTIONS | {LOOKUP})
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if action in (VIEW, LOOKUP) and _reads_everything(user):
        return queryset
    case_action = VIEW if action == LOOKUP else action
    with_visible_case = Exists(
        restrict_cases(Case.objects.all(), user, case_action).filter(patient_id=OuterRef("pk"))
    )
    if action == LOOKUP and _person(user) and holds(user, ADD_CASE):
        # Intake: an agent finds the caller's record by exact identifiers; sensitive patients
        # only when the agent may see sensitive records.
        if holds(user, VIEW_SENSITIVE):
            return queryset
        return queryset.filter(Q(sensitivity="") | with_visible_case)
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
    computed in the same query (no query per row)."""
    from django.db.models import BooleanField, Value, When
    from django.db.models import Case as CaseWhen

    if not _person(user):
        return queryset.annotate(can_work=Value(False), can_supervise=Value(False))

    may_change = holds(user, CHANGE_CASE)  # the same role check as restrict_cases

    def flag(action):
        if not may_change:
            return Value(False)
        return CaseWhen(
            When(case_condition(user, action), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )

    return queryset.annotate(can_work=flag(WORK), can_supervise=flag(SUPERVISE))


def queues_for(user, action: str = WORK) -> QuerySet:
    """The queues whose cases ``user`` may ``action`` (``work`` or ``supervise``) by membership —
    the queue half of ``restrict_cases``, for what subscribes per queue (the live queue's
    socket). One query; an inactive user, a non-person or a person without the role gets none."""

    _check_action(action, frozenset({WORK, SUPERVISE}))
    if user is None or not user.is_authenticated or not user.is_active:
        return Queue.objects.none()
    if not _person(user) or not holds(user, CHANGE_CASE):
        return Queue.objects.none()
    return Queue.objects.filter(queue_membership(user, action))
