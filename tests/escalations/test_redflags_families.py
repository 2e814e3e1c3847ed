"""escalations.redflags: the families added after round 9 (``families.py``): a chest named by
its bone, loss of sight as a curtain, words that come out wrong, a goodbye letter, a means made
ready, hurting oneself again, too much insulin, a child and a whole bottle, wild mushrooms,
cleaning products mixed or their fumes, soaking a pad, lips like balloons, fewer kicks, a blood
pressure written as numbers, infant ages as "semanitas" or "mes y medio", an illness with two
signs of sepsis, a line with fever, a person who does not answer, a switched medication. Each
text is new wording (in no data file), in both languages; each family has benign neighbours that
must stay quiet. Pure Python: no database."""

from __future__ import annotations

import pytest

from escalations.redflags import CONCEPTS, Matcher
from escalations.redflags.families import FAMILY_CLASSES, FAMILY_EXPRESSIONS, FAMILY_PATTERNS
from escalations.redflags.vocabulary import CLASSES, EXPRESSIONS, IDIOMS


@pytest.fixture(scope="module")
def concepts() -> Matcher:
    return Matcher(concepts={concept.id: concept.id for concept in CONCEPTS})


def found(matcher: Matcher, text: str) -> set[str]:
    return {hit.concept for hit in matcher.find(text)}


def test_the_families_are_merged_into_the_vocabulary_and_the_concepts():
    for name in FAMILY_CLASSES:
        assert name in CLASSES
    for name, runs in FAMILY_EXPRESSIONS.items():
        assert set(runs) <= set(EXPRESSIONS[name])
    assert "apreton" in CLASSES["PAIN"][1].split() and "dolor" in CLASSES["PAIN"][1].split()
    assert "sacar|sacan|saquen|sacaron|saco|sacara|sacaran me|le|nos? sangre" in IDIOMS
    by_id = {concept.id: concept for concept in CONCEPTS}
    for concept_id, patterns in FAMILY_PATTERNS.items():
        classes = {pattern.classes for pattern in by_id[concept_id].patterns}
        assert {pattern[0] for pattern in patterns} <= classes


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("heavy pressure on my breastbone for an hour and i feel sick", "cardiac"),
        ("tengo un apreton fuerte en el pecho desde hace rato", "cardiac"),
        ("there's a squeezing behind my ribs going to my jaw", "cardiac"),
        ("suddenly it was like a curtain came down over my right eye", "stroke"),
        ("se me nublo la vista como una cortina en el ojo derecho", "stroke"),
        ("i try to talk and the wrong words come out", "stroke"),
        ("no me salen las palabras y tengo la boca chueca", "stroke"),
        ("my face feels numb on the right side all of a sudden", "stroke"),
        ("left a goodbye note for my kids on the table", "suicide_self_harm"),
        ("ya escribi mi carta de despedida", "suicide_self_harm"),
        ("i bought a rope, its ready", "suicide_self_harm"),
        ("tengo la soga lista y esta vez va en serio", "suicide_self_harm"),
        ("been thinking about taking all my pills tonight", "suicide_self_harm"),
        ("estoy pensando en tomarme todas las pastillas", "suicide_self_harm"),
        ("im hurting myself again with a razor blade and cant stop", "suicide_self_harm"),
        ("me volvi a cortar con una navaja", "suicide_self_harm"),
        ("voy a tirarme del edificio esta noche", "suicide_self_harm"),
        ("my dad injected too much insulin and now he's sweaty and confused", "overdose_poisoning"),
        ("me inyecte demasiada insulina y estoy temblando", "overdose_poisoning"),
        ("my 2 year old drank the whole bottle of cough syrup", "overdose_poisoning"),
        ("mi nena de 2 años se tomo toda la botella de jarabe", "overdose_poisoning"),
        ("we picked mushrooms in the woods and now we're all vomiting", "overdose_poisoning"),
        ("comimos hongos del campo y ahora tenemos diarrea y vomito", "overdose_poisoning"),
        ("i mixed bleach and ammonia cleaning and my throat burns", "overdose_poisoning"),
        ("respire los vapores del cloro y me falta el aire", "overdose_poisoning"),
        ("soaking through a pad every hour and dizzy", "severe_bleeding"),
        ("lleno una compresa cada hora", "severe_bleeding"),
        ("ate shrimp and now his lips look like balloons", "anaphylaxis"),
        ("comio cacahuate y tiene la cara como un globo", "anaphylaxis"),
        ("32 weeks and i haven't felt the kicks today", "pregnancy"),
        ("no he sentido patadas desde ayer y tengo 30 semanas", "pregnancy"),
        ("im 34 weeks pregnant and my bp is 165/105", "pregnancy"),
        ("estoy de 8 meses y tengo la presion en 150/100 con dolor de cabeza", "pregnancy"),
        ("my son is 7 weeks old and has a temp of 38.4", "infant_fever"),
        ("mi bebe de mes y medio tiene calentura", "infant_fever"),
        ("mi niño de 3 semanitas tiene fiebre", "infant_fever"),
        ("my mom has pneumonia and now she is confused and her skin is cold and clammy", "sepsis"),
        ("tiene gripe y ahora esta desorientado y con la piel fria y manchada", "sepsis"),
        ("fever after my port was flushed, chills and shaking", "sepsis"),
        ("infected finger, hand is swollen and hot, now fever", "sepsis"),
        ("tengo fiebre y el corazon a mil, me late rapidisimo", "sepsis"),
        ("my wife is on the floor and not answering me", "seizure_unconscious"),
        ("mi papa esta en el piso y no me contesta", "seizure_unconscious"),
        ("se puso rigida y se sacudia toda", "seizure_unconscious"),
        ("they switched my blood pressure pill and now i have hives all over", "new_med_allergy"),
    ],
)
def test_new_wording_of_each_family_is_found(concepts, text, concept):
    assert concept in found(concepts, text)


