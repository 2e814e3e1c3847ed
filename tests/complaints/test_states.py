"""complaints.states.deadline_state: the one rule for a complaint's deadline state."""

from __future__ import annotations

import datetime

import pytest

from complaints.models import Complaint
from complaints.states import deadline_state
from tests.complaints.helpers import local

ACK_DUE = local(2026, 3, 11, 23, 59)
RESPONSE_DUE = local(2026, 3, 13, 23, 59)
HOUR = datetime.timedelta(hours=1)


def _complaint(**fields) -> Complaint:
    values = {"acknowledgement_due_at": ACK_DUE, "response_due_at": RESPONSE_DUE, **fields}
    return Complaint(**values)


@pytest.mark.parametrize(
    ("fields", "now", "code", "overdue", "late"),
    [
        ({}, ACK_DUE - HOUR, "acknowledgement_due", False, False),
        ({}, ACK_DUE + HOUR, "acknowledgement_overdue", True, True),
        # Marked by the sweep: overdue whatever the clock says.
        (
            {"acknowledgement_overdue_at": ACK_DUE},
            ACK_DUE - HOUR,
            "acknowledgement_overdue",
            True,
            True,
        ),
        ({}, RESPONSE_DUE + HOUR, "response_overdue", True, True),
        ({"acknowledged_at": ACK_DUE - HOUR}, ACK_DUE + HOUR, "response_due", False, False),
        ({"acknowledged_at": ACK_DUE + HOUR}, ACK_DUE + 2 * HOUR, "response_due", False, True),
        ({"acknowledged_at": ACK_DUE - HOUR}, RESPONSE_DUE + HOUR, "response_overdue", True, True),
        (
            {"acknowledged_at": ACK_DUE - HOUR, "responded_at": RESPONSE_DUE - HOUR},
            RESPONSE_DUE + 9 * HOUR,
            "responded",
            False,
            False,
        ),
        (
            {"acknowledged_at": ACK_DUE - HOUR, "responded_at": RESPONSE_DUE + HOUR},
            RESPONSE_DUE + 9 * HOUR,
            "responded_late",
            False,
            True,
        ),
        (
            {
                "acknowledged_at": ACK_DUE - HOUR,
                "responded_at": RESPONSE_DUE - HOUR,
                "response_overdue_at": RESPONSE_DUE - 2 * HOUR,
            },
            RESPONSE_DUE,
            "responded_late",
            False,
            True,
        ),
    ],
)
def test_states(fields, now, code, overdue, late, settings):
    settings.TIME_ZONE = "America/New_York"
    state = deadline_state(_complaint(**fields), now)
    assert (state.code, state.overdue, state.late) == (code, overdue, late)
    assert state.label


def test_a_met_deadline_is_never_called_on_time_when_late(settings):
    settings.TIME_ZONE = "America/New_York"
    state = deadline_state(_complaint(acknowledged_at=ACK_DUE + HOUR), ACK_DUE + 2 * HOUR)
    assert state.label.startswith("Acknowledged late")
