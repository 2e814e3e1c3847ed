"""What bench/claim_next.py measures besides the wall clock: a short name per SQL statement of a
claim and the time of each COMMIT, the CPU seconds of a process and of the whole host (Linux
/proc). Imported by that script."""

from __future__ import annotations

import os
import time
from collections import Counter


def _statement_label(sql: str) -> str:
    """A short name for a statement of a claim, for the per-statement times."""
    text = " ".join(sql.split())
    head = text.split(" ", 1)[0].upper()
    if head in {"SAVEPOINT", "RELEASE", "ROLLBACK"}:
        return head.lower()
    if "pg_advisory_xact_lock" in text:
        return "audit seal: chain lock + head"
    if "SKIP LOCKED" in text:
        return "claim-next candidate (SKIP LOCKED)"
    for table in (
        "compliance_auditentry",
        "cases_historicalcase",
        "cases_caseevent",
        "webhooks_",
        "cases_queue",
        "auth_permission",
        "cases_case",
    ):
        if table in text:
            suffix = " FOR UPDATE" if "FOR UPDATE" in text else ""
            return f"{head.lower()} {table.rstrip('_')}{suffix}"
    return head.lower()


def _time_commits(connection, sql_time: Counter, sql_count: Counter) -> None:
    """Time COMMIT too (it is not a statement Django's execute wrappers see)."""
    original = connection.commit

    def commit():
        t0 = time.perf_counter()
        try:
            return original()
        finally:
            sql_time["COMMIT"] += time.perf_counter() - t0
            sql_count["COMMIT"] += 1

    connection.commit = commit


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _process_cpu(pid: int) -> float:
    """CPU seconds (user + system) process ``pid`` has used so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def _host_cpu() -> tuple[float, float]:
    """CPU seconds the whole host has been busy so far (all CPUs: user, nice, system, irq,
    softirq), and the seconds the hypervisor took (steal)."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return (user + nice + system + irq + softirq) / _CLOCK_TICKS, steal / _CLOCK_TICKS
