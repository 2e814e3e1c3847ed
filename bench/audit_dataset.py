"""A synthetic audit trail for the audit benchmarks (bench/audit_*.py): valid, hash-chained
``AuditEntry`` rows made in Python and loaded with PostgreSQL ``COPY``.

Not a script of its own: ``audit_verify.py`` and ``audit_trail.py`` use it for 1,000,000 entries,
``audit_overhead.py`` for a pre-filled table. bench/README.md describes the data.

The entries look like a year of a support centre's work, one request after another:

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

Each entry is loaded with its seal (``AuditSeal``: the sealer's work done at load time): its hash
is ``compliance.models.compute_entry_hash`` of the entry (an ``AuditEntry`` instance holding
exactly what is loaded), in chain order, continuing the chain already in the table; the
benchmarks check with ``verify_chain`` that what PostgreSQL returns hashes the same.
"""

from __future__ import annotations

import json
import os
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from benchdb import ensure_database

DATASET_VERSION = 3  # bump when the generated data changes shape: the next run generates again
ACTOR_COUNT = 200
SEED = 20260701
START = datetime(2025, 7, 1, tzinfo=UTC)  # the generated year: 2025-07-01 .. 2026-07-01 (UTC)
SPAN = timedelta(days=365)
ENTRIES_PER_REQUEST = 3.3  # about the mean of REQUEST_MIX: the jitter of a request's time
PROGRESS_ROWS = 100_000
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

COPY_COLUMNS = (
    "id",
    "object_pk",
    "object_id",
    "object_repr",
    "action",
    "changes_text",
    "changes",
    "cid",
    "remote_addr",
    "timestamp",
    "additional_data",
    "actor_email",
    "actor_id",
    "content_type_id",
    "case_pk",
    "patient_pk",
)

MARKER_DDL = """
CREATE TABLE IF NOT EXISTS bench_audit_dataset (
    name text PRIMARY KEY,
    spec jsonb NOT NULL,
    seconds double precision NOT NULL,
    generated_at timestamptz NOT NULL DEFAULT now()
)
"""

# Secondary indexes of the audit table (not those behind a constraint: the primary key), dropped
# for the load and built again after it.
DROPPABLE_INDEXES_SQL = """
SELECT i.relname, pg_get_indexdef(x.indexrelid)
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
WHERE x.indrelid = 'compliance_auditentry'::regclass
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
ORDER BY i.relname
"""

FOREIGN_KEY_CHECK_SQL = """
SELECT count(*) FROM compliance_auditentry a
WHERE a.id > %s
  AND (NOT EXISTS (SELECT 1 FROM django_content_type t WHERE t.id = a.content_type_id)
       OR (a.actor_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM accounts_user u WHERE u.id = a.actor_id)))
"""


# --- database and Django -------------------------------------------------------------------------


def setup_django(url: str) -> None:
    """Point Django at the benchmark database (before ``django.setup()``) and migrate it."""
    ensure_database(url)
    os.environ["DJANGO_SETTINGS_MODULE"] = "patientcare.settings"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_ENV"] = "local"
    os.environ["DEBUG"] = "false"  # no query log in the timed loops
    import django

    django.setup()
    from django.core.management import call_command

    print("migrating", flush=True)
    call_command("migrate", verbosity=0)


def log(started: float, message: str) -> None:
    print(f"  [{time.perf_counter() - started:7.1f}s] {message}", flush=True)


# --- the dataset ---------------------------------------------------------------------------------


@dataclass
class Dataset:
    entries: int  # entries in the table now
    generated: int  # entries the marker says were generated
    seconds: float | None  # generation time of this run, None when reused
    actors: int


def dataset_spec(entries: int) -> dict:
    return {"version": DATASET_VERSION, "entries": entries, "actors": ACTOR_COUNT, "seed": SEED}


def _marker() -> dict | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(MARKER_DDL)
        cursor.execute("SELECT spec FROM bench_audit_dataset WHERE name = 'audit'")
        row = cursor.fetchone()
    found = row[0] if row else None
    return json.loads(found) if isinstance(found, str) else found


def audit_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM compliance_auditentry")
        return cursor.fetchone()[0]


def ensure_dataset(entries: int, *, regenerate: bool = False) -> Dataset:
    """At least ``entries`` audit entries, generated by this module: reused when the table already
    holds a generated dataset of this version and at least that size (entries appended since,
    e.g. by audit_overhead.py, are part of the chain), else generated from an empty table."""
    marker = _marker()
    count = audit_count()
    spec = dataset_spec(entries)
    if (
        not regenerate
        and marker is not None
        and marker.get("version") == DATASET_VERSION
        and marker.get("seed") == SEED
        and marker.get("entries", 0) >= entries
        and count >= marker["entries"]
    ):
        print(
            f"audit dataset already loaded: {count:,} entries ({marker['entries']:,} generated); "
            "use --regenerate to generate again",
            flush=True,
        )
        return Dataset(count, marker["entries"], None, marker.get("actors", ACTOR_COUNT))
    started = time.perf_counter()
    generate(entries, spec)
    return Dataset(audit_count(), entries, time.perf_counter() - started, ACTOR_COUNT)


