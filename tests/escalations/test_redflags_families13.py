"""escalations.redflags: the families added after round 13 (``families13.py``) and the frames
of ``asides13.py``. Each text is new wording (in no data file), in both languages; each kind has
benign neighbours that must stay quiet, and a real flag next to a new frame's cue still fires.
Pure Python: no database."""

from __future__ import annotations

import pytest

from escalations.redflags import CONCEPTS, Matcher
from escalations.redflags.asides13 import ROUND13_FRAMES
from escalations.redflags.context import _FRAMES
from escalations.redflags.families13 import (
    ROUND13_CLASSES,
    ROUND13_EXPRESSIONS,
    ROUND13_IDIOMS,
    ROUND13_PATTERNS,
)
from escalations.redflags.vocabulary import CLASSES, EXPRESSIONS, IDIOMS


@pytest.fixture(scope="module")
def concepts() -> Matcher:
    return Matcher(concepts={concept.id: concept.id for concept in CONCEPTS})


def found(matcher: Matcher, text: str) -> set[str]:
    return {hit.concept for hit in matcher.find(text)}


def test_the_round_13_families_and_frames_are_merged():
    for name in ROUND13_CLASSES:
        assert name in CLASSES
    for name, runs in ROUND13_EXPRESSIONS.items():
        assert set(runs) <= set(EXPRESSIONS[name])
    assert set(ROUND13_IDIOMS) <= set(IDIOMS)
    by_id = {concept.id: concept for concept in CONCEPTS}
    for concept_id, patterns in ROUND13_PATTERNS.items():
        classes = {pattern.classes for pattern in by_id[concept_id].patterns}
        assert {pattern[0] for pattern in patterns} <= classes
    assert set(ROUND13_FRAMES) <= set(_FRAMES)


NEW_WORDING = [
    (
        "our 10 month old has had a temp of 39.5 since lunch and is so floppy in my arms",
        "infant_fever",
    ),
    ("grandson 5mo running a fever, limp and not feeding at all today", "infant_fever"),
    ("la bebita de 8 meses tiene fiebre, esta muy decaida y no quiere el pecho", "infant_fever"),
    (
        "my little one has spots that dont fade when i roll a glass over them, and a fever",
        "infant_fever",
    ),
    (
        "el bebe tiene unos puntitos que no se quitan cuando presiono un vaso, "
        "esta hirviendo en fiebre",
        "infant_fever",
    ),
    ("his fontanelle looks like it's bulging and he has a fever", "infant_fever"),
    ("le noto la fontanela hinchada y tiene calentura", "infant_fever"),
    ("my 6wk old feels hot, thermometer says 38.1", "infant_fever"),
    ("please cancel all my future appointments, i wont be needing them", "suicide_self_harm"),
    ("cancelame todas mis citas por favor, ya no las necesito", "suicide_self_harm"),
    (
        "cancel all of my appointments. ive made my decision and im at peace with it",
        "suicide_self_harm",
    ),
    (
        "my brother has been giving away all his things and told me sorry for everything",
        "suicide_self_harm",
    ),
    ("mi papa anda regalando todas sus cosas y dice que todos estarian mejor", "suicide_self_harm"),
    ("quisiera no despertar nunca mas", "suicide_self_harm"),
    ("honestly i just want to go to sleep and never wake up", "suicide_self_harm"),
    ("mi hijo se atraganto con un caramelo y no puede hablar", "breathing"),
    (
        "my son is making a squeaky sound every time he tries to breathe in after a peanut",
        "breathing",
    ),
    ("la nena hace un sonido agudo cuando respira desde que se metio una canica", "breathing"),
    ("bad asthma and my puffer isnt working at all", "breathing"),
    ("mi hija con asma, el inhalador no le funciona y le cuesta", "breathing"),
    (
        "my sister took a bunch of valium and now she's out of it and hard to keep awake",
        "overdose_poisoning",
    ),
    ("mi tio se tomo unos clonazepam con cerveza y no se mantiene despierto", "overdose_poisoning"),
    ("dad with alzheimers swallowed his whole pill organizer in one go", "overdose_poisoning"),
    ("would it hurt to take 15 paracetamol? i already took them an hour ago", "overdose_poisoning"),
    ("my toddler drank the cough syrup, the bottle is empty", "overdose_poisoning"),
    ("la nena se comio una pastilla para la diabetes del abuelo", "overdose_poisoning"),
    ("the cut on his scalp is bleeding through the bandage and the towel", "severe_bleeding"),
    ("la herida de la cesarea sangra y atraviesa la gasa", "severe_bleeding"),
    ("the loo was full of blood when i went this morning", "severe_bleeding"),
    ("el excusado quedo lleno de sangre despues de evacuar", "severe_bleeding"),
    ("covered in hives after a bee sting and feeling faint", "anaphylaxis"),
    (
        "me salieron ronchas por todos lados y me estoy mareando mucho, como que me desmayo",
        "anaphylaxis",
    ),
    ("after the shrimp my tongue feels too big and my voice is weird", "anaphylaxis"),
    ("she's 8 months along and just had a seizure in the kitchen", "pregnancy"),
    ("mi novia esta de 6 meses y le dio una convulsion", "pregnancy"),
    ("34 weeks and the baby is moving much less than usual today", "pregnancy"),
    ("started a new antibiotic yesterday and my lips are swelling up", "new_med_allergy"),
    ("new blood pressure medication and now wheezing badly", "new_med_allergy"),
    ("me recetaron un medicamento nuevo y ahora no puedo tragar bien", "new_med_allergy"),
    ("kidney infection, shaking with rigors and i havent peed since last night", "sepsis"),
    ("mi mama con infeccion de orina, fiebre, y no puede pensar bien", "sepsis"),
    (
        "grandad grabbed his chest at dinner, says it's like a tight band, and he's sweating",
        "cardiac",
    ),
    ("her left arm isnt working and she keeps mixing up her words", "stroke"),
    ("mi abuelo de repente confunde las palabras", "stroke"),
    ("my nephew had a fit and he's confused and sleepy now", "seizure_unconscious"),
    ("my son had a fit this morning, never had one before", "seizure_unconscious"),
    ("man in the shop fell to the floor and started jerking", "seizure_unconscious"),
    ("a mi hermano le dio un ataque y lleva 4 minutos temblando", "seizure_unconscious"),
]

