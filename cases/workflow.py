"""The one status transition table. ``case_transition`` enforces it; nothing else changes status.

    new ──► triaged ──► in progress ◄──► waiting on patient / waiting on third party
     │         │            │                         │
     └─────────┴────────────┴──────► resolved ◄───────┘
                                     │     │
                         (reopen) ◄──┘     └──► closed

A case may be resolved at first contact from any open status (first-contact resolution). Reopening
a resolved case takes it back to *in progress*; a closed case is final: a new contact opens a new
case.
"""

from cases.choices import Status

OPEN_STATUSES = frozenset(
    {
        Status.NEW,
        Status.TRIAGED,
        Status.IN_PROGRESS,
        Status.WAITING_ON_PATIENT,
        Status.WAITING_ON_THIRD_PARTY,
    }
)
WAITING_STATUSES = frozenset({Status.WAITING_ON_PATIENT, Status.WAITING_ON_THIRD_PARTY})

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.TRIAGED, Status.IN_PROGRESS, Status.RESOLVED}),
    Status.TRIAGED: frozenset({Status.IN_PROGRESS, Status.RESOLVED}),
    Status.IN_PROGRESS: frozenset(
        {Status.WAITING_ON_PATIENT, Status.WAITING_ON_THIRD_PARTY, Status.RESOLVED}
    ),
    Status.WAITING_ON_PATIENT: frozenset(
        {Status.IN_PROGRESS, Status.WAITING_ON_THIRD_PARTY, Status.RESOLVED}
    ),
    Status.WAITING_ON_THIRD_PARTY: frozenset(
        {Status.IN_PROGRESS, Status.WAITING_ON_PATIENT, Status.RESOLVED}
    ),
    Status.RESOLVED: frozenset({Status.IN_PROGRESS, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


def allowed_transitions(status: str) -> frozenset[str]:
    return TRANSITIONS.get(status, frozenset())


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in allowed_transitions(from_status)