@pytest.mark.parametrize(
    "text",
    [
        "sorry i wasnt answering, my phone died",
        "no conteste porque estaba en el trabajo",
        "my mom isnt answering her phone, can you call her instead",
        "can i get my blood drawn tomorrow morning? how many hours fasting",
        "tienen que sacarme sangre en ayunas?",
        "the new view from the balcony takes my breath away lol",
        "the flu shot, is it available? my kids are 6 weeks into school",
        "we went mushroom picking in the woods, any tips for allergies season",
        "i cleaned the bathroom with bleach, which is better, bleach or vinegar?",
        "my pads are on backorder, can you send them every month",
        "the heroine writes a goodbye letter in the novel i'm reading, so sad",
        "me salen granitos con el chocolate",
        "estoy estudiando para el examen de hipertension en el embarazo, 140/90 es el limite?",
        "my bp was 150 over 90 last year, is that bad",
        "my husband had pneumonia last year and was confused for a while, do we need the vaccine",
        "im having a heart attack over these prices haha",
        "that game almost gave me a heart attack lol",
        "el partido me dio un infarto jaja",
        "estoy en el trafico y me ahogo de calor jaja",
        "i read that aspirin helps a heart attack, true?",
        "my dog collapsed at the dog park, which vet is open",
        "i bought a rope for the camping trip",
        "la guagua llego tarde y me dolio la espalda de estar parado",
        "the doctor switched my blood pressure pill, when is the refill due",
        "we are 6 weeks into the diet, any tips",
    ],
)
def test_benign_neighbours_stay_quiet(concepts, text):
    assert found(concepts, text) == set()


