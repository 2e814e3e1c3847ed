"""The entries of the synthetic audit trail (bench/audit_dataset.py): a year of a support
centre's work, one request after another, generated in Python from a fixed seed.

* access logging (``Action.ACCESS``, ``additional_data = {"access": {...}}``, one correlation id
  per request): admin list pages of 10-50 cases (kind ``list`` or ``search``), one case's page
  (``view``), a case's history (``history``), the intake look-up of 1-3 patients (``lookup``);
* services: a case opened (a new or returning patient's create entry, the case's and its first
  event's create entries), a case assigned or moved on (the case's update entry and the event's
  create entry), a note (the event, the case's ``updated_at``), a patient's phone changed;
* 200 actors, a few much busier than the rest, each always from the same address; the last one
  (``bench-audit-200``), among the busiest, left after two months: nothing since;
* patients and cases opened as time goes on; activity mostly on recent cases; returning
  patients drawn with a skew, so that a few frequent callers have many cases.

``Generator.rows()`` yields one tuple per entry; bench/audit_dataset_load.py hashes and loads them.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

ACTOR_COUNT = 200
SEED = 20260701
START = datetime(2025, 7, 1, tzinfo=UTC)  # the generated year: 2025-07-01 .. 2026-07-01 (UTC)
SPAN = timedelta(days=365)
ENTRIES_PER_REQUEST = 3.3  # about the mean of REQUEST_MIX: the jitter of a request's time
ACTOR_PREFIX = "bench-audit-"
# The last actor is as busy as the busiest (about 5 % of all entries: a busy agent, or a partner
# system's integration account) but only during the first two months: retired since.
DEPARTED_AFTER = timedelta(days=61)
DEPARTED_SHARE = 0.3  # of the requests in those two months

# What a request does, and how often (weights). Mean entries per request: about 3.3, about 70 %
# of them ACCESS entries.
REQUEST_MIX = {
    "case_list": 6,
    "case_view": 38,
    "patient_lookup": 8,
    "case_history": 2,
    "case_open": 10,
    "case_update": 26,
    "case_note": 8,
    "patient_update": 2,
}

CREATE, UPDATE, ACCESS = 0, 1, 3
CASE_STATUSES = ("triaged", "in_progress", "waiting_on_patient", "waiting_on_third_party")


class Generator:
    """Requests one after another over the generated year; yields one tuple per entry."""

    def __init__(self, rng: random.Random, actors, content_types: dict[str, int], count: int):
        self.rng = rng
        self.actors = actors
        self.addresses = [
            f"10.{20 + n // 250}.{n % 250}.{10 + n % 200}" for n in range(len(actors))
        ]
        # a few actors are much busier than the rest (weight 1/(rank+5))
        # The last actor left after DEPARTED_AFTER: busy until then, nothing since (a search for
        # what they did must not read the whole newer trail to find their entries).
        self.departed = len(actors) - 1
        self.departed_until = START + DEPARTED_AFTER
        ranks = range(self.departed)
        self.actor_weights = list(_cumulative([1 / (rank + 5) for rank in ranks]))
        self.content_types = content_types
        kinds, weights = zip(*REQUEST_MIX.items(), strict=True)
        self.kinds = kinds
        self.kind_weights = list(_cumulative(weights))
        self.mean_gap = SPAN / max(count / ENTRIES_PER_REQUEST, 1)
        self.now = START
        self.case_patient: list[int] = []  # case pk - 1 -> patient pk
        self.case_status: list[str] = []
        self.case_assignee: list[int | None] = []
        self.patients = 0
        self.events = 0

    # -- picks ---------------------------------------------------------------------------------

    def _actor(self) -> int:
        if self.now < self.departed_until and self.rng.random() < DEPARTED_SHARE:
            return self.departed
        return self.rng.choices(range(self.departed), cum_weights=self.actor_weights)[0]

    def _recent_case(self) -> int:
        """A case pk: mostly recent ones (activity follows opening), sometimes any."""
        n = len(self.case_patient)
        if self.rng.random() < 0.2:
            return 1 + int(self.rng.random() * n)
        back = int(self.rng.expovariate(1 / 1500))
        return n - back if back < n else 1 + int(self.rng.random() * n)

    def _returning_patient(self) -> int:
        """A patient pk, skewed towards the oldest: a few frequent callers have many cases."""
        return 1 + int(self.patients * self.rng.random() ** 1.5)

    def _cid(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    # -- requests ------------------------------------------------------------------------------

    def rows(self, count: int):
        written = 0
        while written < count:
            kind = self.rng.choices(self.kinds, cum_weights=self.kind_weights)[0]
            if not self.case_patient:
                kind = "case_open"
            # Spread over the year by progress (whatever the actual entries per request), with
            # some jitter; always after the previous request.
            due = START + SPAN * (written / count) + self.rng.random() * self.mean_gap
            self.now = max(self.now + timedelta(milliseconds=1), due)
            actor = self._actor()
            actor_id, email = self.actors[actor]
            context = (actor_id, email, self.addresses[actor], self._cid())
            for n, entry in enumerate(getattr(self, kind)()):
                if written == count:
                    return
                ct_label, object_pk, object_repr, action, changes, details, patient, case = entry
                yield (
                    self.content_types[ct_label],
                    ct_label,
                    str(object_pk),
                    object_repr,
                    action,
                    changes,
                    context[0],
                    context[1],
                    context[2],
                    self.now + timedelta(microseconds=40 * n),
                    details,
                    context[3],
                    patient,
                    case,
                )
                written += 1

    @staticmethod
    def _case_repr(case: int) -> str:
        return f"PC-2025-{case:06d}"

    def _case_access(self, kind: str, path: str, cases: list[int], query=None):
        details = {"kind": kind, "via": "admin", "path": path}
        if query:
            details["query"] = query
        if len(cases) > 1:
            details["listed"] = len(cases)
        for case in cases:
            yield (
                "cases.case",
                case,
                self._case_repr(case),
                ACCESS,
                None,
                {"access": details},
                self.case_patient[case - 1],
                case,
            )

    def case_list(self):
        listed = sorted({self._recent_case() for _ in range(self.rng.randint(10, 50))})
        if self.rng.random() < 0.25:
            status = self.rng.choice(CASE_STATUSES)
            return self._case_access(
                "search", "/admin/cases/case/", listed, {"status__exact": status}
            )
        return self._case_access("list", "/admin/cases/case/", listed)

    def case_view(self):
        case = self._recent_case()
        return self._case_access("view", f"/admin/cases/case/{case}/change/", [case])

    def case_history(self):
        case = self._recent_case()
        return self._case_access("history", f"/admin/cases/case/{case}/history/", [case])

    def patient_lookup(self):
        found = {self._returning_patient() for _ in range(self.rng.randint(1, 3))}
        query = {"q": f"BENCH-{min(found):06d}"}
        details = {"kind": "lookup", "via": "intake", "path": "/intake/lookup/", "query": query}
        if len(found) > 1:
            details["listed"] = len(found)
        for patient in sorted(found):
            yield (
                "cases.patient",
                patient,
                f"Patient{patient:06d}, Bench",
                ACCESS,
                None,
                {"access": details},
                patient,
                None,
            )

    def _event(self, case: int, kind: str, old: str, new: str, actor_id: int | None, body: str):
        self.events += 1
        changes = {
            "id": ["None", str(self.events)],
            "body": ["None", body],
            "case": ["None", str(case)],
            "kind": ["None", kind],
            "actor": ["None", str(actor_id)],
            "new_value": ["None", new],
            "old_value": ["None", old],
            "created_at": ["None", self._stamp()],
            "visibility": ["None", "internal"],
        }
        label = kind.replace("_", " ").capitalize()
        return (
            "cases.caseevent",
            self.events,
            f"{label} on case {case}",
            CREATE,
            changes,
            None,
            self.case_patient[case - 1],
            case,
        )

    def _stamp(self) -> str:
        return self.now.strftime("%Y-%m-%d %H:%M:%S.%f")

    def case_open(self):
        entries = []
        if self.patients and self.rng.random() < 0.35:
            patient = self._returning_patient()
        else:
            self.patients += 1
            patient = self.patients
            entries.append(
                (
                    "cases.patient",
                    patient,
                    f"Patient{patient:06d}, Bench",
                    CREATE,
                    {
                        "id": ["None", str(patient)],
                        "mrn": ["None", f"BENCH-{patient:06d}"],
                        "given_name": ["None", "Bench"],
                        "family_name": ["None", f"Patient{patient:06d}"],
                        "date_of_birth": ["None", f"19{40 + patient % 60:02d}-01-01"],
                        "phone": ["None", f"+1202555{patient % 10000:04d}"],
                        "email": ["None", ""],
                        "preferred_language": ["None", "en"],
                        "preferred_contact_channel": ["None", "phone"],
                        "sms_consent": ["None", "False"],
                        "interpreter_needed": ["None", "False"],
                        "sensitivity": ["None", ""],
                        "created_at": ["None", self._stamp()],
                        "updated_at": ["None", self._stamp()],
                    },
                    None,
                    patient,
                    None,
                )
            )
        self.case_patient.append(patient)
        self.case_status.append("new")
        self.case_assignee.append(None)
        case = len(self.case_patient)
        entries.append(
            (
                "cases.case",
                case,
                self._case_repr(case),
                CREATE,
                {
                    "id": ["None", str(case)],
                    "reference": ["None", self._case_repr(case)],
                    "patient": ["None", str(patient)],
                    "category": ["None", "1"],
                    "queue": ["None", str(1 + case % 12)],
                    "channel": ["None", self.rng.choice(("voice", "chat", "email", "portal"))],
                    "status": ["None", "new"],
                    "priority": ["None", "20"],
                    "subject": ["None", "Question about a statement"],
                    "description": ["None", "Synthetic benchmark case text."],
                    "language": ["None", "en"],
                    "assigned_to": ["None", "None"],
                    "created_by": ["None", "1"],
                    "sensitivity": ["None", ""],
                    "created_at": ["None", self._stamp()],
                    "updated_at": ["None", self._stamp()],
                },
                None,
                patient,
                case,
            )
        )
        entries.append(self._event(case, "opened", "", "new", None, "Opened via Voice."))
        return entries

    def case_update(self):
        case = self._recent_case()
        if self.rng.random() < 0.4:
            old = self.case_assignee[case - 1]
            new = self.actors[self._actor()][0]
            self.case_assignee[case - 1] = new
            changes = {"assigned_to": [str(old), str(new)]}
            event = self._event(case, "assigned", "", f"agent{new}", new, "")
        else:
            old = self.case_status[case - 1]
            new = self.rng.choice([s for s in CASE_STATUSES if s != old])
            self.case_status[case - 1] = new
            changes = {"status": [old, new]}
            event = self._event(case, "status_changed", old, new, None, "")
        patient = self.case_patient[case - 1]
        update = ("cases.case", case, self._case_repr(case), UPDATE, changes, None, patient, case)
        return [update, event]

    def case_note(self):
        case = self._recent_case()
        event = self._event(case, "note", "", "", None, "Called the patient back.")
        touched = {"updated_at": [self._stamp(), self._stamp()]}
        patient = self.case_patient[case - 1]
        update = ("cases.case", case, self._case_repr(case), UPDATE, touched, None, patient, case)
        return [event, update]

    def patient_update(self):
        if not self.patients:
            return []
        patient = self._returning_patient()
        phone = f"+1202555{self.rng.randrange(10000):04d}"
        return [
            (
                "cases.patient",
                patient,
                f"Patient{patient:06d}, Bench",
                UPDATE,
                {"phone": [f"+1202555{patient % 10000:04d}", phone]},
                None,
                patient,
                None,
            )
        ]


def _cumulative(weights):
    total = 0.0
    for weight in weights:
        total += weight
        yield total