def _actors() -> list[tuple[int, str]]:
    """The bench actors (bulk-created: no audit entries of their own), as (id, email)."""
    from accounts.models import User

    wanted = [f"{ACTOR_PREFIX}{n:03d}" for n in range(1, ACTOR_COUNT + 1)]
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    missing = []
    for n, username in enumerate(wanted, start=1):
        if username not in existing:
            user = User(
                username=username,
                first_name=f"Audit{n:03d}",
                last_name="Bench",
                email=f"{username}@example.org",
                is_staff=True,
            )
            user.set_unusable_password()
            missing.append(user)
    User.objects.bulk_create(missing)
    return list(
        User.objects.filter(username__in=wanted).order_by("username").values_list("id", "email")
    )


def generate(entries: int, spec: dict) -> None:
    """Empty the audit table and fill it with ``entries`` chained entries, in one transaction (a
    failure leaves the table as it was)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from accounts.services import system_user
    from cases.models import Case, CaseEvent, Patient
    from compliance import append_only
    from compliance.models import AUDIT_CHAIN_LOCK_KEY
    from compliance.sealer import seal_pending

    started = time.perf_counter()
    print(f"generating an audit trail of {entries:,} entries", flush=True)
    with transaction.atomic(), connection.cursor() as cursor:
        # Hold the chain: no sealer can interleave with the load.
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK_KEY])
        cursor.execute("SELECT count(*) FROM compliance_auditentry")
        discarded = cursor.fetchone()[0]
        # The benchmark's own database, as its owner: the append-only triggers suspended for the
        # truncation, in this transaction only.
        append_only.disable(connection)
        cursor.execute("TRUNCATE compliance_auditseal, compliance_auditentry RESTART IDENTITY")
        append_only.enable(connection)
        cursor.execute("DELETE FROM bench_audit_dataset WHERE name = 'audit'")
        if discarded:
            log(started, f"discarded the {discarded:,} entries there were")
        system_user()  # its own (real) entries start the chain, as in any installation
        actors = _actors()
        seal_pending(single_writer=True)  # the only writer: seal those entries in this transaction
        log(started, f"{len(actors)} actors ready")
        # Check those rows' deferred foreign keys now: an index cannot be built on a table with
        # pending trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            # Skip the deferred foreign-key triggers (2 per row); FOREIGN_KEY_CHECK_SQL verifies
            # the references once at the end instead. CHECK constraints still apply to every row.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(DROPPABLE_INDEXES_SQL)
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        log(started, f"dropped {len(indexes)} secondary indexes of compliance_auditentry")

        cursor.execute(
            "SELECT chain_index, entry_hash FROM compliance_auditseal "
            "ORDER BY chain_index DESC LIMIT 1"
        )
        head = cursor.fetchone()
        first_index = head[0] + 1 if head else 0
        cursor.execute("SELECT coalesce(max(id), 0) FROM compliance_auditentry")
        last_id = cursor.fetchone()[0]
        to_generate = entries - first_index
        content_types = {
            label: ContentType.objects.get_for_model(model).pk
            for label, model in (
                ("cases.case", Case),
                ("cases.patient", Patient),
                ("cases.caseevent", CaseEvent),
            )
        }
        generator = _Generator(random.Random(SEED), actors, content_types, to_generate)  # noqa: S311
        _copy_entries(cursor, generator, head, last_id, to_generate, started)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('compliance_auditentry', 'id'), "
            "(SELECT max(id) FROM compliance_auditentry))"
        )

        for _name, definition in indexes:
            cursor.execute(definition)
        log(started, f"rebuilt {len(indexes)} indexes")
        cursor.execute(FOREIGN_KEY_CHECK_SQL, [last_id])
        dangling = cursor.fetchone()[0]
        if dangling:
            raise RuntimeError(f"{dangling} generated entries reference missing rows")
        log(started, "foreign keys verified")
        seconds = time.perf_counter() - started
        cursor.execute(
            "INSERT INTO bench_audit_dataset (name, spec, seconds) VALUES ('audit', %s, %s)",
            [json.dumps({**spec, "first_index": first_index}), seconds],
        )
    with connection.cursor() as cursor:  # autocommit: VACUUM cannot run in a transaction
        cursor.execute("VACUUM ANALYZE compliance_auditentry")
        cursor.execute("VACUUM ANALYZE compliance_auditseal")
    log(started, "VACUUM ANALYZE compliance_auditentry done")


def _copy_entries(
    cursor, generator: _Generator, head, last_id: int, count: int, started: float
) -> None:
    from compliance.models import GENESIS_HASH, AuditEntry, compute_entry_hash

    chain_index, prev_hash = (head[0] + 1, head[1]) if head else (0, GENESIS_HASH)
    entry = AuditEntry()  # one instance, refilled per row: what compute_entry_hash reads
    columns = ", ".join(COPY_COLUMNS)
    written = 0
    entry_id = last_id
    seals = []
    dumps = json.dumps
    with cursor.cursor.copy(f"COPY compliance_auditentry ({columns}) FROM STDIN") as copy:
        for row in generator.rows(count):
            (
                content_type_id,
                label,
                object_pk,
                object_repr,
                action,
                changes,
                actor_id,
                actor_email,
                remote_addr,
                timestamp,
                additional_data,
                cid,
                patient_pk,
                case_pk,
            ) = row
            entry.object_pk = object_pk
            entry.object_repr = object_repr
            entry.action = action
            entry.changes = changes
            entry.actor_id = actor_id
            entry.remote_addr = remote_addr
            entry.timestamp = timestamp
            entry.additional_data = additional_data
            entry.cid = cid
            entry.patient_pk = patient_pk
            entry.case_pk = case_pk
            entry_hash = compute_entry_hash(prev_hash, entry, label)
            entry_id += 1
            seals.append((chain_index, entry_id, prev_hash, entry_hash))
            copy.write_row(
                (
                    entry_id,
                    object_pk,
                    int(object_pk),
                    object_repr,
                    action,
                    "",
                    None if changes is None else dumps(changes),
                    cid,
                    remote_addr,
                    timestamp,
                    None if additional_data is None else dumps(additional_data),
                    actor_email,
                    actor_id,
                    content_type_id,
                    case_pk,
                    patient_pk,
                )
            )
            prev_hash = entry_hash
            chain_index += 1
            written += 1
            if written % PROGRESS_ROWS == 0 or written == count:
                log(started, f"entries {written:>9,} / {count:,}")
    with cursor.cursor.copy(
        "COPY compliance_auditseal (chain_index, entry_id, prev_hash, entry_hash) FROM STDIN"
    ) as copy:
        for row in seals:
            copy.write_row(row)
    log(started, f"seals {len(seals):,}")


CREATE, UPDATE, ACCESS = 0, 1, 3
CASE_STATUSES = ("triaged", "in_progress", "waiting_on_patient", "waiting_on_third_party")


class _Generator:
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


# --- what the dataset holds ----------------------------------------------------------------------


def describe() -> dict[str, object]:
    """Sizes and the mix of the trail, for the scripts' summaries."""
    from django.db import connection

    marker = _marker() or {}
    first, generated = marker.get("first_index", 0), marker.get("entries", 0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE action = 0), "
            "count(*) FILTER (WHERE action = 1), count(*) FILTER (WHERE action = 3), "
            "count(*) FILTER (WHERE chain_index >= %s), "
            "count(DISTINCT actor_id), count(DISTINCT patient_pk), count(DISTINCT case_pk), "
            "min(timestamp) FILTER (WHERE chain_index BETWEEN %s AND %s), "
            "max(timestamp) FILTER (WHERE chain_index BETWEEN %s AND %s), max(chain_index), "
            "pg_total_relation_size('compliance_auditentry'), "
            "pg_relation_size('compliance_auditentry') "
            "FROM compliance_auditentry e LEFT JOIN compliance_auditseal s ON s.entry_id = e.id",
            [generated, first, generated - 1, first, generated - 1],
        )
        row = cursor.fetchone()

    def stamp(value) -> str:
        return value.astimezone(UTC).isoformat(timespec="seconds") if value else ""

    return {
        "entries": row[0],
        "  create": row[1],
        "  update": row[2],
        "  access": row[3],
        "  generated (COPY)": generated - first,
        "  real, before the generated ones": first,
        "  real, appended since": row[4],
        "actors": row[5],
        "patients (distinct patient_pk)": row[6],
        "cases (distinct case_pk)": row[7],
        "generated entries from": stamp(row[8]),
        "generated entries to": stamp(row[9]),
        "head chain_index": row[10],
        "table + indexes (MB)": round(row[11] / 2**20),
        "table heap (MB)": round(row[12] / 2**20),
    }


def print_dataset(info: dict[str, object]) -> None:
    for key, value in info.items():
        shown = f"{value:>14,}" if isinstance(value, int) else f"{value!s:>14}"
        print(f"  {key:<40} {shown}")


# --- what the three audit benchmarks share --------------------------------------------------------

LINE = "=" * 78


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def open_dataset(args) -> Dataset:
    """Django on ``args.database_url`` (migrated), holding a trail of at least ``args.entries``."""
    setup_django(args.database_url)
    dataset = ensure_dataset(args.entries, regenerate=args.regenerate)
    if dataset.seconds is not None:
        print(f"generated in {dataset.seconds:.1f}s", flush=True)
    return dataset


def print_summary_head(script: str, args, dataset: Dataset) -> None:
    """The summary's title and the dataset it ran on."""
    print(f"\n{LINE}\nSUMMARY  bench/{script}  (PostgreSQL, {args.database_url})\n{LINE}")
    print("dataset:")
    print_dataset(describe())
    if dataset.seconds is not None:
        print(f"  {'generation time (this run)':<40} {dataset.seconds:>13.1f}s")
