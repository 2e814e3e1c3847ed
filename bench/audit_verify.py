"""Benchmark: ``compliance.verify.verify_chain()`` over 1,000,000 audit entries.

Loads (or reuses) a synthetic, valid audit trail of 1,000,000 hash-chained entries in its own
PostgreSQL database (bench/audit_dataset.py: made in Python, hashed with
``compliance.models.compute_entry_hash``, loaded with ``COPY``), then:

* times ``verify_chain()`` in this process, with progress lines and entries/s;
* times the command path, ``manage.py audit_verify`` in a process of its own (it also records a
  ``ChainVerification``), and checks its exit status and message;
* alters one entry near the end inside a transaction that is rolled back (the append-only
  triggers disabled in that transaction only) and checks that ``verify_chain()`` names it.

Run from the project root (bench/README.md)::

    .venv/bin/python bench/audit_verify.py                    # 1,000,000 entries
    .venv/bin/python bench/audit_verify.py --entries 100000   # quick

There is no speed target. Exit status 0 when the chain verifies intact (both paths) and the
altered entry is found at the right chain_index, 1 otherwise.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import audit_dataset  # noqa: E402  (bench/, next to this script)
from audit_dataset import verdict  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/patientcare_bench_audit"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--entries", type=int, default=1_000_000, help="audit entries to verify")
    parser.add_argument("--regenerate", action="store_true", help="generate the trail again")
    parser.add_argument("--batch-size", type=int, default=2000, help="verify_chain batch size")
    parser.add_argument("--progress-every", type=int, default=100_000)
    parser.add_argument(
        "--tamper-from-end",
        type=int,
        default=1000,
        help="alter the entry this many places before the head (default 1000)",
    )
    parser.add_argument(
        "--skip-command", action="store_true", help="do not run manage.py audit_verify"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run the in-process verification under cProfile and print the top functions",
    )
    args = parser.parse_args()
    if args.entries < 10_000:
        parser.error("--entries must be at least 10000")
    if not 0 < args.tamper_from_end < args.entries:
        parser.error("--tamper-from-end must be between 1 and --entries")
    return args


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f} entries/s" if seconds > 0 else "n/a"


def verify_in_process(args):
    from compliance.verify import verify_chain

    started = time.perf_counter()

    def progress(done: int) -> None:
        elapsed = time.perf_counter() - started
        print(f"  verified {done:>9,} entries  {elapsed:6.1f}s  {rate(done, elapsed)}", flush=True)

    profiler = cProfile.Profile() if args.profile else None
    if profiler is not None:
        profiler.enable()
    report = verify_chain(
        batch_size=args.batch_size, progress=progress, progress_every=args.progress_every
    )
    seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(18)
        print("\n--- cProfile of verify_chain (sorted by own time; profiling slows it down)")
        print(out.getvalue())
    return report, seconds


def verify_command(args) -> tuple[int, str, float]:
    """``manage.py audit_verify`` as an operator runs it: its own process, same database."""
    env = {**os.environ, "DATABASE_URL": args.database_url, "DEBUG": "false"}
    command = [
        sys.executable,
        str(ROOT / "manage.py"),
        "audit_verify",
        "--batch-size",
        str(args.batch_size),
        "--progress-every",
        str(args.progress_every),
    ]
    print(f"  $ {' '.join(command[1:])}", flush=True)
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603  (our own manage.py, fixed arguments)
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    for line in process.stdout or ():
        lines.append(line.rstrip())
        print(f"  | {line.rstrip()}", flush=True)
    status = process.wait()
    return status, "\n".join(lines), time.perf_counter() - started


class _Rollback(Exception):
    pass


def verify_tampered(args, head_index: int):
    """Alter one entry's content near the end, verify, roll everything back."""
    from django.db import connection, transaction

    from compliance.verify import verify_chain

    target = head_index - args.tamper_from_end
    result = {}
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # ALTER TABLE is transactional in PostgreSQL: the triggers are back at the rollback.
            cursor.execute("ALTER TABLE compliance_auditentry DISABLE TRIGGER USER")
            cursor.execute(
                "UPDATE compliance_auditentry SET object_repr = object_repr || ' (altered)' "
                "WHERE id = (SELECT entry_id FROM compliance_auditseal WHERE chain_index = %s) "
                "RETURNING id",
                [target],
            )
            entry_id = cursor.fetchone()[0]
            print(
                f"  altered object_repr of chain_index {target:,} (entry id {entry_id}) "
                "in a transaction that will be rolled back",
                flush=True,
            )
            started = time.perf_counter()

            def progress(done: int) -> None:
                elapsed = time.perf_counter() - started
                print(f"  verified {done:>9,} entries  {elapsed:6.1f}s", flush=True)

            report = verify_chain(
                batch_size=args.batch_size, progress=progress, progress_every=args.progress_every
            )
            result.update(
                report=report,
                seconds=time.perf_counter() - started,
                target=target,
                entry_id=entry_id,
            )
            raise _Rollback
    except _Rollback:
        pass
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT object_repr LIKE '%%(altered)' FROM compliance_auditentry "
            "WHERE id = (SELECT entry_id FROM compliance_auditseal WHERE chain_index = %s)",
            [target],
        )
        result["rolled_back"] = not cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'compliance_auditentry'::regclass "
            "AND NOT tgisinternal AND tgenabled = 'O'"
        )
        result["triggers_enabled"] = cursor.fetchone()[0]
    return result


