"""What the console's pages show, read for them: the parts of the case page that its actions'
modules also need, and the lists more than one page draws. Below the pages (``case``, ``lists``,
``supervision``, the recipients' view in ``escalations``) and above ``common``: nothing here
imports a page or an action, so the pages and the actions that show a page again import these
without a cycle.

* the changes (issue 15, ``cases.changes``; actions in ``console.views.changes``): the forms the
  user may use on a case (``case_changes_context``), the queues a case may move to and the
  categories it may change to;
* complaints (actions in ``console.views.complaints``): the case page's grievance deadlines and
  respond form (``complaint_context``), the overdue alerts (``alerts_context``) on the live queue
  and supervisor pages, the queue rows' complaint state (``row_states``);
* escalations (actions in ``console.views.escalations``): the case page's banner, escalations and
  escalate form (``case_escalation_context``), and the rows with their actions on the case page,
  the recipients' view and the review (``escalation_rows``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone

from cases import changes
from cases.access import VIEW, WORK, queues_for
from cases.choices import EventKind
from cases.models import MAX_TEXT_LENGTH, Case, Category
from cases.sla_state import target_state
from complaints.models import Complaint, Outcome
from complaints.states import acknowledged_late, deadline_state
from console.change_forms import CategoryForm, MoveForm, PriorityForm, SensitivityForm
from console.forms import EscalateForm, EscalationResolveForm, EscalationReviewForm
from console.views.common import shown_fields
from escalations.choices import EscalationStatus, Language, Urgency
from escalations.models import Escalation, EscalationPathway
from escalations.selectors import visible_escalations

# --- the changes ----------------------------------------------------------------------------------

# Form prefixes: the case page holds several forms with a "reason" field.
PREFIXES = {
    "sensitivity": "case-sensitivity",
    "patient_sensitivity": "patient-sensitivity",
    "move": "move",
    "category": "category",
    "details": "details",
    "priority": "priority",
}


def move_targets(user, case: Case):
    return queues_for(user, WORK).filter(active=True).exclude(pk=case.queue_id).order_by("name")


def other_categories(case: Case):
    return Category.objects.filter(active=True).exclude(pk=case.category_id).order_by("name")


def case_changes_context(
    user, case: Case, *, bound: dict[str, Any], can_work: bool, is_closed: bool
) -> dict[str, Any]:
    """The change forms the user may use on ``case`` (bound ones keep what was typed)."""
    forms: dict[str, Any] = {}
    if user.has_perm(changes.SET_SENSITIVITY):
        forms["sensitivity"] = bound.get("sensitivity") or SensitivityForm(
            prefix=PREFIXES["sensitivity"], initial={"sensitivity": case.sensitivity}
        )
        forms["patient_sensitivity"] = bound.get("patient_sensitivity") or SensitivityForm(
            prefix=PREFIXES["patient_sensitivity"],
            initial={"sensitivity": case.patient.sensitivity},
            of_patient=True,
        )
    if can_work and not is_closed:
        targets = list(move_targets(user, case))
        if targets or "move" in bound:
            forms["move"] = bound.get("move") or MoveForm(prefix=PREFIXES["move"], queues=targets)
        forms["category"] = bound.get("category") or CategoryForm(
            prefix=PREFIXES["category"], categories=other_categories(case)
        )
        forms["details"] = bound.get("details")
        forms["priority"] = bound.get("priority") or PriorityForm(
            prefix=PREFIXES["priority"], initial={"priority": case.priority}
        )
    return {"change_forms": forms}


# --- complaints -----------------------------------------------------------------------------------

COMPLAINTS_KIND = "complaints"
ALERT_LIMIT = 50
RESPOND_KEY = "complaint_respond"


class ComplaintRespondForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[("", "Choose…"), *[(v, label) for v, label in Outcome.choices if v != "pending"]],
    )
    summary = forms.CharField(
        label="Summary of the response given to the patient (optional only when withdrawn)",
        required=False,
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def complaint_context(user, case: Case, *, bound: dict[str, Any], can_work: bool) -> dict:
    """The case page's complaint part (one query, none for a case of another kind)."""
    if case.category.kind != COMPLAINTS_KIND:
        return {"complaint": None}
    complaint = Complaint.objects.restrict(user, VIEW).filter(case_id=case.pk).first()
    if complaint is None:
        return {"complaint": None}
    responded = complaint.responded_at is not None
    context: dict[str, Any] = {
        "complaint": complaint,
        "complaint_state": deadline_state(complaint),
        "complaint_acknowledged_late": acknowledged_late(complaint),
        "complaint_outcome": shown_fields(user, complaint, ("outcome", "outcome_summary"))
        if responded
        else [],
        "can_acknowledge_complaint": can_work and complaint.acknowledged_at is None,
        "complaint_respond_form": None,
    }
    if can_work and complaint.acknowledged_at is not None and not responded:
        context["complaint_respond_form"] = bound.get(RESPOND_KEY) or ComplaintRespondForm(
            auto_id="id_complaint_%s"
        )
    return context


