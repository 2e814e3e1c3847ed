"""escalations.redflags: signs told in lay or broken words (``lay_signs.py``) and flags told
through their circumstances (``circumstances.py``), added after round 11. Each text is new
wording (in no data file), in both languages; each kind has benign neighbours that must stay
quiet. Pure Python: no database."""

from __future__ import annotations

import pytest

from escalations.redflags import CONCEPTS, Matcher
from escalations.redflags.circumstances import (
    CIRCUMSTANCE_CLASSES,
    CIRCUMSTANCE_EXPRESSIONS,
    CIRCUMSTANCE_PATTERNS,
)
from escalations.redflags.lay_signs import LAY_CLASSES, LAY_EXPRESSIONS, LAY_PATTERNS
from escalations.redflags.vocabulary import CLASSES, EXPRESSIONS


@pytest.fixture(scope="module")
def concepts() -> Matcher:
    return Matcher(concepts={concept.id: concept.id for concept in CONCEPTS})


def found(matcher: Matcher, text: str) -> set[str]:
    return {hit.concept for hit in matcher.find(text)}


@pytest.mark.parametrize(
    ("classes", "expressions", "patterns"),
    [
        (LAY_CLASSES, LAY_EXPRESSIONS, LAY_PATTERNS),
        (CIRCUMSTANCE_CLASSES, CIRCUMSTANCE_EXPRESSIONS, CIRCUMSTANCE_PATTERNS),
    ],
)
def test_the_families_are_merged_into_the_vocabulary_and_the_concepts(
    classes, expressions, patterns
):
    for name, (english, spanish) in classes.items():
        assert set(english.replace("=", "").split()) <= set(
            CLASSES[name][0].replace("=", "").split()
        )
        assert set(spanish.replace("=", "").split()) <= set(
            CLASSES[name][1].replace("=", "").split()
        )
    for name, runs in expressions.items():
        assert set(runs) <= set(EXPRESSIONS[name])
    by_id = {concept.id: concept for concept in CONCEPTS}
    for concept_id, added in patterns.items():
        present = {pattern.classes for pattern in by_id[concept_id].patterns}
        assert {pattern[0] for pattern in added} <= present


LAY_WORDING = [
    # a sudden head: exploded, never like this, light unbearable
    ("my head just exploded with pain out of nowhere", "stroke"),
    ("worst pain of my life in my head, i cant stand the light and threw up", "stroke"),
    ("de repente sentí como si me explotara la cabeza y no soporto la luz", "stroke"),
    ("nunca había sentido un dolor así en la cabeza, me molesta la luz y vomité", "stroke"),
    ("my head feels like it's going to explode, came on suddenly", "stroke"),
    ("sudden thunderclap in my head while on the toilet, never felt anything like it", "stroke"),
    # a side not one's own, mushy speech, a face that fell on one side
    ("my right arm feels like it belongs to someone else and my speech is thick", "stroke"),
    ("siento el lado izquierdo como si no fuera mío", "stroke"),
    ("her face fall down on one side, she no talk good", "stroke"),
    ("my mom's face fell on one side", "stroke"),
    ("his words are all mushy and slow", "stroke"),
    # cannot lie flat, whistling breath, a rescue that did nothing
    ("i can't lie flat at night, feel like im drowning", "breathing"),
    ("no puedo acostarme porque siento que me ahogo", "breathing"),
    ("my son makes a whistling sound when he breathes and his ribs pull in", "breathing"),
    ("used my inhaler 3 times and it did nothing, still wheezing", "breathing"),
    ("le puse el nebulizador y no le hizo nada, sigue con el pecho apretado", "breathing"),
    # pain that travels with sweating, a vice, a knife in the chest
    ("the pain goes up into my jaw and i'm drenched in sweat", "cardiac"),
    ("dolor que se va al brazo izquierdo y estoy sudando frío", "cardiac"),
    ("feels like my chest is in a vice", "cardiac"),
    ("siento como si me clavaran un cuchillo en el pecho", "cardiac"),
    # collapse
    ("we can't rouse him, he's breathing but floppy", "seizure_unconscious"),
    ("mi papá estuvo sin conocimiento unos minutos", "seizure_unconscious"),
    # allergy and new medication
    ("ate shrimp, face swelling, can't breathe", "anaphylaxis"),
    (
        "le recetaron ibuprofeno hace 2 días y hoy tiene habones por todo el cuerpo",
        "new_med_allergy",
    ),
    ("started a new antibiotic 3 days ago and now hives all over", "new_med_allergy"),
    # pupils, blood in the urine
    ("his pupils are tiny and he wont wake up", "overdose_poisoning"),
    ("tiene las pupilas enormes, está sudando y confundido", "overdose_poisoning"),
    ("peeing pure blood with clots", "severe_bleeding"),
    ("orino sangre con coágulos", "severe_bleeding"),
    # pregnancy: a rhythm before term, ectopic signs, a pressure as two numbers
    ("34 weeks and the pains come every 5 minutes", "pregnancy"),
    ("estoy de 30 semanas y la barriga se me pone dura, dolores cada 10 minutos", "pregnancy"),
    ("I'm 8 weeks pregnant with sharp pain on my left side and I feel faint", "pregnancy"),
    ("estoy de 6 semanas, me duele un lado de la panza y el hombro", "pregnancy"),
    ("32 weeks pregnant, bp 165 over 112 and a headache", "pregnancy"),
]

