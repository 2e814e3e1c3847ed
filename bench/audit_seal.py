"""Benchmark: the audit sealer (compliance/sealer.py) and the verification of a sealed trail.

Sets up its own PostgreSQL database and measures, on this host:

1. **Sealer throughput**: ``--backlog`` entries written by real audited service calls (case
   intake: a new patient and its case) with the sealer stopped, then one ``seal_pending()`` run
   over the backlog, timed: entries sealed per second (target >= 2,000).
2. **Seal lag under the intake benchmark**: ``--writers`` processes open cases for
   ``--seconds`` (bench/audit_intake.py) while one sealer process runs ``seal_pending(wait=False)``
   every ``AUDIT_SEAL_SECONDS`` (1 s), as celery beat does. Each run records when it committed
   and the head it reached; an entry's lag is the commit time of the run that sealed it minus the
   entry's own timestamp (the moment of the change). p50/p95/p99/max (target p99 <= 2 s), and
   every entry sealed once in a valid chain.
3. **Verification of 1,000,000 entries**: a trail of ``--entries`` entries and their seals loaded
   with COPY (bench/audit_dataset.py), then ``verify_chain()`` in this process, timed (target
   >= 30,000 entries/s).

Run from the project root (bench/README.md)::

    .venv/bin/python bench/audit_seal.py
    .venv/bin/python bench/audit_seal.py --backlog 5000 --seconds 10 --entries 100000   # quick

Exit status 0 when all three targets are met (PASS), 1 otherwise.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import audit_dataset  # noqa: E402  (bench/, next to this script)
import audit_intake  # noqa: E402
from audit_dataset import LINE, verdict  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/patientcare_bench_audit_seal"
TARGET_SEAL_RATE = 2000.0
TARGET_LAG_P99 = 2.0
TARGET_VERIFY_RATE = 30000.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--backlog", type=int, default=20000, help="entries for the sealer run")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0, help="intake time for the lag")
    parser.add_argument("--entries", type=int, default=1_000_000, help="trail to verify")
    parser.add_argument("--regenerate", action="store_true", help="generate the trail again")
    return parser.parse_args()


def seal_all() -> int:
    from compliance.sealer import seal_pending

    return seal_pending()


def unsealed() -> int:
    from compliance.sealer import unsealed_count

    return unsealed_count()


# --- 1. throughput ------------------------------------------------------------------------------


def measure_throughput(args, setup) -> dict:
    seal_all()
    print(f"\n1. sealer throughput: writing a backlog of >= {args.backlog:,} entries", flush=True)
    written = 0
    tag = f"T{int(time.time())}"
    while unsealed() < args.backlog:
        audit_intake.run_intake(setup, writers=2, seconds=3, variant="on", tag=f"{tag}{written}")
        written += 1
    backlog = unsealed()
    started = time.perf_counter()
    sealed = seal_all()
    seconds = time.perf_counter() - started
    rate = sealed / seconds if seconds else 0.0
    print(f"  sealed {sealed:,} of {backlog:,} waiting in {seconds:.2f}s: {rate:,.0f} entries/s")
    return {"backlog": backlog, "sealed": sealed, "seconds": seconds, "rate": rate}


# --- 2. lag under intake --------------------------------------------------------------------------


def _sealer(stop_at: float, every: float, results) -> None:
    from django.db import connections

    from compliance.sealer import chain_head, seal_pending

    connections.close_all()
    runs = []
    next_at = time.time()
    while time.time() < stop_at:
        time.sleep(max(0.0, next_at - time.time()))
        next_at += every
        sealed = seal_pending(wait=False)
        head = chain_head("default")
        runs.append((time.time(), head[0] if head else -1, sealed))
    connections.close_all()
    results.put(runs)


def measure_lag(args, setup) -> dict:
    from django.conf import settings
    from django.db import connection, connections

    from compliance.verify import verify_chain

    seal_all()
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(chain_index), -1) FROM compliance_auditseal")
        start_index = cursor.fetchone()[0]
    every = float(settings.AUDIT_SEAL_SECONDS)
    print(
        f"\n2. seal lag: {args.writers} intake writers for {args.seconds:.0f}s, the sealer every "
        f"{every:g}s",
        flush=True,
    )
    connections.close_all()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    stop_at = time.time() + 1.0 + args.seconds + 3 * every  # the tail of the intake sealed too
    sealer = context.Process(target=_sealer, args=(stop_at, every, results))
    sealer.start()
    rate, latencies = audit_intake.run_intake(
        setup, writers=args.writers, seconds=args.seconds, variant="on", tag=f"L{int(time.time())}"
    )
    runs = results.get(timeout=args.seconds + 120)
    sealer.join(timeout=60)
    # Each seal's lag: the commit time of the run that reached it minus its entry's timestamp.
    lags = []
    previous = start_index
    with connection.cursor() as cursor:
        for finished, head, _sealed in runs:
            if head > previous:
                cursor.execute(
                    "SELECT extract(epoch FROM e.timestamp) FROM compliance_auditseal s "
                    "JOIN compliance_auditentry e ON e.id = s.entry_id "
                    "WHERE s.chain_index > %s AND s.chain_index <= %s",
                    [previous, head],
                )
                lags.extend(finished - float(stamp) for (stamp,) in cursor.fetchall())
                previous = head
    waiting = unsealed()
    report = verify_chain(batch_size=5000)
    lags.sort()

    def pct(q: float) -> float:
        return lags[min(len(lags) - 1, int(q * len(lags)))] if lags else float("nan")

    found = {
        "intakes_per_s": rate,
        "intake_p50_ms": statistics.median(latencies) * 1000 if latencies else 0.0,
        "entries": len(lags),
        "runs": len(runs),
        "busiest_run": max((sealed for _f, _h, sealed in runs), default=0),
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "max": lags[-1] if lags else float("nan"),
        "left_unsealed": waiting,
        "chain_intact": report.intact,
        "chain_checked": report.checked,
    }
    print(
        f"  {rate:.1f} intakes/s; {len(lags):,} entries sealed in {len(runs)} runs; lag "
        f"p50 {found['p50']:.2f}s p95 {found['p95']:.2f}s p99 {found['p99']:.2f}s "
        f"max {found['max']:.2f}s; {waiting} unsealed; chain intact={report.intact}",
        flush=True,
    )
    return found


# --- 3. verification --------------------------------------------------------------------------


def measure_verify(args) -> dict:
    from compliance.verify import verify_chain

    print(f"\n3. verify_chain() over the loaded trail of >= {args.entries:,} entries", flush=True)
    started = time.perf_counter()

    def progress(done: int) -> None:
        print(f"  verified {done:>9,}  {time.perf_counter() - started:6.1f}s", flush=True)

    report = verify_chain(batch_size=5000, progress=progress, progress_every=250_000)
    seconds = time.perf_counter() - started
    rate = report.checked / seconds if seconds else 0.0
    print(
        f"  -> intact={report.intact} checked={report.checked:,} in {seconds:.1f}s "
        f"({rate:,.0f} entries/s); {report.unsealed} unsealed",
        flush=True,
    )
    return {"report": report, "seconds": seconds, "rate": rate}


def main() -> int:
    args = parse_args()
    # The million-entry trail first (it empties the tables), then the sealer's work on top of it.
    dataset = audit_dataset.open_dataset(args)
    verified = measure_verify(args)
    setup = audit_intake.prepare(max(args.writers, 2))
    throughput = measure_throughput(args, setup)
    lag = measure_lag(args, setup)

    seal_ok = throughput["rate"] >= TARGET_SEAL_RATE
    lag_ok = (
        lag["p99"] <= TARGET_LAG_P99
        and lag["left_unsealed"] == 0
        and lag["chain_intact"]
        and lag["entries"] > 0
    )
    verify_ok = verified["report"].intact and verified["rate"] >= TARGET_VERIFY_RATE
    audit_dataset.print_summary_head("audit_seal.py", args, dataset)
    print(LINE)
    print(
        f"sealer throughput   {throughput['sealed']:>9,} entries in {throughput['seconds']:.2f}s"
        f" = {throughput['rate']:>9,.0f} entries/s   target >= {TARGET_SEAL_RATE:,.0f}   "
        f"{verdict(seal_ok)}"
    )
    print(
        f"seal lag            p50 {lag['p50']:.2f}s  p95 {lag['p95']:.2f}s  p99 {lag['p99']:.2f}s"
        f"  max {lag['max']:.2f}s over {lag['entries']:,} entries ({args.writers} writers, "
        f"{lag['intakes_per_s']:.1f} intakes/s, busiest run {lag['busiest_run']:,} entries)   "
        f"target p99 <= {TARGET_LAG_P99:.0f}s   {verdict(lag_ok)}"
    )
    print(
        f"                    unsealed after the run: {lag['left_unsealed']}; chain intact: "
        f"{lag['chain_intact']} ({lag['chain_checked']:,} entries)"
    )
    print(
        f"verify_chain        {verified['report'].checked:>9,} entries in "
        f"{verified['seconds']:.1f}s = {verified['rate']:>9,.0f} entries/s   target >= "
        f"{TARGET_VERIFY_RATE:,.0f}   {verdict(verify_ok)}"
    )
    ok = seal_ok and lag_ok and verify_ok
    print(f"{LINE}\n{verdict(ok)}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