def overdue_alerts(user) -> tuple[list[dict[str, Any]], bool]:
    """The complaints of the cases ``user`` may see that the sweep marked overdue and that are
    still waiting (longest overdue first, at most ``ALERT_LIMIT``), each with its state; and
    whether there were more. One query."""
    rows = list(
        Complaint.objects.restrict(user, VIEW)
        .alerting()
        .select_related("case", "case__queue")
        .only(
            "case__id",
            "case__reference",
            "case__queue__name",
            "acknowledgement_due_at",
            "acknowledged_at",
            "acknowledgement_overdue_at",
            "response_due_at",
            "responded_at",
            "response_overdue_at",
        )
        .order_by("acknowledgement_due_at", "case_id")[: ALERT_LIMIT + 1]
    )
    now = timezone.now()
    alerts = [{"complaint": row, "state": deadline_state(row, now)} for row in rows[:ALERT_LIMIT]]
    return alerts, len(rows) > ALERT_LIMIT


def alerts_context(user) -> dict[str, Any]:
    alerts, more = overdue_alerts(user)
    return {"complaint_alerts": alerts, "complaint_alerts_more": more, "alert_limit": ALERT_LIMIT}


def row_states(user, cases: list[Case]) -> list[Case]:
    """Set ``complaint_state`` on each queue row that is a complaint (None on the others) and
    return the rows: one query when the page has complaints, none otherwise. The rows need
    ``category__kind``."""
    ids = [case.pk for case in cases if case.category.kind == COMPLAINTS_KIND]
    found = {}
    if ids:
        found = {
            complaint.case_id: complaint
            for complaint in Complaint.objects.restrict(user, VIEW)
            .filter(case_id__in=ids)
            .only(
                "case_id",
                "acknowledgement_due_at",
                "acknowledged_at",
                "acknowledgement_overdue_at",
                "response_due_at",
                "responded_at",
                "response_overdue_at",
            )
        }
    now = timezone.now()
    for case in cases:
        complaint = found.get(case.pk)
        case.complaint_state = deadline_state(complaint, now) if complaint else None
    return cases


# --- escalations ----------------------------------------------------------------------------------

REVIEW_PERMISSION = "escalations.review_escalation"
# How long before its target an unacknowledged escalation shows "due soon".
ACKNOWLEDGEMENT_WARNING = timedelta(minutes=5)


def acknowledgement_state(escalation: Escalation, now):
    """The acknowledgement target as a due-time target (``cases.sla_state.target_state``: the
    same states, words and classes as the SLA cells)."""
    return target_state(
        due_at=escalation.acknowledgement_due_at,
        met_at=escalation.acknowledged_at,
        paused_at=None,
        now=now,
        warning=ACKNOWLEDGEMENT_WARNING,
    )