BENIGN_NEIGHBOURS = [
    "our 10 month old is teething and a bit grumpy, can we book a check",
    "mi bebe de 9 meses ya gatea, cuando le toca la vacuna",
    "can you cancel my appointment on friday, i wont need it, the rash cleared",
    "cancel all my appointments please, im moving to leeds next month",
    "my mum is giving her stuff away to charity before she moves into a smaller flat",
    "i filled my pill organiser for the whole week at once, is that ok?",
    "my knee dressing needs changing, when can the nurse do it",
    "I bled through my plaster a little after the blood test, it's fine now",
    "the toilet is full of water after the plumber came, can i reschedule",
    "can i get a new puffer, mine is nearly empty",
    "my wife is 7 months along, can we book the whooping cough jab",
    "i blacked out the dates i'm away on the shared calendar",
    "my heart stopped when i saw the price of parking lol",
    "se me detuvo el corazon al ver la cuenta del hospital jaja",
    "he had a fit when i took his tablet away, typical 3 year old",
    "el bebe se mueve mucho, 30 semanas, es normal?",
    "the new pain killer is working well, thanks",
    "dad had his heart attack in march, can we get a copy of the discharge letter",
    "fui a que me sacaran sangre y como siempre me desmaye al ver la aguja jaja, hay otra forma?",
    "my baby is 9 months, fever 38, a bit grumpy but eating",
    "mi bebe de 6 meses tiene fiebre de 38, come bien",
    "my 9mo has a fever, is calpol ok",
]

SET_ASIDE = [
    "my daughter had a febrile seizure when she was 1, she's 4 now, is she at risk at nursery",
    "tuvo convulsiones por fiebre a los 3 anos, ahora tiene 9, puede ir al campamento",
    "my father had his stroke back in october, is there a support group",
    "mi mama tuvo el infarto en marzo, necesito el resumen para el seguro",
    "every time i get a blood test i faint at the needle, can i lie down",
    "cada vez que me ponen una inyeccion me desmayo, es normal?",
    "does my plan pay for a sleep study? my husband says i stop breathing when i snore",
    "going to get my ears pierced next week, will it bleed much on blood thinners? just curious",
    "cancel all my appointments, i wont need them, im moving to another clinic closer to home",
    "overdosed on chocolate this weekend lol, when is my next weigh in",
]

STILL_FIRES = [
    (
        "she had a seizure when she was 2, she's 5 now and is having another one right now",
        "seizure_unconscious",
    ),
    ("had a seizure when he was 3, he's 7 now and it's happening again", "seizure_unconscious"),
    ("im due in january and bleeding heavily", "severe_bleeding"),
    ("he had a stroke in january and now his face is drooping", "stroke"),
    (
        "fainted at the needle last time and now im fainting again and cant get up",
        "seizure_unconscious",
    ),
    ("my baby has apnea and stopped breathing and went blue", "breathing"),
    (
        "does insurance cover a sleep study? he snores, stopped breathing tonight and wont wake up",
        "seizure_unconscious",
    ),
    ("just wondering, is it normal to soak 3 pads an hour after birth", "severe_bleeding"),
    ("overdosed on caffeine pills, heart racing and shaking", "overdose_poisoning"),
    (
        "cancel all my appointments, im moving on, i wont need them, i want to die",
        "suicide_self_harm",
    ),
    ("my toddler had a fit and now he is shaking all over", "seizure_unconscious"),
    ("my son had a seizure when he was 2, he's 6 now and seizing", "seizure_unconscious"),
    (
        "cancel all my appointments, i wont need them, im moving to a better place",
        "suicide_self_harm",
    ),
    ("my son overdosed on his meds and then drank a coffee", "overdose_poisoning"),
    ("i had a stroke in january and today my arm went numb", "stroke"),
]


@pytest.mark.parametrize(("text", "concept"), NEW_WORDING)
def test_new_wording_of_each_round_13_kind_is_found(concepts, text, concept):
    assert concept in found(concepts, text)


@pytest.mark.parametrize("text", BENIGN_NEIGHBOURS)
def test_benign_neighbours_of_the_round_13_kinds_stay_quiet(concepts, text):
    assert found(concepts, text) == set()


@pytest.mark.parametrize("text", SET_ASIDE)
def test_the_round_13_frames_set_the_match_aside(concepts, text):
    set_aside: list = []
    assert concepts.find_in_messages([text], set_aside=set_aside) == []
    assert set_aside


@pytest.mark.parametrize(("text", "concept"), STILL_FIRES)
def test_a_real_flag_next_to_a_round_13_frame_cue_still_fires(concepts, text, concept):
    assert concept in found(concepts, text)


def test_a_plain_fever_in_an_older_baby_is_still_no_infant_fever(concepts):
    # the older baby's age counts only with a sign of serious illness (families13.py)
    assert "infant_fever" not in found(concepts, "mi bebe de 10 meses tiene fiebre de 38.5")
    assert "infant_fever" in found(
        concepts, "mi bebe de 10 meses tiene fiebre de 38.5 y esta muy flojito"
    )
