"""Evaluation: red-flag detection (escalations/redflags/) on the team's corpus.

The corpus is ``escalations/redflags/data/red_flag_corpus/*.tsv`` (text, language, expected
concept or ``none``, and an optional fourth column ``mention``), synthetic texts written the
way patients write. A text that negates a red-flag symptom ("no chest pain, just …") is labelled
with that concept and ``mention`` = ``negated``: the documented policy is that negation stays a flag
marked "may be negated", so it is expected to fire. Negated mentions are counted on their own
line (fired, marked "may be negated"), not in recall nor in the false-positive rate.

A text may be several messages of one case separated by `` ||| ``: they are read together as
detection reads a case's last 24 hours, and the flag counts only when its last message
completes it.

Every 4th text of each file (rows 4, 8, 12 …) is **held out**: the vocabulary was tuned on the
others (**dev**) only. The report prints both and the total:

* per language: recall (flags whose expected concept is found), precision (texts with a hit
  that are flags), false-positive rate (benign texts with any hit);
* per concept: recall and precision (texts given the concept that expected it);
* every miss and every false alarm (with the concepts and words found), and every text where
  the context layer (``escalations/redflags/context.py``) set a match aside: the frame and its
  cue, so a clinician can read why.

The **blind set** (``escalations/redflags/data/red_flag_blind.tsv``, same columns) is printed
as its own section: texts written in other styles (texting shorthand, third person, questions,
Spanish without accents, Spanglish, symptoms described instead of named), each round measured before
the vocabulary was changed for it (bench/README.md keeps each round's first numbers: the honest
estimate on unseen text). It does not gate.

What is scored is what detection runs: the rules, then, for a text where no rule fired, the
learned second opinion (``escalations/redflags/learned.py``; its flags are printed as
``model (p): 'word', …``). The model is trained on the corpus and the blind set, so on those it
is not an estimate (``bench/red_flags_model_eval.py`` measures it on rounds it never saw);
``--rules-only`` scores the rules alone (while tuning them).

Targets (issue 15): recall ≥ 97 % and false-positive rate ≤ 5 % in each language. The exit
status is 1 when the split chosen by ``--gate`` (default ``total``) misses one, else 0.

Pure Python: no database. Run from the project root::

    .venv/bin/python bench/red_flags_eval.py                 # all three, gate on the total
    .venv/bin/python bench/red_flags_eval.py --split dev     # only dev (while tuning)
    .venv/bin/python bench/red_flags_eval.py --gate held-out
    .venv/bin/python bench/red_flags_eval.py --rules-only    # without the learned model
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from escalations.redflags import Matcher, concept_kinds, learned  # noqa: E402

CORPUS = ROOT / "escalations" / "redflags" / "data" / "red_flag_corpus"
BLIND = ROOT / "escalations" / "redflags" / "data" / "red_flag_blind.tsv"
NEGATED = "negated"  # the ``mention`` column of a text that negates the flag
SEPARATOR = " ||| "
NONE = "none"
RECALL_TARGET = 0.97
FPR_TARGET = 0.05
HOLD_OUT_EVERY = 4
WITH_MODEL = True  # the learned second opinion when no rule fired (--rules-only: False)


@dataclass(frozen=True)
class Example:
    file: str
    row: int  # 1-based, after the header
    text: str
    language: str
    expected: str  # a concept id or "none"
    negated: bool = False  # the text negates the flag: expected to fire, marked "may be negated"

    @property
    def split(self) -> str:
        return "held-out" if self.row % HOLD_OUT_EVERY == 0 else "dev"


def load(directory: Path = CORPUS) -> list[Example]:
    """The corpus: every ``*.tsv`` of ``directory``."""
    examples = []
    for path in sorted(directory.glob("*.tsv")):
        examples.extend(load_file(path))
    return examples


def load_file(path: Path) -> list[Example]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [
            Example(
                path.name,
                row,
                record["text"],
                record["language"],
                record["expected"] or NONE,  # an empty label is a benign text
                negated=(record.get("mention") or "") == NEGATED,
            )
            for row, record in enumerate(reader, start=1)
        ]


def detector() -> Matcher:
    """The built-in concepts, each routed to itself (the evaluation scores concepts)."""
    return Matcher(concepts={concept: concept for concept in concept_kinds()})


def detect(
    matcher: Matcher,
    example: Example,
    set_aside: list | None = None,
    *,
    with_model: bool | None = None,
):
    """As detection reads a case: each message when it arrives, with the ones before it; the
    learned second opinion when no rule fired (``with_model``, default :data:`WITH_MODEL`).
    ``set_aside`` collects the matches the context layer took out, and why."""
    model = WITH_MODEL if with_model is None else with_model
    targets = {concept: concept for concept in concept_kinds()}
    messages = example.text.split(SEPARATOR)
    hits = []
    for count in range(1, len(messages) + 1):
        found = matcher.find_in_messages(messages[:count], set_aside=set_aside)
        if not found and model:
            found = learned.second_opinion(messages[:count], targets)
        hits.extend(found)
    return hits


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _pct(value: float | None) -> str:
    return "   n/a" if value is None else f"{value * 100:6.1f}"


def evaluate(matcher: Matcher, examples: list[Example]) -> dict:
    """Counts and the lists of misses and false alarms for ``examples``."""
    by_language: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_concept: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    misses, false_alarms, negated_misses, set_aside = [], [], [], []
    for example in examples:
        reasons: list = []
        hits = detect(matcher, example, reasons)
        if reasons:
            set_aside.append((example, reasons))
        found = {hit.concept for hit in hits}
        counts = by_language[example.language]
        if example.negated:
            counts["negated"] += 1
            if example.expected in found:
                counts["negated_fired"] += 1
                counts["negated_marked"] += any(
                    hit.negated for hit in hits if hit.concept == example.expected
                )
            else:
                negated_misses.append((example, hits))
            continue
        if example.expected == NONE:
            counts["benign"] += 1
            if hits:
                counts["false_positive"] += 1
                counts["flagged"] += 1
                false_alarms.append((example, hits))
        else:
            counts["flags"] += 1
            if hits:
                counts["flagged"] += 1
                counts["flagged_true"] += 1
            if example.expected in found:
                counts["caught"] += 1
            else:
                misses.append((example, hits))
            by_concept[example.expected]["flags"] += 1
            by_concept[example.expected]["caught"] += example.expected in found
        for concept in found:
            by_concept[concept]["given"] += 1
            by_concept[concept]["given_right"] += concept == example.expected
    return {
        "languages": by_language,
        "concepts": by_concept,
        "misses": misses,
        "false_alarms": false_alarms,
        "negated_misses": negated_misses,
        "set_aside": set_aside,
    }


def report(name: str, result: dict, *, details: bool) -> bool:
    """Print one split's tables; whether it meets the targets in every language."""
    line = "-" * 78
    print(line)
    print(f"{name.upper()}")
    print(line)
    print(
        f"{'language':<10}{'flags':>6}{'benign':>7}{'recall %':>10}{'precision %':>13}"
        f"{'FP rate %':>11}  targets"
    )
    met = True
    for language in sorted(result["languages"]):
        c = result["languages"][language]
        recall = _ratio(c["caught"], c["flags"])
        precision = _ratio(c["flagged_true"], c["flagged"])
        fpr = _ratio(c["false_positive"], c["benign"])
        ok = (recall is None or recall >= RECALL_TARGET) and (fpr is None or fpr <= FPR_TARGET)
        met &= ok
        print(
            f"{language:<10}{c['flags']:>6}{c['benign']:>7}{_pct(recall):>10}"
            f"{_pct(precision):>13}{_pct(fpr):>11}  {'met' if ok else 'MISSED'}"
        )
    for language in sorted(result["languages"]):
        c = result["languages"][language]
        if c["negated"]:
            print(
                f"{language:<10}negated mentions (expected to fire, not in recall or FP): "
                f"{c['negated']}, fired {c['negated_fired']}, marked may be negated "
                f"{c['negated_marked']}"
            )
    print(f"\n{'concept':<22}{'flags':>6}{'caught':>7}{'recall %':>10}{'given':>7}{'prec. %':>9}")
    for concept in sorted(result["concepts"]):
        c = result["concepts"][concept]
        recall = _pct(_ratio(c["caught"], c["flags"]))
        precision = _pct(_ratio(c["given_right"], c["given"]))
        print(
            f"{concept:<22}{c['flags']:>6}{c['caught']:>7}{recall:>10}{c['given']:>7}{precision:>9}"
        )
    if details:
        print(f"\nmisses ({len(result['misses'])}):")
        for example, hits in result["misses"]:
            got = ", ".join(f"{h.concept}[{h.phrase}]" for h in hits) or "nothing"
            print(f"  {example.file}:{example.row} [{example.expected}] {example.text!r} → {got}")
        for example, hits in result["negated_misses"]:
            got = ", ".join(f"{h.concept}[{h.phrase}]" for h in hits) or "nothing"
            where = f"{example.file}:{example.row}"
            print(f"  negated {where} [{example.expected}] {example.text!r} → {got}")
        print(f"false alarms ({len(result['false_alarms'])}):")
        for example, hits in result["false_alarms"]:
            got = ", ".join(
                f"{h.concept}[{h.phrase}]{' (may be negated)' if h.negated else ''}" for h in hits
            )
            print(f"  {example.file}:{example.row} {example.text!r} → {got}")
        print(f"set aside by the context layer ({len(result['set_aside'])} texts):")
        for example, reasons in result["set_aside"]:
            why = "; ".join(
                dict.fromkeys(f"{r.concept}[{r.phrase}] {r.frame}: {r.cue!r}" for r in reasons)
            )
            print(f"  {example.file}:{example.row} [{example.expected}] {example.text!r} → {why}")
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "held-out", "total", "all"), default="all")
    parser.add_argument("--gate", choices=("dev", "held-out", "total"), default="total")
    parser.add_argument("--quiet", action="store_true", help="tables only, no lists")
    parser.add_argument(
        "--round",
        nargs="+",
        type=Path,
        metavar="TSV",
        help="score these files instead (a new blind round, each file on its own; not gated)",
    )
    parser.add_argument(
        "--rules-only", action="store_true", help="the rules alone, without the learned model"
    )
    args = parser.parse_args()
    global WITH_MODEL
    WITH_MODEL = not args.rules_only
    if args.round:
        matcher = detector()
        for path in args.round:
            print("=" * 78)
            print(f"round file: {path}")
            report(path.name, evaluate(matcher, load_file(path)), details=not args.quiet)
        return 0

    examples = load()
    matcher = detector()
    splits = {
        "dev": [e for e in examples if e.split == "dev"],
        "held-out": [e for e in examples if e.split == "held-out"],
        "total": examples,
    }
    shown = list(splits) if args.split == "all" else [args.split]
    line = "=" * 78
    print(line)
    print(
        "SUMMARY  bench/red_flags_eval.py  (escalations/redflags, built-in concepts"
        + (", rules only)" if args.rules_only else ", rules then the learned model)")
    )
    print(line)
    flags = sum(e.expected != NONE and not e.negated for e in examples)
    negated = sum(e.negated for e in examples)
    print(
        f"corpus: {len(examples)} texts ({flags} flags, {negated} negated mentions, "
        f"{len(examples) - flags - negated} benign); "
        f"dev {len(splits['dev'])}, held-out {len(splits['held-out'])} (every "
        f"{HOLD_OUT_EVERY}th row of each file)"
    )
    print(f"targets per language: recall >= {RECALL_TARGET:.0%}, FP rate <= {FPR_TARGET:.0%}")
    met = {}
    for name in shown:
        met[name] = report(name, evaluate(matcher, splits[name]), details=not args.quiet)
    if BLIND.exists() and args.split == "all":
        blind = load_file(BLIND)
        blind_flags = sum(e.expected != NONE and not e.negated for e in blind)
        print(line)
        print(
            f"blind set: {BLIND.relative_to(ROOT)}, {len(blind)} texts ({blind_flags} flags); "
            "reported, not gated"
        )
        report("blind", evaluate(matcher, blind), details=not args.quiet)
    gate = args.gate if args.gate in met else shown[-1]
    passed = met[gate]
    print(line)
    print(f"RESULT ({gate}): {'PASS' if passed else 'FAIL'}")
    print(line)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