def main() -> int:
    args = parse_args()
    dataset = audit_dataset.open_dataset(args)

    print(
        f"\nverify_chain() in this process (batch size {args.batch_size}, progress every "
        f"{args.progress_every:,})",
        flush=True,
    )
    expected = audit_dataset.audit_count()
    report, seconds = verify_in_process(args)
    print(
        f"  -> intact={report.intact} checked={report.checked:,} in {seconds:.1f}s "
        f"({rate(report.checked, seconds)})" + (f"; {report.reason}" if report.reason else ""),
        flush=True,
    )

    command = None
    if not args.skip_command:
        print("\nmanage.py audit_verify (its own process; records a ChainVerification)")
        command = verify_command(args)
        print(f"  -> exit status {command[0]} in {command[2]:.1f}s", flush=True)

    head_index = report.head[0] if report.head else args.entries - 1
    print(f"\nverify_chain() after altering the entry {args.tamper_from_end:,} before the head")
    tampered = verify_tampered(args, head_index)
    tamper_report = tampered["report"]
    print(
        f"  -> intact={tamper_report.intact} broken_at={tamper_report.broken_at} "
        f"entry_id={tamper_report.entry_id} reason={tamper_report.reason!r} "
        f"after {tamper_report.checked:,} entries in {tampered['seconds']:.1f}s",
        flush=True,
    )
    return 0 if summary(args, dataset, expected, report, seconds, command, tampered) else 1


def summary(args, dataset, expected, report, seconds, command, tampered) -> bool:
    from django.db import connection

    tamper_report = tampered["report"]
    intact_ok = report.intact and report.checked == expected
    found_ok = (
        tamper_report.broken_at == tampered["target"]
        and tamper_report.entry_id == tampered["entry_id"]
        and "altered" in tamper_report.reason
    )
    restored_ok = tampered["rolled_back"] and tampered["triggers_enabled"] == 3
    line = audit_dataset.LINE
    audit_dataset.print_summary_head("audit_verify.py", args, dataset)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"host: {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min)")
    print(f"server: PostgreSQL {connection.pg_version // 10000}, batch size {args.batch_size}")
    print("timings:")
    print(f"  {'path':<44} {'entries':>10} {'seconds':>9} {'entries/s':>11}")
    print(
        f"  {'verify_chain() in process':<44} {report.checked:>10,} {seconds:>9.1f}"
        f" {report.checked / seconds:>11,.0f}"
    )
    command_ok = True
    if command is not None:
        status, output, command_seconds = command
        found = re.search(r"Audit chain intact: (\d+) entries verified", output)
        command_checked = int(found.group(1)) if found else 0
        # the command's own ChainVerification record is audited: its "started" entry is checked
        command_ok = status == 0 and found is not None and command_checked >= expected
        print(
            f"  {'manage.py audit_verify (process, incl. start)':<44} {command_checked:>10,}"
            f" {command_seconds:>9.1f} {command_checked / command_seconds:>11,.0f}"
        )
    print(
        f"  {'verify_chain() up to the altered entry':<44} {tamper_report.checked:>10,}"
        f" {tampered['seconds']:>9.1f} {tamper_report.checked / tampered['seconds']:>11,.0f}"
    )
    print("checks:")
    print(
        f"  {verdict(intact_ok)}  verify_chain(): intact, {report.checked:,} of "
        f"{expected:,} entries checked ({report.checked / seconds:,.0f} entries/s)"
    )
    if command is not None:
        print(
            f"  {verdict(command_ok)}  manage.py audit_verify: exit status {command[0]}, "
            f"intact, {command_checked:,} entries checked"
        )
    else:
        print("  ----  manage.py audit_verify: skipped (--skip-command)")
    print(
        f"  {verdict(found_ok)}  altered entry found: broken_at {tamper_report.broken_at}"
        f" (expected {tampered['target']}), entry id {tamper_report.entry_id}"
        f" (expected {tampered['entry_id']}): {tamper_report.reason}"
    )
    print(
        f"  {verdict(restored_ok)}  rolled back: entry restored {tampered['rolled_back']}, "
        f"append-only triggers enabled {tampered['triggers_enabled']} of 3"
    )
    print("  (no speed target: the entries/s above are for information)")
    passed = intact_ok and command_ok and found_ok and restored_ok
    print(f"RESULT: {verdict(passed)}\n{line}", flush=True)
    return passed


if __name__ == "__main__":
    sys.exit(main())
