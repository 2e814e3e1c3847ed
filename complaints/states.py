"""The one place that decides a complaint's deadline state, for the case page, the queue rows,
the alerts panel and the live messages alike (no second copy of the rule in JavaScript).

In order: responded (on time, or late), acknowledged and waiting for the response (due, or
overdue), waiting for the acknowledgement (due, or overdue). "Overdue" is a deadline that has
passed unmet, whether or not the sweep has marked it yet; a deadline met after it passed is
"late", never "on time".
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format


@dataclass(frozen=True)
class DeadlineState:
    code: str  # stable, for CSS classes and live messages
    label: str  # the words the console shows
    overdue: bool  # a deadline has passed unmet right now (the alert is on)
    late: bool  # a deadline was, or is, missed


ACKNOWLEDGEMENT_DUE = "acknowledgement_due"
ACKNOWLEDGEMENT_OVERDUE = "acknowledgement_overdue"
RESPONSE_DUE = "response_due"
RESPONSE_OVERDUE = "response_overdue"
RESPONDED = "responded"
RESPONDED_LATE = "responded_late"


def _when(value: datetime.datetime) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i")


def acknowledged_late(complaint) -> bool:
    """Acknowledged after its deadline (or marked overdue by the sweep before it was)."""
    return complaint.acknowledgement_overdue_at is not None or (
        complaint.acknowledged_at is not None
        and complaint.acknowledged_at > complaint.acknowledgement_due_at
    )


def deadline_state(complaint, now: datetime.datetime | None = None) -> DeadlineState:
    """The state of ``complaint``'s grievance deadlines at ``now``."""
    now = now or timezone.now()
    ack_late = acknowledged_late(complaint)
    if complaint.responded_at is not None:
        late = complaint.response_overdue_at is not None or (
            complaint.responded_at > complaint.response_due_at
        )
        if late:
            return DeadlineState(RESPONDED_LATE, "Responded late", False, True)
        return DeadlineState(RESPONDED, "Responded on time", False, ack_late)
    if complaint.acknowledged_at is not None:
        if complaint.response_overdue_at is not None or complaint.response_due_at < now:
            return DeadlineState(
                RESPONSE_OVERDUE,
                f"Response overdue (was due {_when(complaint.response_due_at)})",
                True,
                True,
            )
        prefix = "Acknowledged late; response" if ack_late else "Response"
        return DeadlineState(
            RESPONSE_DUE, f"{prefix} due {_when(complaint.response_due_at)}", False, ack_late
        )
    if complaint.response_overdue_at is not None or complaint.response_due_at < now:
        return DeadlineState(
            RESPONSE_OVERDUE,
            f"Not acknowledged; response overdue (was due {_when(complaint.response_due_at)})",
            True,
            True,
        )
    if complaint.acknowledgement_overdue_at is not None or complaint.acknowledgement_due_at < now:
        return DeadlineState(
            ACKNOWLEDGEMENT_OVERDUE,
            f"Acknowledgement overdue (was due {_when(complaint.acknowledgement_due_at)})",
            True,
            True,
        )
    return DeadlineState(
        ACKNOWLEDGEMENT_DUE,
        f"Acknowledgement due {_when(complaint.acknowledgement_due_at)}",
        False,
        False,
    )
