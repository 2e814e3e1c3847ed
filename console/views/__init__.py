"""The agents' console pages (docs/architecture/live-queue.md, "Pages").

* ``/console/`` — the live queue: the open cases of the queues the user works, filtered by queue,
  status and priority; SLA countdowns; claim and claim next. ``static/console/live.js`` keeps the
  table current over the WebSocket. ``/console/claim/``: the queue page's one claim form (the
  pressed row's reference as ``case``).
* ``/console/cases/<reference>/`` — one case: patient context as minimum necessary allows, category
  details, timeline, reply and internal note, transitions, claim/release, assign (supervisors).
* ``/console/mine/`` — my open cases; ``/console/supervisor/`` — supervised queues and workload.
* escalations (``console.views.escalations``): the emergency banner, the escalations and the
  escalate form on the case page (``/console/cases/<reference>/banner/``, ``…/escalate/``);
  acknowledge, resolve and review (``/console/escalations/<id>/…/``); the recipients' view
  ``/console/escalations/``; the review and the accuracy per pathway
  ``/console/escalations/review/`` (supervisors and reviewers).
* complaints (``console.views.complaints``): the grievance deadlines and the acknowledge and
  respond actions on a complaint's case page (``/console/cases/<reference>/complaint/…/``); the
  overdue alerts on the queue and supervisor pages (alone: ``/console/complaints/alerts/``).

Who may use the console: active people whose role may work cases (``cases.change_case``: agents,
supervisors, clinicians, administrators) — a superuser too only through such a role (issue 17).
Anonymous users are sent to the login page; anybody
else (service and system accounts, compliance officers, people without a support role) gets a 404,
as does a case the user may not see. Rows come only from ``restrict()``; every change is one
service call with the request's user as actor, posted and redirected (POST-redirect-GET); a
service's refusal is shown on the page with a 4xx. The case page logs its read of PHI through
``compliance.access_log`` before it responds; the lists show no patient data (reference,
category and workflow fields only) and log nothing.

The modules import one way, down: the actions that show a page again (``changes``,
``complaints``, ``escalations``), the pages (``case``, ``lists``, ``supervision``), what the pages
show read for them (``panels``), then what all share (``common``).
"""

from console.views.case import (
    case_assign,
    case_claim,
    case_note,
    case_page,
    case_release,
    case_reply,
    case_transition,
    claim,
)
from console.views.common import console_page, may_use_console
from console.views.complaints import (
    case_complaint_acknowledge,
    case_complaint_respond,
    complaint_alerts,
)
from console.views.escalations import (
    case_banner,
    case_escalate,
    escalation_acknowledge,
    escalation_resolve,
    escalation_review,
    escalations,
)
from console.views.lists import case_row, claim_next, mine, queue
from console.views.supervision import escalation_review_page, supervisor

__all__ = [
    "case_assign",
    "case_banner",
    "case_claim",
    "case_complaint_acknowledge",
    "case_complaint_respond",
    "case_escalate",
    "case_note",
    "case_page",
    "case_release",
    "case_reply",
    "case_row",
    "case_transition",
    "claim",
    "claim_next",
    "complaint_alerts",
    "console_page",
    "escalation_acknowledge",
    "escalation_resolve",
    "escalation_review",
    "escalation_review_page",
    "escalations",
    "may_use_console",
    "mine",
    "queue",
    "supervisor",
]
