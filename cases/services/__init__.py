"""The one write path for patients and cases.

Every function here takes keyword-only arguments and an explicit ``actor``, runs in one
transaction, validates before it writes, writes a timeline event for every change of a case and
announces it to the live queue after commit (``cases.events``). Views, admin actions, commands and
tasks call these; nothing else assigns ``status``, ``queue`` or ``assigned_to``.

Refusals are the kinds of ``cases.errors`` — ``Invalid``, ``Conflict``, ``NotFound``,
``Forbidden``, each with a stable ``code`` and a ``field`` — which each edge maps to its response in
one place (the API's 400/409/404/403). Messages never contain patient data.

The package, by topic (import from ``cases.services``; every name below is re-exported here):

* ``base`` — what every service shares: ``require_actor``, ``lock_case``,
  ``lock_accessible_case``, ``_log_redactions``.
* ``patients`` — ``patient_create``, ``patient_update``, ``PATIENT_FIELDS``.
* ``matching`` — ``patient_match_or_create`` (intake's patient; never an oracle).
* ``intake`` — ``case_open``.
* ``work`` — ``case_assign``, ``case_transition``, ``case_add_note``, ``case_receive_message``.
* ``claims`` — ``case_claim``, ``case_claim_next``, ``case_release``.
* ``sla_marks`` — ``case_mark_sla`` (the step of ``cases.timers.sweep``).

The reads these use — ``claim_next_candidates``, ``claim_next_candidate``,
``sla_sweep_candidates`` — live in ``cases.selectors`` and are re-exported here for the callers
that imported them from the write path before (tests, bench/claim_next.py).
"""

# Also imported elsewhere: cases.changes reuses _assign_locked and _log_redactions; the
# admin and tests read PATIENT_FIELDS; tests and bench/claim_next.py call claim_next_candidate.
from cases.selectors import claim_next_candidate as claim_next_candidate
from cases.selectors import claim_next_candidates, sla_sweep_candidates
from cases.services.base import _log_redactions as _log_redactions
from cases.services.base import lock_accessible_case, lock_case, require_actor
from cases.services.claims import case_claim, case_claim_next, case_release
from cases.services.intake import case_open
from cases.services.matching import patient_match_or_create
from cases.services.patients import PATIENT_FIELDS as PATIENT_FIELDS
from cases.services.patients import patient_create, patient_update
from cases.services.sla_marks import case_mark_sla
from cases.services.work import _assign_locked as _assign_locked
from cases.services.work import case_add_note, case_assign, case_receive_message, case_transition

__all__ = [
    "case_add_note",
    "case_assign",
    "case_claim",
    "case_claim_next",
    "case_mark_sla",
    "case_open",
    "case_receive_message",
    "case_release",
    "case_transition",
    "claim_next_candidates",
    "lock_accessible_case",
    "lock_case",
    "patient_create",
    "patient_match_or_create",
    "patient_update",
    "require_actor",
    "sla_sweep_candidates",
]
