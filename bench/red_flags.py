"""Benchmark: red-flag detection (escalations/redflags/) on the texts a case takes.

Every inbound text — a new case's subject and description, every message from the patient — is
scanned inside the service's transaction (escalations/detection.py), so the scan is on the intake
path. This times ``Matcher.find`` with the built-in concepts (one matcher, as detection caches
it) on synthetic texts of 200, 2,000 and 20,000 characters (the longest a case description or
message takes): plain ASCII, with accents and emoji, with a red flag at the very end or not, a
text of 20,000 characters whose every word is new to the matcher (its per-word cache cold: every
word stemmed and looked up for typos — the worst case), one dense with flag words, and one
hiding zero-width characters and look-alike letters; plus the one-off cost of building the
matcher, and ``find_in_messages`` over ten earlier messages (the 24-hour look-back).

Pure Python: no database. Run from the project root::

    .venv/bin/python bench/red_flags.py
    .venv/bin/python bench/red_flags.py --repeat 50      # quicker

Wall-clock medians and p95 vary with the machine's load (two cores shared by several
processes); the median CPU time of this process per scan does not, and is the gate: exit status
0 when it is under ``--budget-ms`` (25 ms: half the issue's "well under 50 ms") for every
20,000-character text, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import string
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patientcare.settings")

import django  # noqa: E402

django.setup()

from escalations.redflags import Matcher, concept_kinds  # noqa: E402

FILLER = (
    "Hello, I am writing about my statement and the portal password; the clinic said to call "
    "back after the holiday, and my card on file changed last month. "
)
ACCENTED = (
    "Hola, le escribo por mi cuenta y la contraseña del portal; la clínica dijo que llamara "
    "después del feriado 😢 y mi tarjeta cambió el mes pasado. "
)


def texts() -> dict[str, str]:
    made = {}
    for size in (200, 2_000, 20_000):
        for label, base in (("ascii", FILLER), ("accents+emoji", ACCENTED)):
            body = (base * (size // len(base) + 1))[:size]
            made[f"{size:>6} chars, {label}, no flag"] = body
            made[f"{size:>6} chars, {label}, flag at end"] = body[: size - 11] + " chest pain"
    rng = random.Random(15)  # noqa: S311 - benchmark filler, not a secret
    unique = " ".join(
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 10)))
        for _ in range(3_500)
    )
    made[" 20000 chars, every word new (cold)"] = unique[:19_989] + " chest pain"
    dense = "chest pain, blood everywhere, i want to die, no puedo respirar. " * 400
    made[" 20000 chars, dense with flag words"] = dense[:20_000]
    hidden = (FILLER + "my che\u200bst h\u0443rts and I can\u2019t br\u0435athe. ") * 120
    made[" 20000 chars, zero-width+look-alikes"] = hidden[:20_000]
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=200, help="scans per text")
    parser.add_argument("--budget-ms", type=float, default=25.0)
    args = parser.parse_args()

    start = time.perf_counter()
    matcher = Matcher(concepts=concept_kinds())
    compile_ms = (time.perf_counter() - start) * 1000

    line = "=" * 78
    print(line)
    print("SUMMARY  bench/red_flags.py  (pure Python, one process)")
    print(line)
    print(f"rules: {len(matcher)} (patterns of {len(concept_kinds())} built-in concepts)")
    print(f"build the matcher (the vocabulary's index, once per process): {compile_ms:.1f} ms")
    print(f"{'text':<40} {'median ms':>10} {'p95 ms':>10} {'CPU ms':>8} {'hits':>5}")
    worst = 0.0
    for name, text in texts().items():
        samples, cpu = [], []
        cold = "cold" in name
        for _ in range(args.repeat):
            if cold:
                matcher.clear_cache()  # the worst case: no word seen before
            start, start_cpu = time.perf_counter(), time.process_time()
            hits = matcher.find(text)
            cpu.append((time.process_time() - start_cpu) * 1000)
            samples.append((time.perf_counter() - start) * 1000)
        median = statistics.median(samples)
        p95 = statistics.quantiles(samples, n=100, method="inclusive")[94]
        cpu_median = statistics.median(cpu)
        if name.strip().startswith("20000"):
            worst = max(worst, cpu_median)
        print(f"{name:<40} {median:>10.3f} {p95:>10.3f} {cpu_median:>8.3f} {len(hits):>5}")
    earlier = [FILLER * 10] * 10
    samples = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        matcher.find_in_messages([*earlier, "it hurts in my chest"])
        samples.append((time.perf_counter() - start) * 1000)
    print(
        f"{'look-back: 10 earlier messages + new':<40} {statistics.median(samples):>10.3f}"
        f" {statistics.quantiles(samples, n=100, method='inclusive')[94]:>10.3f}"
    )
    passed = worst < args.budget_ms
    print(f"worst median CPU at 20,000 characters: {worst:.3f} ms (budget {args.budget_ms} ms)")
    print(f"RESULT: {'PASS' if passed else 'FAIL'}\n{line}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
