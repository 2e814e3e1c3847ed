"""escalations.redflags: the families added after round 12 (``families12.py``) and the frames
of ``asides.py``. Each text is new wording (in no data file), in both languages; each kind has
benign neighbours that must stay quiet, and a real flag next to a new frame's cue still fires.
Pure Python: no database."""

from __future__ import annotations

import pytest

from escalations.redflags import CONCEPTS, Matcher
from escalations.redflags.asides import ASIDE_FRAMES
from escalations.redflags.context import _FRAMES
from escalations.redflags.families12 import (
    ROUND12_CLASSES,
    ROUND12_EXPRESSIONS,
    ROUND12_IDIOMS,
    ROUND12_PATTERNS,
)
from escalations.redflags.vocabulary import CLASSES, EXPRESSIONS, IDIOMS


@pytest.fixture(scope="module")
def concepts() -> Matcher:
    return Matcher(concepts={concept.id: concept.id for concept in CONCEPTS})


def found(matcher: Matcher, text: str) -> set[str]:
    return {hit.concept for hit in matcher.find(text)}


def test_the_round_12_families_and_frames_are_merged():
    for name in ROUND12_CLASSES:
        assert name in CLASSES
    for name, runs in ROUND12_EXPRESSIONS.items():
        assert set(runs) <= set(EXPRESSIONS[name])
    assert set(ROUND12_IDIOMS) <= set(IDIOMS)
    by_id = {concept.id: concept for concept in CONCEPTS}
    for concept_id, patterns in ROUND12_PATTERNS.items():
        classes = {pattern.classes for pattern in by_id[concept_id].patterns}
        assert {pattern[0] for pattern in patterns} <= classes
    assert set(ASIDE_FRAMES) <= set(_FRAMES)


NEW_WORDING = [
    # a young infant by its age, with a fever word or a number
    ("my grandson is 5 weeks old and he feels really hot, 38.4 under the arm", "infant_fever"),
    ("she is 3 days old and her temp is 100.6", "infant_fever"),
    ("mi nieto tiene 12 dias y lo siento calientito y muy dormido", "infant_fever"),
    ("la nena de 3 semanas amanecio con 38.3 y no quiere comer", "infant_fever"),
    ("he was born last week and tonight he's burning up and won't feed", "infant_fever"),
    # a farewell told as thanks or a last message; a means with "won't be around"
    ("thank you for everything, this is my last message to anyone", "suicide_self_harm"),
    ("gracias por todo lo que hizo, ya no va a tener que verme", "suicide_self_harm"),
    ("mi ultimo mensaje: no fue su culpa, usted hizo lo que pudo", "suicide_self_harm"),
    (
        "my wife left a note saying she is sorry for everything and her car is gone",
        "suicide_self_harm",
    ),
    ("won't be around much longer, the gun is in the glovebox", "suicide_self_harm"),
    ("i keep thinking about jumping in front of a bus on my way to work", "suicide_self_harm"),
    ("quiero tirarme a las vias cuando pase el tren", "suicide_self_harm"),
    ("ive been saving up my oxycodone, going to take all of them", "suicide_self_harm"),
    ("tengo guardados los calmantes y esta noche me los tomo", "suicide_self_harm"),
    ("ya lo decidi, tengo las pastillas en la mano", "suicide_self_harm"),
    ("what would happen if i swallowed all of my sleeping pills", "suicide_self_harm"),
    ("que pasa si me tomo todas las pastillas de mi mama", "suicide_self_harm"),
    # choking: food stuck with no cough, speech or breath
    ("a grape is lodged in my son's throat and he cannot cough", "breathing"),
    ("se le atoro un pedazo de carne y no puede hablar ni toser", "breathing"),
    # an allergen's swelling; tree nuts
    ("my lips are blowing up and my voice sounds hoarse after the shrimp", "anaphylaxis"),
    ("ate a pistachio cookie, i'm allergic, and there's a lump in my throat", "anaphylaxis"),
    ("tengo los labios gordos y la lengua como dormida despues de las nueces", "anaphylaxis"),
    # pregnancy
    ("32 sem y me salio agua por las piernas de golpe", "pregnancy"),
    ("28 weeks and a gush of fluid just now", "pregnancy"),
    ("34 weeks, tightenings every 3 minutes since dinner", "pregnancy"),
    ("36 semanas y veo borroso con dolor de cabeza", "pregnancy"),
    ("estoy de 30 semanas y no siento que se mueva desde anoche", "pregnancy"),
    # sepsis after surgery or with a line
    ("had my c section 4 days ago, now shivering and confused and heart racing", "sepsis"),
    ("his picc line area is red and now he's shaking and confused", "sepsis"),
    ("la herida tiene pus y mi abuela no sabe ni donde esta", "sepsis"),
    # new medication
    ("me cambio al naproxeno ayer y tengo ronchas por todo el cuerpo", "new_med_allergy"),
    ("started on co-amoxiclav yesterday and woke up covered in hives", "new_med_allergy"),
    ("commenced on flucloxacillin, now an itchy rash all over", "new_med_allergy"),
    # overdose
    ("he snorted something at the party and now he won't wake up properly", "overdose_poisoning"),
    ("mi hermano se tomo algo y respira muy lento", "overdose_poisoning"),
    ("me puse 40 unidades de insulina en vez de 10", "overdose_poisoning"),
    (
        "my toddler found the pill bottle, ate about 12, thought they were candy",
        "overdose_poisoning",
    ),
    ("took 20 x co-codamol with wine", "overdose_poisoning"),
    # cardiac, stroke, seizure
    ("my jaw and arm have been aching and i'm sweaty and sick", "cardiac"),
    ("dolor en el esternon desde hace media hora", "cardiac"),
    ("my left side feels heavy since lunch", "stroke"),
    ("suddenly everything went double and i feel off balance", "stroke"),
    ("my son had a fit that lasted 4 minutes", "seizure_unconscious"),
    ("tuvo convulsiones y no recupera el conocimiento", "seizure_unconscious"),
]

