"""Benchmark: red-flag detection (escalations/redflags.py) on the texts a case takes.

Every inbound text — a new case's subject and description, every message from the patient — is
scanned inside the service's transaction (escalations/detection.py), so the scan is on the intake
path. This times ``Matcher.find`` with the built-in English and Spanish lists (216 phrases, one
compiled matcher, as detection caches it) on synthetic texts of 200, 2,000 and 20,000 characters
(the longest a case description or message takes), plain ASCII and with accents and emoji, with
and without a red flag at the very end, and the one-off cost of compiling the matcher.

Pure Python: no database. Run from the project root::

    .venv/bin/python bench/red_flags.py
    .venv/bin/python bench/red_flags.py --repeat 50      # quicker

Exit status 0 when the median scan of a 20,000-character text is under ``--budget-ms`` (5 ms:
a small share of a case_open, which takes tens of milliseconds), 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patientcare.settings")

import django  # noqa: E402

django.setup()

from escalations.redflags import Matcher, default_phrases  # noqa: E402

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
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=200, help="scans per text")
    parser.add_argument("--budget-ms", type=float, default=5.0)
    args = parser.parse_args()

    phrases = list(default_phrases())
    start = time.perf_counter()
    matcher = Matcher((phrase, kind, language) for phrase, kind, language in phrases)
    compile_ms = (time.perf_counter() - start) * 1000

    line = "=" * 78
    print(line)
    print("SUMMARY  bench/red_flags.py  (pure Python, one process)")
    print(line)
    print(f"phrases: {len(phrases)} built-in ({len(matcher)} distinct after normalisation)")
    print(f"compile the matcher (once per configuration): {compile_ms:.1f} ms")
    print(f"{'text':<40} {'median ms':>10} {'p95 ms':>10} {'hits':>5}")
    worst = 0.0
    for name, text in texts().items():
        samples = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            hits = matcher.find(text)
            samples.append((time.perf_counter() - start) * 1000)
        median = statistics.median(samples)
        p95 = statistics.quantiles(samples, n=100, method="inclusive")[94]
        if name.strip().startswith("20000"):
            worst = max(worst, median)
        print(f"{name:<40} {median:>10.3f} {p95:>10.3f} {len(hits):>5}")
    passed = worst < args.budget_ms
    print(f"worst median at 20,000 characters: {worst:.3f} ms (budget {args.budget_ms} ms)")
    print(f"RESULT: {'PASS' if passed else 'FAIL'}\n{line}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
