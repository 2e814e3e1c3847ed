"""escalations.redflags: the composed patterns of issue 15's third pass (``composed.py`` has the
classes): self-harm as a means with a farewell, a symptom with a severity or urgency cue, and
described signs. Each flag here is new wording (not a blind-set text); each has a benign
neighbour that must stay quiet. Pure Python: no database."""

from __future__ import annotations

import pytest

from escalations.redflags import CONCEPTS, Matcher
from escalations.redflags.vocabulary import CLASSES, EXPRESSIONS


@pytest.fixture(scope="module")
def concepts() -> Matcher:
    return Matcher(concepts={concept.id: concept.id for concept in CONCEPTS})


def found(matcher: Matcher, text: str) -> set[str]:
    return {hit.concept for hit in matcher.find(text)}


def test_the_composed_classes_are_merged_into_the_vocabulary():
    for name in ("MEANS", "FINALITY", "GO_ON", "URGENT", "ALLERGEN", "STOOL", "FLOW"):
        assert name in CLASSES
    assert "no way out" in EXPRESSIONS["FINALITY"]
    assert "too many" in EXPRESSIONS["EXCESS"]  # the vocabulary's own runs are kept


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        # a means of self-harm with a farewell or the end of the road
        ("bought a rope today. i'm done.", "suicide_self_harm"),
        ("the gun is in the drawer and i already said goodbye to my sister", "suicide_self_harm"),
        ("tengo la pistola aqui, ya no aguanto", "suicide_self_harm"),
        ("saved up my pills, this is the end", "suicide_self_harm"),
        ("honestly there's no reason to carry on anymore", "suicide_self_harm"),
        ("no le encuentro razon para seguir", "suicide_self_harm"),
        # a symptom with an urgency or severity cue
        ("my chest aches, should i call 911", "cardiac"),
        ("breathing is really bad, going to the ER", "breathing"),
        ("he's bleeding from the head, ambulance is coming", "severe_bleeding"),
        ("sliced my thumb and blood is streaming out", "severe_bleeding"),
        ("took my pills twice by mistake, doubled the dose", "overdose_poisoning"),
        ("se tomo sus pastillas y no sabemos cuantas", "overdose_poisoning"),
        ("took my sleeping pills with a few beers", "overdose_poisoning"),
        # described signs
        ("poop looks black like tar since this morning", "severe_bleeding"),
        ("ate cashew chicken, lips and eyes swelling now", "anaphylaxis"),
        ("una avispa me pico y se me esta inflando la mano y la cara", "anaphylaxis"),
        ("23 weeks, cramping really bad and i almost fainted", "pregnancy"),
        ("i don't feel the baby moving today at all, 35 weeks", "pregnancy"),
        ("fever since yesterday and my heart is racing nonstop", "sepsis"),
        ("a mi hija le silba el pecho cuando respira", "breathing"),
        ("no puedo agarrar aire", "breathing"),
        # after round 7's held-back half was measured: its three English misses, as classes
        ("left jaw and shoulder aching, think i might black out", "cardiac"),
        ("el nebulizador no le esta ayudando y tiene asma", "breathing"),
        ("red streak spreading up my leg from the cut and a fever", "sepsis"),
    ],
)
def test_a_composed_pattern_fires(concepts, text, concept):
    assert concept in found(concepts, text), text


@pytest.mark.parametrize(
    "text",
    [
        "i'm done with my physical therapy, thanks for everything",
        "picked up my pills, ready for pickup said the text",
        "can i bring my knife collection to the waiting room? kidding",
        "the bridge to the parking lot is closed",
        "we went to the ER last year for a sprained ankle, need the bill",
        "i'm allergic to peanuts, please note it",
        "stool sample kit, where do i drop it off",
        "mi bebe de 8 meses ya gatea",
        "tengo 30 semanas y todo va bien",
        "my asthma is well controlled, need an inhaler refill",
    ],
)
def test_a_benign_neighbour_stays_quiet(concepts, text):
    assert found(concepts, text) == set(), text