CIRCUMSTANCE_WORDING = [
    # someone else's pills, a mistake, an emptied organizer, twice
    (
        "my mom gave my dad her pills by mistake, now hes very drowsy and confused",
        "overdose_poisoning",
    ),
    ("mi hijo se tomó las pastillas de la abuela, está muy dormido", "overdose_poisoning"),
    ("my grandson ate some of grandpa's pills, he is 2", "overdose_poisoning"),
    ("I think I took my husband's pills by mistake, very dizzy now", "overdose_poisoning"),
    ("found my roommate with an empty bottle of pills, she is very drowsy", "overdose_poisoning"),
    (
        "took my blood pressure pills twice this morning and now i'm dizzy and throwing up",
        "overdose_poisoning",
    ),
    # a child who grabbed a poison, batteries, car fluids, a spiked drink, fumes
    ("he swallowed a button battery", "overdose_poisoning"),
    ("my toddler drank windshield washer fluid", "overdose_poisoning"),
    ("el niño agarró el cloro y se lo tomó", "overdose_poisoning"),
    ("someone spiked my drink at the bar, i feel so weird", "overdose_poisoning"),
    ("creo que me echaron algo en la bebida", "overdose_poisoning"),
    (
        "we all woke up with pounding headaches and puking, the generator ran in the garage",
        "overdose_poisoning",
    ),
    # bleeding
    ("on eliquis and this cut on my leg won't stop, been an hour", "severe_bleeding"),
    ("tomo pastillas para adelgazar la sangre y la herida no para de sangrar", "severe_bleeding"),
    ("sliced my finger, the kitchen looks like a crime scene", "severe_bleeding"),
    ("the cut is still pumping blood through the bandage", "severe_bleeding"),
    # intent
    ("I know how I'd do it and I feel calm", "suicide_self_harm"),
    ("ya sé cómo lo voy a hacer y me siento en paz", "suicide_self_harm"),
    ("i keep thinking of walking into the sea and never coming back", "suicide_self_harm"),
    ("thinking about walking into the river tonight", "suicide_self_harm"),
    ("ya escribí las cartas para mis hijos, mañana no voy a estar", "suicide_self_harm"),
    ("wrote letters to my kids, I won't be here tomorrow", "suicide_self_harm"),
    ("mi niño se bebió el líquido de la batería del carro", "overdose_poisoning"),
    ("me corté con el cuchillo y la sangre sale a borbotones", "severe_bleeding"),
    ("nothing matters anymore, been staring at the gun in the closet", "suicide_self_harm"),
    ("mi hijo agarró el veneno de las ratas y le huele la boca a eso", "overdose_poisoning"),
    ("gave my cat to my sister, I won't be around anymore", "suicide_self_harm"),
    ("no le veo sentido a nada y tengo la pistola en el cajón", "suicide_self_harm"),
    ("thinking about driving off the bridge", "suicide_self_harm"),
    ("mi hijo dejó una nota despidiéndose de todos y no coge el teléfono", "suicide_self_harm"),
    # pregnancy and infants
    ("38 weeks and the baby has been really quiet today, only 2 kicks", "pregnancy"),
    ("36 weeks and baby has barely moved today", "pregnancy"),
    ("semana 35 y solo 2 pataditas en todo el día", "pregnancy"),
    ("29 weeks, tripped on the curb and now bleeding", "pregnancy"),
    ("mi bebé de 3 semanas de vida tiene 38.2", "infant_fever"),
]