# A second batch, written after the first passed: new wording of every concept in both languages;
# its misses were answered as kinds (a night chosen with everything ready, a plant eaten with
# vomiting, clots and soaking, a doubled pill with dizziness, seeing sparkles, foaming and a
# fall with shaking), and its benign neighbours.
SECOND_BATCH = [
    ("feels like a band tightening around my chest and i'm clammy", "cardiac"),
    ("my dad says his chest feels heavy like a weight and he's grey", "cardiac"),
    ("dolor opresivo en el pecho que se va a la quijada", "cardiac"),
    ("siento que me aprietan el pecho y sudo frio", "cardiac"),
    ("burning pressure in my chest that spreads to my back and i feel faint", "cardiac"),
    ("my mom's smile is crooked and her arm went weak", "stroke"),
    ("mi abuelo tiene la boca torcida y no puede levantar el brazo", "stroke"),
    ("he's talking nonsense all of a sudden and his face looks lopsided", "stroke"),
    ("lost vision in one eye for a few minutes then it came back", "stroke"),
    ("perdi la vista de un ojo de golpe", "stroke"),
    ("my toddler's ribs are sucking in with every breath", "breathing"),
    ("mi hijo respira muy agitado y se le hunden las costillas", "breathing"),
    ("i can only say a few words before i have to stop for air", "breathing"),
    ("no puedo ni hablar de la falta de aire", "breathing"),
    ("his lips are turning grey and he's gasping", "breathing"),
    ("i've decided tonight is the night, i have everything i need", "suicide_self_harm"),
    ("ya tengo todo listo para terminar con esto", "suicide_self_harm"),
    ("i keep thinking everyone would be better off if i wasnt here", "suicide_self_harm"),
    ("quiero dormirme y no despertar nunca mas", "suicide_self_harm"),
    ("i stockpiled my pills and i'm going to take them tonight", "suicide_self_harm"),
    ("he estado juntando pastillas para tomarmelas todas", "suicide_self_harm"),
    (
        "my grandma accidentally took her heart pills twice and now she's dizzy, pulse slow",
        "overdose_poisoning",
    ),
    ("mi abuela se tomo dos veces la pastilla de la presion y esta mareada", "overdose_poisoning"),
    ("my kid swallowed a button battery", "overdose_poisoning"),
    ("el niño se trago una pila de boton", "overdose_poisoning"),
    ("my teen drank a whole bottle of vodka and won't wake up", "overdose_poisoning"),
    ("my son ate a few berries from the neighbours bush and is throwing up", "overdose_poisoning"),
    ("the cut on his arm keeps gushing even with pressure", "severe_bleeding"),
    (
        "no para de salirle sangre de la nariz desde hace una hora y toma warfarina",
        "severe_bleeding",
    ),
    ("i'm passing big clots and soaking through pads", "severe_bleeding"),
    ("estoy vomitando sangre oscura", "severe_bleeding"),
    ("got stung by a bee and now my throat feels tight and my voice is weird", "anaphylaxis"),
    ("le pico una abeja y se le esta cerrando la garganta", "anaphylaxis"),
    ("after eating cashews his face swelled and he's wheezing", "anaphylaxis"),
    ("comio mariscos y se le hincharon los ojos y los labios", "anaphylaxis"),
    ("36 weeks and i have a headache that wont go away and seeing sparkles", "pregnancy"),
    ("tengo 35 semanas y veo lucecitas y me duele mucho la cabeza", "pregnancy"),
    ("im pregnant and bleeding bright red", "pregnancy"),
    ("estoy embarazada y se me rompio la fuente, tengo 30 semanas", "pregnancy"),
    ("baby hasnt moved much since last night, im 38 weeks", "pregnancy"),
    ("my 3 week old feels hot and is really sleepy", "infant_fever"),
    ("mi recien nacido tiene 38.5 de temperatura", "infant_fever"),
    ("our newborn has a temp of 100.6", "infant_fever"),
    ("la bebe de 6 semanas esta ardiendo en calentura", "infant_fever"),
    ("my dad's got a uti and now he's confused and shivering with a high fever", "sepsis"),
    ("tiene infeccion en la orina, fiebre alta y esta desorientada", "sepsis"),
    ("since surgery the incision is leaking pus and i have a fever of 39", "sepsis"),
    ("fever, pulse racing, and my knees look blotchy purple", "sepsis"),
    (
        "started a new antibiotic yesterday and now my skin is peeling and blistering",
        "new_med_allergy",
    ),
    ("empece un antibiotico nuevo y me salieron ronchas por todo el cuerpo", "new_med_allergy"),
    ("after the first dose of the new pills my lips are swelling", "new_med_allergy"),
    ("my son is twitching all over and not responding", "seizure_unconscious"),
    ("mi hija se desvanecio y no reacciona", "seizure_unconscious"),
    ("he dropped to the floor shaking and foaming", "seizure_unconscious"),
    ("mi esposo se cayo y esta convulsionando", "seizure_unconscious"),
    (
        "she keeps zoning out and her arm jerks and she doesnt answer when we call her name",
        "seizure_unconscious",
    ),
]


@pytest.mark.parametrize(("text", "concept"), SECOND_BATCH)
def test_a_second_batch_of_new_wording_is_found(concepts, text, concept):
    assert concept in found(concepts, text)


@pytest.mark.parametrize(
    "text",
    [
        "my cat passed out in the sun lol, cats are weird",
        "can you explain the difference between a seizure and fainting? for a first aid course",
        "the actor had a heart attack in the last episode, so dramatic",
        "my chest of drawers fell over, lol, can I reschedule",
        "i need my records from the 2018 overdose for my lawyer",
        "my baby is 8 months and had a fever last week, she's fine now, vaccine date?",
        "la bebe tiene 10 meses y ya no tiene fiebre, cuando le toca la vacuna?",
        "ese examen de mate me va a dar un infarto jaja",
        "estas facturas me estan matando, hay plan de pagos?",
        "the price of parking is giving me a stroke lol",
        "im dying to know my lab results lol",
        "my son fainted when he saw the needle last year, can we use numbing cream this time?",
        "my grandma had a stroke in 2010, is that relevant for her new meds?",
        "what's the normal heart rate for a newborn? just curious",
        "the nurse said my blood pressure was 145/90 last month, should I recheck",
        "compre una cuerda para colgar la ropa",
        "my husband snores like he's choking every night, sleep study please",
        "this heat is suffocating, is the clinic air conditioned?",
        "i cried so hard watching that movie i couldnt breathe lol",
        "my dog ate chocolate and is vomiting, which vet is open",
        "me van a sacar sangre el lunes, tengo que ir en ayunas?",
        "we picked berries at the farm, can my son have them with his allergy meds",
    ],
)
def test_the_second_batchs_benign_neighbours_stay_quiet(concepts, text):
    assert found(concepts, text) == set()


def test_the_blood_draw_idiom_does_not_swallow_a_nosebleed(concepts):
    text = "no para de salirle sangre de la nariz desde hace una hora y toma warfarina"
    assert "severe_bleeding" in found(concepts, text)
