"""The complaints kind's escalation rule (registered with ``cases.registry``): a new privacy
complaint — a possible HIPAA complaint (45 CFR 164.530(d)) — goes to the privacy officer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cases.registry import EscalationRoute
from complaints.models import Complaint

if TYPE_CHECKING:
    from cases.models import Case


def escalation_route(case: Case, detail: Complaint) -> EscalationRoute | None:
    if detail.complaint_type != Complaint.ComplaintType.PRIVACY:
        return None
    return EscalationRoute(
        pathway_kind="privacy_officer",
        urgency="routine",
        source="privacy_complaint",
        reason="Privacy complaint",
        situation="The patient complains about the privacy of their information (a possible "
        "HIPAA complaint, 45 CFR 164.530(d)).",
        assessment="A formal grievance with regulatory deadlines; may be a reportable incident.",
        recommendation="The privacy officer reviews the complaint, decides whether it is a "
        "breach to assess, and answers within the grievance deadlines.",
    )
