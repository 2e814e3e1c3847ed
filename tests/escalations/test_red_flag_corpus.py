"""The evaluation corpus (escalations/redflags/data/red_flag_corpus/*.tsv) and its targets,
scored the way bench/red_flags_eval.py scores it (that script prints the full report)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from escalations.redflags import concept_kinds

ROOT = Path(__file__).resolve().parents[2]


def _bench():
    spec = importlib.util.spec_from_file_location(
        "red_flags_eval", ROOT / "bench/red_flags_eval.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


bench = _bench()


@pytest.fixture(scope="module")
def examples():
    return bench.load()


@pytest.fixture(scope="module")
def result(examples):
    return bench.evaluate(bench.detector(), examples)


def test_the_corpus_is_large_and_covers_every_concept(examples):
    flags = [e for e in examples if e.expected != bench.NONE and not e.negated]
    benign = [e for e in examples if e.expected == bench.NONE]
    assert len(examples) >= 400
    assert len(flags) >= 150 and len(benign) >= 150
    assert {e.language for e in examples} == {"en", "es"}
    for language in ("en", "es"):
        assert sum(e.language == language for e in flags) >= 60
        assert sum(e.language == language for e in benign) >= 60
    assert {e.expected for e in flags} == set(concept_kinds())
    for concept in concept_kinds():
        assert sum(e.expected == concept for e in flags) >= 10, concept
    assert any(bench.SEPARATOR in e.text for e in flags), "no flag split over messages"
    texts = [e.text for e in examples]
    assert len(texts) == len(set(texts)), "a corpus text is listed twice"


def test_a_quarter_is_held_out(examples):
    held_out = [e for e in examples if e.split == "held-out"]
    assert 0.2 <= len(held_out) / len(examples) <= 0.3


def _rates(result, language):
    counts = result["languages"][language]
    return (
        counts["caught"] / counts["flags"],
        counts["false_positive"] / counts["benign"],
    )


@pytest.fixture(scope="module")
def dev(examples):
    return bench.evaluate(bench.detector(), [e for e in examples if e.split == "dev"])


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_dev_part_meets_both_targets(dev, language):
    recall, false_positive_rate = _rates(dev, language)
    assert recall >= bench.RECALL_TARGET, [m[0].text for m in dev["misses"]]
    assert false_positive_rate <= bench.FPR_TARGET, [f[0].text for f in dev["false_alarms"]]


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_recall_target_is_met_on_the_whole_corpus(result, language):
    recall, _ = _rates(result, language)
    assert recall >= bench.RECALL_TARGET, [m[0].text for m in result["misses"]]


@pytest.mark.parametrize(
    "language",
    ["en", "es"],
)
def test_the_false_positive_target_on_the_whole_corpus(result, language):
    _, false_positive_rate = _rates(result, language)
    assert false_positive_rate <= bench.FPR_TARGET, [f[0].text for f in result["false_alarms"]]


# --- negated mentions: the policy says they fire, marked "may be negated" -------------------------


def test_negated_mentions_are_labelled_with_their_concept(examples):
    negated = [e for e in examples if e.negated]
    assert negated, "the corpus has texts that negate a red-flag symptom"
    assert all(e.expected in concept_kinds() for e in negated)


def test_negated_mentions_fire_marked_may_be_negated(examples):
    matcher = bench.detector()
    for example in (e for e in examples if e.negated):
        hits = [h for h in bench.detect(matcher, example) if h.concept == example.expected]
        assert hits, example.text
        assert all(hit.negated for hit in hits), example.text


def test_negated_mentions_are_not_in_recall_or_false_positives(result):
    for counts in result["languages"].values():
        total = counts["flags"] + counts["benign"] + counts["negated"]
        assert counts["negated_fired"] <= counts["negated"] < total


# --- the blind set: texts in other styles, each round measured before tuning ----------------------


@pytest.fixture(scope="module")
def blind():
    return bench.load_file(bench.BLIND)


def test_the_blind_set_covers_every_concept_in_both_languages(blind):
    flags = [e for e in blind if e.expected != bench.NONE and not e.negated]
    assert len(flags) >= 120 and sum(e.expected == bench.NONE for e in blind) >= 80
    for language in ("en", "es"):
        assert {e.expected for e in flags if e.language == language} == set(concept_kinds())
    assert any(e.negated for e in blind)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_blind_set_meets_both_targets_now(blind, language):
    """A regression guard once tuned on: its first-measured numbers (bench/README.md) are the
    honest estimate on unseen text, not this."""
    result = bench.evaluate(bench.detector(), blind)
    recall, false_positive_rate = _rates(result, language)
    assert recall >= bench.RECALL_TARGET, [m[0].text for m in result["misses"]]
    assert false_positive_rate <= bench.FPR_TARGET, [f[0].text for f in result["false_alarms"]]
