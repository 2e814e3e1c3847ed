"""escalations.redflags: the classes of wording added for text nobody on the team had seen
(issue 15, the blind set): four-letter typos, Spanish diminutives, the "OD'd" shorthand,
descriptive and third-person wording, infants by age, a named year as history, and the idiom
classes that keep look-alikes quiet. Pure Python: no database."""

from __future__ import annotations

import pytest

from escalations.redflags import CONCEPTS, Matcher, normalize
from escalations.redflags.matcher import _base
from escalations.redflags.normalize import diminutive_bases
from escalations.redflags.vocabulary import NOT_TYPOS


@pytest.fixture(scope="module")
def concepts() -> Matcher:
    return Matcher(concepts={concept.id: concept.id for concept in CONCEPTS})


def found(matcher: Matcher, text: str) -> set[str]:
    return {hit.concept for hit in matcher.find(text)}


# --- four-letter typos: a dropped letter only, never a common word -----------------------------


def test_every_four_letter_word_the_typo_rule_takes_is_listed_or_not_a_word():
    """The rule's whole reach, printed and reviewed: a four-letter word read as a typo is one
    letter short of a vocabulary word, and the common words it would take are in NOT_TYPOS."""
    index = _base()
    for word in ("hear", "heat", "door", "bean", "como", "mata", "toma", "share", "though"):
        assert word in NOT_TYPOS
        assert index.classes_of(word) == ()
    typo = index.classes_of("ches")
    assert typo and all(is_typo for *_, is_typo in typo)


def test_a_four_letter_typo_is_marked_as_a_typo(concepts):
    (hit,) = concepts.find("ches pain tonight")
    assert hit.concept == "cardiac" and hit.typo


# --- word forms -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "base"),
    [("dolorcito", "dolor"), ("pechito", "pecho"), ("boquita", "boca"), ("manitas", "manas")],
)
def test_spanish_diminutives_reach_their_base(word, base):
    assert base in diminutive_bases(word)


def test_a_diminutive_matches_like_its_base(concepts):
    assert found(concepts, "tengo un dolorcito en el pechito") == {"cardiac"}
    assert diminutive_bases("ito") == []  # too short to be a diminutive


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("my roommate OD'd", "my roommate overdosed"),
        ("he OD\u2019ed last night", "he overdosed last night"),
        ("she is OD'ing", "she is overdosing"),
        ("he oded", "he overdosed"),
        ("this rash looks odd", "this rash looks odd"),  # "odd" is a word
        ("I coded it", "i coded it"),
    ],
)
def test_the_overdose_shorthand_is_written_out(text, normal):
    assert normalize(text) == normal


# --- descriptive, third-person and question wording ------------------------------------------


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("feels like an elephant is sitting on my chest", "cardiac"),
        ("theres this weight on my chest rn", "cardiac"),
        ("is it normal that my chest has been kinda pressing on me all night?", "cardiac"),
        ("half my face wont move", "stroke"),
        ("his words are coming out funny", "stroke"),
        ("my moms face looks different on one side", "stroke"),
        ("no siento el brazo", "stroke"),
        ("my husband woke up and cant speak", "stroke"),
        ("he cant finish a sentence, wheezing so bad", "breathing"),
        ("it feels like breathing through a straw", "breathing"),
        ("her lips are turning grey", "breathing"),
        ("whats the point of living anymore", "suicide_self_harm"),
        ("my brother says hes gonna end it", "suicide_self_harm"),
        ("i just want to go to sleep forever", "suicide_self_harm"),
        ("he doesnt want to be here", "suicide_self_harm"),
        ("i think my roommate OD'd", "overdose_poisoning"),
        ("creo q me pase con las pastillas, me tome como 15", "overdose_poisoning"),
        ("no me para la sangre de la herida", "severe_bleeding"),
        ("im bleeding through a pad every hour", "severe_bleeding"),
        ("covered in welts and wheezing", "anaphylaxis"),
        ("37 weeks and theres fluid leaking", "pregnancy"),
        ("the baby hasnt kicked since yesterday", "pregnancy"),
        ("my 2 month old is burning up", "infant_fever"),
        ("mi nena de 1 mes esta con calentura", "infant_fever"),
        ("fever of 103 and i can barely stay awake", "sepsis"),
        ("se me cierra la garganta x q tome la medicina nueva", "new_med_allergy"),
        ("my son is shaking all over and not responding", "seizure_unconscious"),
        ("mi esposo de repente ve doble", "stroke"),
        ("my baby is grunting with every breath", "breathing"),
        ("my friend told me shes planning to take her life", "suicide_self_harm"),
        ("i think i took it 3 times today by mistake", "overdose_poisoning"),
        ("pregnant and i feel the baby moving less and less", "pregnancy"),
        ("my daughter is twitching and staring", "seizure_unconscious"),
        ("i have nothing left to live for", "suicide_self_harm"),
        ("my husband mixed his oxycodone with a lot of alcohol", "overdose_poisoning"),
    ],
)
def test_described_symptoms_are_found(concepts, text, concept):
    assert concept in found(concepts, text)


# --- infants by age -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "mi bebe tiene 2 anos y tiene fiebre de 37.8",
        "my baby is 18 months and has a fever",
        "my 10 month old has a fever",
        "my baby is 3 and has a fever, what dose of tylenol",
    ],
)
def test_an_older_babys_fever_is_not_an_infants(concepts, text):
    assert "infant_fever" not in found(concepts, text)


# --- history --------------------------------------------------------------------------------------


def test_a_named_year_right_after_a_match_is_history(concepts):
    assert found(concepts, "i had a heart attack in 2015 and want to update my history") == set()
    assert found(concepts, "mi papa tuvo un infarto en 2019") == set()
    assert found(concepts, "a heart attack in 2015 and now chest pain again") == {"cardiac"}


# --- idiom classes: look-alikes that must not fire, and the flag next to them that must ----------


@pytest.mark.parametrize(
    "text",
    [
        "i was laughing so hard i couldnt breathe lol",
        "me quedo sin aire de tanto reir",
        "breathe easy, the refund went through",
        "it's hard to breathe easy with all these charges",
        "what a sigh of relief",
        "i want to die my hair before the trip",
        "can i die it blue for halloween",
        "need a refill on my seizure medication",
        "i had a seizure medication refill request pending",
        "my husband is taking a first aid class about strokes",
        "that movie about a heart attack survivor was so good",
        "i choked up during the call",
        "i got a rash from poison ivy, just itchy",
        "me ahogo en papeles con el seguro jaja",
        "i passed out on the couch after work lol",
        "i nearly had a heart attack when i saw the price lol",
        "casi me da un infarto cuando vi la factura",
        "my kid is choking on his words when he tries to lie",
        "i cut myself shaving this morning",
    ],
)
def test_idiom_classes_do_not_fire(concepts, text):
    assert found(concepts, text) == set()


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("i cant breathe", "breathing"),
        ("i want to die", "suicide_self_harm"),
        ("had a seizure, the medication is not working", "seizure_unconscious"),
        ("he passed out on the floor", "seizure_unconscious"),
        ("my throat is closing, i choked on nothing", "anaphylaxis"),
    ],
)
def test_the_flag_next_to_an_idiom_still_fires(concepts, text, concept):
    assert concept in found(concepts, text)
