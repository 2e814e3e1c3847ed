"""The statements of bench/http_paths.py's paths, in the bench's own process: one request of each
path through Django's test client (the same settings and database as the server), warm, its
statements captured (``CaptureQueriesContext``), then each statement planned and run again under
``EXPLAIN (ANALYZE, FORMAT JSON)`` in a transaction that is rolled back, three times, the median
planning and execution time kept. Imported by that script (bench/README.md)."""

from __future__ import annotations

import json
import random
import statistics
from dataclasses import dataclass, field

PLANNING_LIMIT_MS = 2.0
EXPLAIN_RUNS = 3
EXPLAINABLE = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")
SAVEPOINT = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@dataclass
class Statement:
    sql: str
    planning_ms: float | None = None
    execution_ms: float | None = None
    note: str = ""

    @property
    def savepoint(self) -> bool:
        return self.sql.lstrip().upper().startswith(SAVEPOINT)


@dataclass
class Capture:
    path: str
    status: int
    statements: list[Statement] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    @property
    def savepoints(self) -> int:
        return sum(1 for s in self.statements if s.savepoint)

    @property
    def max_planning(self) -> float:
        return max((s.planning_ms or 0.0 for s in self.statements), default=0.0)

    @property
    def slow_planning(self) -> list[Statement]:
        return [s for s in self.statements if (s.planning_ms or 0.0) > PLANNING_LIMIT_MS]


def verified_client(world):
    """A test client logged in as the agent, its session marked verified by django-otp's public
    ``login(request, device)`` with the agent's authenticator (what the code step does)."""
    from django.http import HttpRequest
    from django.test import Client
    from django_otp import login as otp_login
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User

    agent = User.objects.get(pk=world.agent_id)
    client = Client()
    client.force_login(agent)
    session = client.session
    request = HttpRequest()
    request.session = session
    request.user = agent
    otp_login(request, TOTPDevice.objects.get(user=agent, key=world.totp_key))
    session.save()
    return client


def one_request(client, name: str, world, intakes, rng):
    """One request of path ``name``, as the load sends it; returns the response."""
    if name == "case_page":
        return client.get(f"/console/cases/{rng.choice(world.references)}/")
    if name == "api_create":
        from django.test import Client

        key, body = intakes.next(rng)
        return Client().generic(  # a partner system: its token, no session cookie
            "POST",
            "/api/v1/cases/",
            body,
            content_type="application/json",
            headers={
                "Authorization": f"Bearer {world.token}",
                "Accept": "application/json",
                "Idempotency-Key": key,
            },
        )
    if name == "api_list":
        return client.get("/api/v1/cases/", headers={"Accept": "application/json"})
    if name == "queue_page":
        return client.get("/console/")
    if name == "claim_next":
        return client.post("/console/claim-next/", {"queue": ""})
    raise ValueError(name)


def capture(names, world, intakes) -> list[Capture]:
    """Each path once to warm up, then once captured; then the EXPLAINs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = verified_client(world)
    rng = random.Random(18)  # noqa: S311  (which case page)
    captures = []
    for name in names:
        one_request(client, name, world, intakes, rng)
        with CaptureQueriesContext(connection) as queries:
            response = one_request(client, name, world, intakes, rng)
        found = Capture(name, response.status_code)
        found.statements = [Statement(q["sql"]) for q in queries.captured_queries]
        captures.append(found)
    for found in captures:
        explain(found.statements)
    return captures


def explain(statements: list[Statement]) -> None:
    """EXPLAIN (ANALYZE) each statement, in one transaction rolled back at the end, each run in a
    savepoint of its own rolled back at once (an INSERT's EXPLAIN ANALYZE inserts)."""
    from django.db import DatabaseError, IntegrityError, connection, transaction

    with transaction.atomic():
        for statement in statements:
            if not statement.sql.lstrip().upper().startswith(EXPLAINABLE):
                statement.note = "not planned (transaction control)"
                continue
            planning, execution = [], []
            analyze = "ANALYZE"
            for _ in range(EXPLAIN_RUNS):
                savepoint = transaction.savepoint()
                try:
                    with connection.cursor() as cursor:
                        cursor.execute(f"EXPLAIN ({analyze}, FORMAT JSON) " + statement.sql)
                        plan = cursor.fetchone()[0]
                except IntegrityError:
                    # An INSERT of the row the request inserted (its key is taken now): planned
                    # only, not run (EXPLAIN's SUMMARY gives the planning time).
                    transaction.savepoint_rollback(savepoint)
                    if analyze == "SUMMARY":
                        statement.note = "EXPLAIN failed"
                        break
                    analyze = "SUMMARY"
                    statement.note = "planned only: its row exists now"
                    continue
                except DatabaseError as exc:
                    statement.note = f"EXPLAIN failed: {str(exc).splitlines()[0][:100]}"
                    transaction.savepoint_rollback(savepoint)
                    break
                transaction.savepoint_rollback(savepoint)
                if isinstance(plan, str):
                    plan = json.loads(plan)
                planning.append(plan[0]["Planning Time"])
                execution.append(plan[0].get("Execution Time", float("nan")))
            if planning:
                statement.planning_ms = statistics.median(planning)
                statement.execution_ms = statistics.median(execution)
        transaction.set_rollback(True)


def short(sql: str, width: int = 96) -> str:
    flat = " ".join(sql.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def print_captures(captures: list[Capture]) -> None:
    print("\nstatements of one warm request of each path (in-process, test client), with")
    print(
        f"EXPLAIN (ANALYZE): median of {EXPLAIN_RUNS} plans; '!' marks planning over "
        f"{PLANNING_LIMIT_MS:g} ms"
    )
    for found in captures:
        print(
            f"\n  {found.path}: status {found.status}, {found.count} statements "
            f"({found.savepoints} savepoint statements), max planning {found.max_planning:.2f} ms"
        )
        print(f"  {'#':>3} {'plan ms':>8} {'exec ms':>8}   statement")
        for n, statement in enumerate(found.statements, 1):
            if statement.planning_ms is None:
                plan, run = "-", "-"
            else:
                plan, run = f"{statement.planning_ms:.2f}", f"{statement.execution_ms:.2f}"
                run = "-" if run == "nan" else run
            flag = "!" if (statement.planning_ms or 0.0) > PLANNING_LIMIT_MS else " "
            note = f"  [{statement.note}]" if statement.note else ""
            print(f"  {n:>3} {plan:>8} {run:>8} {flag} {short(statement.sql)}{note}")