def red_flags_of(escalation: Escalation) -> list[dict[str, Any]]:
    """The matched phrases as the banner shows them (defensive about the JSON's shape)."""
    languages = dict(Language.choices)
    flags = []
    for flag in escalation.red_flags or []:
        if not isinstance(flag, dict) or not flag.get("phrase"):
            continue
        language = str(flag.get("language") or "")
        flags.append(
            {
                "phrase": str(flag["phrase"]),
                "label": str(flag.get("label") or ""),  # the concept (escalations.redflags)
                "language": languages.get(language, language),
                "negated": bool(flag.get("negated")),
                # the learned second opinion's flag (escalations.redflags.learned), not a rule's
                "model": flag.get("source") == "model",
            }
        )
    return flags


def emergencies_of(escalations) -> list[dict[str, Any]]:
    """The unresolved emergent escalations among ``escalations``, with their red flags."""
    return [
        {"escalation": escalation, "red_flags": red_flags_of(escalation)}
        for escalation in escalations
        if escalation.urgency == Urgency.EMERGENT and escalation.is_unresolved
    ]


def escalation_rows(
    user, escalations, *, reviewer: bool, bound: dict[str, Any]
) -> list[dict[str, Any]]:
    """Each escalation with the actions ``user`` may take on it (mirroring the services' own
    checks, which decide) and their forms; ``bound`` holds a refused form to show again."""
    now = timezone.now()
    bound_id = bound.get("escalation_id")
    rows = []
    for escalation in escalations:
        unresolved = escalation.is_unresolved
        mine = bool(escalation.addressed_to_me)
        row = {
            "escalation": escalation,
            "acknowledgement": acknowledgement_state(escalation, now),
            "red_flags": red_flags_of(escalation),
            "can_acknowledge": escalation.status == EscalationStatus.OPEN and mine,
            "can_resolve": unresolved and (mine or escalation.acknowledged_by_id == user.pk),
            "can_review": (
                reviewer
                and escalation.status == EscalationStatus.RESOLVED
                and escalation.reviewed_at is None
                and escalation.requested_by_id != user.pk
            ),
        }
        here = bound_id == escalation.pk
        if row["can_resolve"]:
            row["resolve_form"] = (here and bound.get("resolve")) or EscalationResolveForm(
                auto_id=f"id_resolve_{escalation.pk}_%s"
            )
        if row["can_review"]:
            row["review_form"] = (here and bound.get("review")) or EscalationReviewForm(
                auto_id=f"id_review_{escalation.pk}_%s"
            )
        rows.append(row)
    return rows


def active_pathways() -> list[EscalationPathway]:
    return list(EscalationPathway.objects.active().only("pk", "name").order_by("name", "pk"))


def unrouted_red_flags(case: Case, events) -> bool:
    """Whether the open ``case`` had a red flag that no escalation pathway took (``events``: its
    timeline events): the banner shows the emergency script for it too, since no escalation
    will (escalations.detection)."""
    return case.is_open and any(event.kind == EventKind.RED_FLAG_UNROUTED for event in events)


def case_escalation_context(
    user,
    case: Case,
    *,
    bound: dict[str, Any],
    can_work: bool,
    is_closed: bool,
    events=(),
) -> dict[str, Any]:
    """The case page's escalation part: the banner, the rows with their actions, the escalate
    form. Two queries (the escalations; the active pathways when the user may escalate),
    whatever the number of escalations. ``events``: the timeline already read."""
    escalations = list(
        visible_escalations(user).filter(case_id=case.pk).order_by("-requested_at", "-id")
    )
    reviewer = bool(case.can_supervise) or user.has_perm(REVIEW_PERMISSION)  # services.may_review
    context: dict[str, Any] = {
        "emergencies": emergencies_of(escalations),
        "unrouted_red_flag": unrouted_red_flags(case, events),
        "escalations": escalation_rows(user, escalations, reviewer=reviewer, bound=bound),
        "escalate_form": None,
        "escalate_open": "escalate" in bound,
    }
    if can_work and not is_closed:
        context["escalate_form"] = bound.get("escalate") or EscalateForm(pathways=active_pathways())
    return context