BENIGN_NEIGHBOURS = [
    "my son is 2 months old, when can he have his shots",
    "el bebe de 2 meses tiene su cita de vacunas el lunes",
    "thank you for everything, the refund came through, have a great holiday",
    "gracias por todo doctora, la cita del martes me queda bien",
    "this is my last message about the bill, please call me instead",
    "my son stepped in front of a bus but the driver stopped, he's fine and we laughed",
    "a piece of meat is stuck in my throat but i can breathe and talk fine",
    "the bathroom had a gush of water from the pipe, can I reschedule",
    "dad had a fit when he saw the phone bill",
    "which box do i tick on the form",
    "im fit and my run lasted an hour, can i book a sports physical",
    "no fever, no cough, breathing fine, just a check-up please",
    "the tick bite on my leg is fine, just want it checked",
    "mi hija se trago un chicle, esta perfecta",
    "my baby swallowed a watermelon seed, should i worry",
    "my mom nearly fainted with joy lol - casi se desmaya de la emocion",
    "compresiones de pecho: cuantas por minuto en el curso de rcp",
    "every headache is a stroke for my mother, can she get reassurance",
    "he is breathing fine now after his nap, can I book a checkup",
    "¿cuantas pastillas son demasiadas? es para no pasarme, me duele la espalda",
    "perdon, la doctora me cambio la cita, cuando es ahora",
]

SET_ASIDE = [
    "my sister needs the signs of a stroke for her biology homework",
    "para la tarea de biologia necesito saber que es la sepsis",
    "watched a medical drama last night where a doctor had a seizure",
    "i saw a man collapse at the mall yesterday, how do i learn cpr",
    "vi a un senor desmayarse en el metro ayer, ¿dan cursos?",
    "what happens if i took my pills twice by mistake? it hasnt happened to me",
    "took my vitamin d tablet twice by accident this morning",
    "i used to cut myself in high school, it's been 10 years, can i get the scars looked at",
    "taking a first aid course next week - how many chest compressions per minute?",
]

STILL_FIRES = [
    ("i used to cut myself and last night i did it again, it's bleeding now", "suicide_self_harm"),
    ("my debts are making me want to jump off a bridge", "suicide_self_harm"),
    ("my toddler ate a whole bottle of gummy vitamins", "overdose_poisoning"),
    ("watched a movie last night, anyway he is having a seizure", "seizure_unconscious"),
    ("just watched him collapse on the floor", "seizure_unconscious"),
    ("im doing chest compressions on him, what else do i do", "cardiac"),
    ("she's not breathing ok what do i do", "breathing"),
    # suicidal words are never set aside by a mundane cause
    ("the wait on hold is making me want to jump off a bridge", "suicide_self_harm"),
    ("i want to die every time i wake up lol", "suicide_self_harm"),
    # the frames' cues are narrow
    ("ive been 3 years sober and relapsed and took 20 pills", "overdose_poisoning"),
    ("i used to take my pills with vodka and tonight i took 30 of them", "overdose_poisoning"),
    ("started a course of antibiotics and now hives all over my body", "new_med_allergy"),
    ("the drill went through his hand and blood is pouring out", "severe_bleeding"),
    (
        "what happens if i take all my sleeping pills tonight? it hasnt happened yet",
        "suicide_self_harm",
    ),
    (
        "i saw a man collapse yesterday and he is still unconscious on my couch",
        "seizure_unconscious",
    ),
    ("i saw my dad collapse yesterday and he is still not waking up", "seizure_unconscious"),
    ("what happens if i took 30 of my sleeping pills? please help", "overdose_poisoning"),
    ("daughter had a seizure at school first time ever", "seizure_unconscious"),
    (
        "everyone in the house has a headache and the dog is sick, we have the gas heater on",
        "overdose_poisoning",
    ),
]


@pytest.mark.parametrize(("text", "concept"), NEW_WORDING)
def test_new_wording_of_each_round_12_kind_is_found(concepts, text, concept):
    assert concept in found(concepts, text)


@pytest.mark.parametrize("text", BENIGN_NEIGHBOURS)
def test_benign_neighbours_of_the_round_12_kinds_stay_quiet(concepts, text):
    assert found(concepts, text) == set()


@pytest.mark.parametrize("text", SET_ASIDE)
def test_the_new_frames_set_the_match_aside(concepts, text):
    set_aside: list = []
    assert concepts.find_in_messages([text], set_aside=set_aside) == []
    assert set_aside


@pytest.mark.parametrize(("text", "concept"), STILL_FIRES)
def test_a_real_flag_next_to_a_new_frame_cue_still_fires(concepts, text, concept):
    assert concept in found(concepts, text)
