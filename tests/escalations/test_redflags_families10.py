"""escalations.redflags: the families added after round 10 (``families10.py``) and the frame
cues added with them. Each text is new wording (in no data file), in both languages; each kind
has benign neighbours that must stay quiet, and a real flag inside a new frame cue still fires.
Pure Python: no database."""

from __future__ import annotations

import pytest

from escalations.redflags import CONCEPTS, Matcher
from escalations.redflags.families10 import (
    ROUND10_CLASSES,
    ROUND10_EXPRESSIONS,
    ROUND10_IDIOMS,
    ROUND10_PATTERNS,
)
from escalations.redflags.vocabulary import CLASSES, EXPRESSIONS, IDIOMS


@pytest.fixture(scope="module")
def concepts() -> Matcher:
    return Matcher(concepts={concept.id: concept.id for concept in CONCEPTS})


def found(matcher: Matcher, text: str) -> set[str]:
    return {hit.concept for hit in matcher.find(text)}


def test_the_round_10_families_are_merged_into_the_vocabulary_and_the_concepts():
    for name in ROUND10_CLASSES:
        assert name in CLASSES
    for name, runs in ROUND10_EXPRESSIONS.items():
        assert set(runs) <= set(EXPRESSIONS[name])
    assert set(ROUND10_IDIOMS) <= set(IDIOMS)
    by_id = {concept.id: concept for concept in CONCEPTS}
    for concept_id, patterns in ROUND10_PATTERNS.items():
        classes = {pattern.classes for pattern in by_id[concept_id].patterns}
        assert {pattern[0] for pattern in patterns} <= classes


NEW_WORDING = [
    # weeks abbreviated, preterm contractions, months with a hard belly, a grandbaby
    ("28wks and bleeding bright red since lunch", "pregnancy"),
    ("estoy en la semana 26 y me sangra bastante", "pregnancy"),
    ("31 weeks and the contractions come every 4 minutes", "pregnancy"),
    ("mi hermana tiene 8 meses y la barriga se le puso dura como tabla y le duele", "pregnancy"),
    ("my grandbaby is 3 weeks old and feels hot, 38.4 on the thermometer", "infant_fever"),
    # self-harm without "myself"
    ("started cutting again last night, it went deeper than before", "suicide_self_harm"),
    ("I was carving into my arm again last night", "suicide_self_harm"),
    ("I burn my wrist with cigarettes again when it gets bad", "suicide_self_harm"),
    ("me quemo con el mechero otra vez, no puedo parar", "suicide_self_harm"),
    ("keep thinking of crashing my car on the highway, it's so tempting", "suicide_self_harm"),
    ("he estado juntando pastillas y hoy es el dia, terminar con todo", "suicide_self_harm"),
    # bleeding
    ("I can't stop the bleeding from his scalp", "severe_bleeding"),
    ("no puedo parar la sangre de la herida", "severe_bleeding"),
    ("the cut is soaking through the gauze, third one already", "severe_bleeding"),
    ("tosi sangre toda la noche", "severe_bleeding"),
    ("hice del bano con mucha sangre y estoy mareado", "severe_bleeding"),
    # poisoning
    ("se tomo 20 de las de dormir de su mama", "overdose_poisoning"),
    ("me tome 12 de las del corazon", "overdose_poisoning"),
    ("they fumigated the apartment and now the kids are vomiting and dizzy", "overdose_poisoning"),
    (
        "my dad was spraying pesticide in the orchard, now he's drooling and twitching",
        "overdose_poisoning",
    ),
    ("my 4yo got into the thc gummies and is really drowsy", "overdose_poisoning"),
    ("his pupils are pinpoint and he's barely breathing", "overdose_poisoning"),
    # allergy and new medication
    ("he ate a cookie at school and his eyes are swollen shut", "anaphylaxis"),
    ("soy alergico a la fresa y me comi una, tengo la voz ronca", "anaphylaxis"),
    ("started the new drops for his eyes and now his eyelids have a breakout", "new_med_allergy"),
    ("got my shot this morning and now I have hives all over", "new_med_allergy"),
    ("me vacunaron ayer y tengo ronchas en todo el cuerpo", "new_med_allergy"),
    ("le pusieron una inyeccion en el centro de salud y le salieron ronchas", "new_med_allergy"),
    # stroke, collapse, cardiac, sepsis
    ("se le fue la fuerza del brazo y tiene la lengua trabada", "stroke"),
    ("her smile is not the same on both sides since this morning", "stroke"),
    ("my uncle collapsed at the gym and isn't answering", "seizure_unconscious"),
    ("feels like a belt tightening around his chest, sweaty", "cardiac"),
    ("tiene infeccion urinaria y hoy no despierta bien", "sepsis"),
]


@pytest.mark.parametrize(("text", "concept"), NEW_WORDING)
def test_new_wording_of_each_round_10_kind_is_found(concepts, text, concept):
    assert concept in found(concepts, text), text


BENIGN_NEIGHBOURS = [
    "I stroke my dog's ears when he is anxious, does that help?",
    "my husband talks gibberish in his sleep, is that normal?",
    "bf said I was talking in my sleep, lol",
    "can I get a sick note for work, stuffy nose since Monday",
    "the farm sprays pesticide on Tuesdays, do you have a leaflet on safe storage?",
    "we are saving money for a new car",
    "got my flu shot today, can I take ibuprofen for the sore arm?",
    "me vacunaron ayer, me duele un poco el brazo, es normal?",
    "I switched from pills to a patch for my blood pressure, any tips?",
    "29 weeks, everything normal at the ultrasound, when is the next appointment?",
]


@pytest.mark.parametrize("text", BENIGN_NEIGHBOURS)
def test_benign_neighbours_of_the_round_10_kinds_stay_quiet(concepts, text):
    assert found(concepts, text) == set(), text


SET_ASIDE = [
    # a question for information, in Spanish, for school, first aid, a nursing student
    "cuales son las senales de un infarto? es para la escuela",
    "what is the first aid for someone choking? asking for a class",
    "nursing student here, what are the symptoms of sepsis",
    # history: "hace N años", last month
    "hace 10 anos tuve una hemorragia, necesito una copia de mi expediente",
    "I fainted last month at a wedding, do I need to tell the dentist?",
    # laughter over a team; a goal
    "my team choked in the final lol",
    "el portero casi me da un infarto con esa atajada",
]


@pytest.mark.parametrize("text", SET_ASIDE)
def test_the_new_frame_cues_set_the_match_aside(concepts, text):
    assert found(concepts, text) == set(), text


STILL_FIRES = [
    # a present cue, the own body, a person: the frame's exceptions keep the flag
    ("hace 2 anos tuve un infarto y ahora otra vez dolor en el pecho y sudor", "cardiac"),
    ("nursing student, my chest is crushing right now and my arm is numb", "cardiac"),
    ("my team lost lol but now I have crushing chest pain and I'm sweating", "cardiac"),
    ("I fainted last month and again today, twice this morning", "seizure_unconscious"),
]


@pytest.mark.parametrize(("text", "concept"), STILL_FIRES)
def test_a_real_flag_inside_a_new_frame_cue_still_fires(concepts, text, concept):
    assert concept in found(concepts, text), text