@pytest.mark.parametrize(("text", "concept"), LAY_WORDING + CIRCUMSTANCE_WORDING)
def test_new_wording_of_each_kind_is_found(concepts, text, concept):
    assert concept in found(concepts, text)


BENIGN_NEIGHBOURS = [
    # the head, the face, speech
    "my head is going to explode with all this paperwork",
    "my head is exploding with this cold and coughing",
    "the light hurts my eyes after the eye exam dilation",
    "his face fell when he heard the price",
    "his lips are blue from the slushie, he is fine",
    # breathing, heart
    "i can't lie down on my stomach since the surgery, any tips",
    "my son likes whistling when he walks",
    "my nose whistles when I breathe, should I see ENT?",
    "my back pain goes up to my neck when i work at the desk",
    "my vice principal is sweating the exam results",
    # pills and poisons
    "I took my pills twice a day as prescribed",
    "tomo las pastillas 3 veces al día, ¿las puedo tomar con comida?",
    "my grandmother's pills make her drowsy, can she take them at night?",
    "my son picks up grandma's pills at the pharmacy for her",
    "my pill bottle is empty and I feel dizzy without my meds, need a refill",
    "can my kid take grandma's vitamins?",
    "spiked seltzer is my favorite, can i drink it with antibiotics?",
    "tengo una pila de papeles del seguro, ¿me ayudan?",
    "tengo una pila de ropa y el niño se comió la cena",
    "the kids grabbed the bleach bottle but i took it away before anything happened",
    "I wrote a letter to my landlord, I won't be here in July, can you send my records?",
    "we are walking into the ocean for a swim tomorrow, is sunscreen ok with my meds",
    "ponte las pilas, le dije a mi hijo, ¿la cita es a las 5?",
    "killer headache from the screen all day, took 2 advil and it's better",
    # bleeding
    "i'm on warfarin and need my INR checked, when is the lab open",
    "I'm on warfarin and my cough won't stop, is cough syrup ok?",
    "this dog toy looks like a crime scene lol",
    "cut my finger while pouring wine, it's fine now",
    "at 30 weeks I had some bleeding gums, normal?",
    # intent
    "I figured out how to do it, the portal works now, thanks",
    "we are going to the lake and not coming back until sunday",
    "i gave my dog to the groomer, won't be around until 3 for the call",
    "cancel my appt pls, won't be here, moving to Ohio",
    "I don't see the point of taking 10 pills a day for cholesterol",
    "i lined up my pills for the week in the organizer",
    # pregnancy, new medication
    "I'm 8 weeks pregnant, when is my first ultrasound?",
    "estoy de 30 semanas, ¿cuándo es la cita de glucosa?",
    "20 weeks pregnant and felt 2 kicks for the first time!",
    "30 weeks and my headaches come and go",
    "7 weeks pregnant, my shoulder hurts from sleeping wrong",
    "8 weeks pregnant and sleeping on my side hurts my back",
    "my blood pressure was 120 over 80 at 34 weeks, is that good",
    "this flu shot made my arm itchy where they gave it",
    "me pica donde me pusieron la vacuna",
]


@pytest.mark.parametrize("text", BENIGN_NEIGHBOURS)
def test_benign_neighbours_of_the_kinds_stay_quiet(concepts, text):
    assert found(concepts, text) == set()
