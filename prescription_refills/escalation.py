"""The refills kind's escalation rule (registered with ``cases.registry``): a new refill request
whose patient asks a clinical question goes to a pharmacist — urgent for a side effect, routine
otherwise. The agent may not give clinical advice."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cases.registry import EscalationRoute
from prescription_refills.models import RefillRequest, RequestType

if TYPE_CHECKING:
    from cases.models import Case


def escalation_route(case: Case, detail: RefillRequest) -> EscalationRoute | None:
    if not detail.clinical_question:
        return None
    side_effect = detail.request_type == RequestType.SIDE_EFFECT
    strength = f" {detail.strength}" if detail.strength else ""
    return EscalationRoute(
        pathway_kind="pharmacist",
        urgency="urgent" if side_effect else "routine",
        source="clinical_refill",
        reason="Refill request with a clinical question"
        + (" about a side effect" if side_effect else ""),
        situation=f"Refill request ({detail.get_request_type_display()}) for "
        f"{detail.medication}{strength}: the patient asks a clinical question (see the case "
        "description).",
        assessment="Needs a pharmacist's answer; the agent may not give clinical advice.",
        recommendation="A pharmacist answers the patient's question and notes it on the case.",
    )
