"""escalations.redflags: the classes broadened by kind of wording after round 8
(``broadened.py``) and a fever written as a number. Each text here is new wording (in no data
file): a family of synonyms is tried, not the words of the round's texts; each family has benign
neighbours that must stay quiet. Pure Python: no database."""

from __future__ import annotations

import pytest

from escalations.redflags import CONCEPTS, Matcher
from escalations.redflags.broadened import BROAD_CLASSES
from escalations.redflags.normalize import fever_temperature, normalize
from escalations.redflags.vocabulary import CLASSES


@pytest.fixture(scope="module")
def concepts() -> Matcher:
    return Matcher(concepts={concept.id: concept.id for concept in CONCEPTS})


def found(matcher: Matcher, text: str) -> set[str]:
    return {hit.concept for hit in matcher.find(text)}


def test_the_broadened_words_are_merged_into_the_vocabulary():
    assert "welts" in CLASSES["RASH"][0].split() and "rash" in CLASSES["RASH"][0].split()
    assert "ronchas" in CLASSES["RASH"][1].split()
    for name in BROAD_CLASSES:
        assert name in CLASSES


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        (
            "gave my daughter the new antibiotic syrup last night and this morning she has hives "
            "on her tummy",
            "new_med_allergy",
        ),
        (
            "started naproxen on monday and now there are itchy bumps all over my legs",
            "new_med_allergy",
        ),
        (
            "desde que empece la amoxicilina me salieron granos rojos en todo el cuerpo",
            "new_med_allergy",
        ),
        ("le recetaron un jarabe nuevo y amanecio con manchas rojas en la cara", "new_med_allergy"),
        ("first dose of the penicillin and my lips are puffy and im blotchy", "new_med_allergy"),
        (
            "después de la primera dosis del antibiótico tiene ampollas en la boca",
            "new_med_allergy",
        ),
        ("mom has a uti and today shes not making sense and her temp is 39", "sepsis"),
        ("dad had a fever all night and now he is out of it and barely talking", "sepsis"),
        ("mi mama con calentura y ahora esta bien ida, no sabe ni que dia es", "sepsis"),
        ("fever since tuesday and her knees and legs are all blotchy and purple", "sepsis"),
        ("tiene fiebre y la piel se le ve moteada y las manos frias", "sepsis"),
        ("on chemotherapy, shivering, thermometer says 38.3", "sepsis"),
        ("estoy en quimio y tengo 38.5 de fiebre", "sepsis"),
        ("the incision from my c-section is oozing pus and smells and I have a fever", "sepsis"),
        ("la herida de la cirugia esta caliente y roja y tengo calentura", "sepsis"),
        ("my toddler has a high temp and spots that don't fade under a glass", "sepsis"),
        ("feels like a brick is sitting on my chest", "cardiac"),
        ("like an elephant standing on my chest and i cant get comfortable", "cardiac"),
        ("siento como una losa en el pecho desde hace rato", "cardiac"),
        ("my 2yo drank some antifreeze from the garage", "overdose_poisoning"),
        ("mi hijo de 3 años se tomo cloro de la botella", "overdose_poisoning"),
        ("the kids got into the laundry pods, one of them bit into it", "overdose_poisoning"),
        (
            "we had the brasero inside all night and now we all feel dizzy and have headaches",
            "overdose_poisoning",
        ),
        ("the co alarm went off and everyone has a headache and feels sick", "overdose_poisoning"),
        (
            "creo que hay fuga de gas, todos estamos mareados y con dolor de cabeza",
            "overdose_poisoning",
        ),
        ("toddler swallowed a button battery", "overdose_poisoning"),
        ("el niño se comio unas pastillas de la abuela", "overdose_poisoning"),
        ("my lo is 6 weeks and has a temp of 38.3", "infant_fever"),
        ("our newborn is 10 days old and feels hot, 100.9", "infant_fever"),
        ("mi bebe nacio hace 3 semanas y tiene calentura", "infant_fever"),
        ("la niña tiene 1 mes y amanecio con fiebre", "infant_fever"),
        ("baby is 8 weeks old, 38.1 on the thermometer", "infant_fever"),
        ("my dad is vomiting stuff that looks like coffee grounds", "severe_bleeding"),
        ("vomito algo como cafe molido", "severe_bleeding"),
        ("nosebleed won't stop and I'm on eliquis", "severe_bleeding"),
        ("me sangra la nariz y no para, tomo warfarina", "severe_bleeding"),
        ("my son is stiff and jerking and wont respond", "seizure_unconscious"),
        ("se puso tieso y con sacudidas, no responde", "seizure_unconscious"),
        ("i keep passing out today", "seizure_unconscious"),
        ("found grandpa on the floor, breathing but he wont open his eyes", "seizure_unconscious"),
        ("she's fighting for breath and her lips look grey", "breathing"),
        ("his oxygen is 85 on the pulse ox", "breathing"),
        ("mi saturacion de oxigeno esta en 88", "breathing"),
        ("the baby is whistling when she breathes and sucking in under her ribs", "breathing"),
        ("esta luchando por respirar", "breathing"),
        ("i cant do this anymore, i said goodbye to my sister", "suicide_self_harm"),
        ("ya no puedo mas, ya les escribi cartas a mis hijos", "suicide_self_harm"),
        ("nobody will miss me, tonight ill do it", "suicide_self_harm"),
        ("i wrote letters to everyone, im done", "suicide_self_harm"),
        ("34 weeks and my belly is rock hard and really painful", "pregnancy"),
        ("estoy de 30 semanas y tengo la panza bien dura y con dolor", "pregnancy"),
        ("im pregnant and the pain in my tummy wont go away", "pregnancy"),
        ("32 weeks pregnant and baby hasn't kicked since yesterday", "pregnancy"),
        ("tengo 33 semanas y no siento que el bebe se mueva", "pregnancy"),
        ("30 weeks and leaking clear fluid", "pregnancy"),
        ("he ate shrimp and now his voice is hoarse and hes covered in hives", "anaphylaxis"),
        ("got stung by a bee, hives everywhere and throwing up", "anaphylaxis"),
        ("le pico una abeja y tiene ronchas y esta vomitando", "anaphylaxis"),
        ("she's allergic to eggs and ate cake, her face is swelling", "anaphylaxis"),
        ("his words are all jumbled and his right hand won't grip", "stroke"),
        ("worst headache of my life came on like a thunderclap", "stroke"),
        ("can't feel my right arm and my face feels droopy", "stroke"),
        ("de la nada no puede mover el brazo derecho", "stroke"),
        # a second batch, written after the first passed
        ("something heavy pressing down on my chest and my arm is tingling", "cardiac"),
        ("feels like a belt tightening around my chest", "cardiac"),
        ("hay como un peso enorme sobre mi pecho y me falta el aire", "cardiac"),
        ("me arde el pecho y se me duerme el brazo", "cardiac"),
        ("half his face isnt moving and he cant talk right", "stroke"),
        ("her speech is all mumbly and her arm is just hanging", "stroke"),
        ("se le adormecio medio cuerpo", "stroke"),
        ("he keeps saying the wrong words and cant lift his arm", "stroke"),
        ("he sounds like hes breathing through a straw", "breathing"),
        ("she keeps gasping between words", "breathing"),
        ("sats dropping to 89", "breathing"),
        ("mi hijo respira con mucho esfuerzo y se le hunden las costillas", "breathing"),
        ("his inhaler isnt working and he cant talk", "breathing"),
        ("i keep thinking about jumping off the bridge", "suicide_self_harm"),
        ("going to take all my pills tonight", "suicide_self_harm"),
        ("no quiero seguir aqui", "suicide_self_harm"),
        ("me quiero morir", "suicide_self_harm"),
        ("theres no point anymore, ive said my goodbyes", "suicide_self_harm"),
        ("ya me despedi de todos, esta noche se acaba", "suicide_self_harm"),
        ("grandpa mixed his pills and took too many, now hes very sleepy", "overdose_poisoning"),
        ("my son drank lamp oil", "overdose_poisoning"),
        ("she swallowed a bunch of her antidepressants", "overdose_poisoning"),
        ("mi papa se paso con la insulina y esta temblando y sudando", "overdose_poisoning"),
        ("my kid ate some rat poison", "overdose_poisoning"),
        ("blood everywhere from his head", "severe_bleeding"),
        ("she is bleeding through towels", "severe_bleeding"),
        ("me estoy desangrando", "severe_bleeding"),
        ("blood keeps coming out of the cut, wont stop", "severe_bleeding"),
        ("after the bee sting his whole face blew up and hes wheezing", "anaphylaxis"),
        ("tongue feels thick and swollen after shrimp", "anaphylaxis"),
        ("tiene la cara y los labios hinchados y le cuesta respirar", "anaphylaxis"),
        ("pregnant and my belly is cramping hard with spotting", "pregnancy"),
        ("29 weeks, the baby has stopped moving", "pregnancy"),
        ("embarazada y tengo contracciones muy seguidas en la semana 30", "pregnancy"),
        ("pregnant with a terrible headache and seeing spots", "pregnancy"),
        ("my 7 week old is running a fever", "infant_fever"),
        ("bebe de 1 mes con temperatura de 38", "infant_fever"),
        ("mi recien nacida esta muy caliente", "infant_fever"),
        (
            "after my surgery the wound is red and leaking and i have chills and feel confused",
            "sepsis",
        ),
        ("abuela con infeccion y no reacciona bien, esta muy palida y fria", "sepsis"),
        (
            "my mom has a kidney infection and now her skin is blotchy and she is very drowsy",
            "sepsis",
        ),
        ("new blood pressure pill and my tongue is swelling", "new_med_allergy"),
        ("started allopurinol last week and my skin is peeling and blistering", "new_med_allergy"),
        ("con la pastilla nueva me salio urticaria", "new_med_allergy"),
        ("he is twitching all over and not responding", "seizure_unconscious"),
        ("she went limp and her eyes rolled back", "seizure_unconscious"),
        ("no lo podemos despertar", "seizure_unconscious"),
        ("se quedo inconsciente", "seizure_unconscious"),
        # a third batch, Spanish in regional wording
        ("me esta doliendo el pecho como si me apretaran con una mano", "cardiac"),
        ("siento una opresion en el pecho que me baja al brazo", "cardiac"),
        ("mi esposo se agarra el pecho y esta sudando frio", "cardiac"),
        ("mi abuelita amanecio con la cara chueca y no puede hablar", "stroke"),
        ("de repente se me durmio la mitad de la cara", "stroke"),
        ("no le entiendo lo que dice y arrastra las palabras", "stroke"),
        ("mi niño tiene la respiracion muy agitada y se le hunde el pecho", "breathing"),
        ("me ahogo, no puedo jalar aire", "breathing"),
        ("tiene los labios azules y casi no respira", "breathing"),
        ("ya no quiero vivir", "suicide_self_harm"),
        ("pienso en matarme todos los dias", "suicide_self_harm"),
        ("me voy a tomar todas las pastillas para ya no despertar", "suicide_self_harm"),
        ("quiero dormirme y no despertar nunca", "suicide_self_harm"),
        ("me corte las venas", "suicide_self_harm"),
        ("mi hijo se tomo como 20 pastillas de paracetamol", "overdose_poisoning"),
        ("la niña se bebio el cloro", "overdose_poisoning"),
        ("mi mama se tomo el frasco entero de sus pastillas", "overdose_poisoning"),
        ("mi bebe se trago una moneda y una pila", "overdose_poisoning"),
        ("se corto con un vidrio y le sale sangre a chorros", "severe_bleeding"),
        ("tengo una hemorragia muy fuerte", "severe_bleeding"),
        ("estoy vomitando sangre", "severe_bleeding"),
        ("me sale mucha sangre de la nariz y tomo anticoagulantes", "severe_bleeding"),
        ("comio cacahuate y se le cerro la garganta", "anaphylaxis"),
        ("me pico una avispa y se me hincho toda la cara y me cuesta respirar", "anaphylaxis"),
        ("tiene ronchas por todo el cuerpo y la lengua hinchada", "anaphylaxis"),
        ("tengo 7 meses de embarazo y estoy sangrando", "pregnancy"),
        ("estoy embarazada y tengo dolor muy fuerte de cabeza y veo borroso", "pregnancy"),
        ("se me rompio la fuente y solo tengo 32 semanas", "pregnancy"),
        ("mi bebe no se ha movido en todo el dia y tengo 36 semanas", "pregnancy"),
        ("mi bebe de 15 dias tiene temperatura", "infant_fever"),
        ("el recien nacido esta hirviendo en calentura", "infant_fever"),
        ("mi niña de 2 meses tiene 38.5", "infant_fever"),
        ("mi papa tiene neumonia y esta muy confundido y respira rapido", "sepsis"),
        ("tengo fiebre, escalofrios y el corazon acelerado, me siento muy mal", "sepsis"),
        ("mi mama tiene infeccion urinaria y no sabe donde esta", "sepsis"),
        ("me recetaron ibuprofeno y me salieron ronchas", "new_med_allergy"),
        ("despues de la inyeccion se le hincharon los labios", "new_med_allergy"),
        ("empece un antibiotico nuevo y tengo urticaria", "new_med_allergy"),
        ("mi hijo esta convulsionando y tiene los ojos en blanco", "seizure_unconscious"),
        ("se desmayo y no despierta", "seizure_unconscious"),
        ("perdio el conocimiento en la calle", "seizure_unconscious"),
        ("esta temblando todo el cuerpo y no responde", "seizure_unconscious"),
    ],
)
def test_new_wording_of_each_family_is_found(concepts, text, concept):
    assert concept in found(concepts, text)


@pytest.mark.parametrize(
    "text",
    [
        "my dog had a seizure last night, do you know an emergency vet",
        "el gato se comio veneno para ratas, a que veterinario lo llevo",
        "my puppy is bleeding a lot from his paw, which vet is open",
        "in the movie the dad has a heart attack at the wedding, it made me cry",
        "my favourite character in the book dies of an overdose",
        "la protagonista de la novela sufre un derrame cerebral",
        "what are the symptoms of sepsis? writing a report",
        "que sintomas tiene un derrame cerebral? es para una tarea",
        "what is the difference between a seizure and a faint",
        "do you have pamphlets on overdose prevention for my class",
        "i need a copy of my records from my 2018 stroke admission",
        "quiero la factura de urgencias de 2021 por la convulsion",
        "my grandfather passed away from a heart attack, is it genetic",
        "mi abuela fallecio de un infarto, me toca hacerme estudios?",
        "had a stroke back in 2017, need a new referral to neuro",
        "this heat is killing me lol",
        "i almost choked laughing at that video haha",
        "these copays are killing me",
        "los precios me estan matando",
        "el trafico me esta asfixiando",
        "my wife snores like she is choking, sleep study please",
        "can you cancel my 3pm appointment, thanks",
        "I need a pregnancy test appointment",
        "is 38 weeks too late to change my ob?",
        "my baby is 5 months and had her shots, when is the next visit",
        "my son is 3 years old and had a fever last month, is he due for a checkup",
        "the heater in the waiting room is too hot",
        "did my coffee grounds order ship? lol wrong chat",
        "can I get a refill on my warfarin",
        "started a new job and my hands are full, can I move my appointment",
        "on chemo, can I get a flu shot?",
        # a second batch: treatments, schedules, doses a day, an age, a bus number
        "I started the new antibiotic for my rash, how long until it works?",
        "I take my blood pressure pills twice a day and sometimes feel a little dizzy",
        "im done with the intake form, ill do it the rest tonight",
        "I'm allergic to cats, is the clinic pet free?",
        "the heater in my apartment is broken, can I get a note for my landlord",
        "my 3yo has a cough, can we get an appointment this week",
        "can my 2 month old get her vaccines early",
        "is it safe to take tylenol at 36 weeks pregnant",
        "my husband's oxygen machine needs a new filter",
        "can I get a prescription for an epipen for school",
        "what time is the 38 bus to the clinic",
        "I have an appointment at 10.30 about my rash",
        "i need my chemo schedule for next month",
        "are you open on the 101st street location",
        "can you send the form about my dad's stroke rehab",
        "refill on my eliquis please",
        "quiero cambiar mi cita del martes",
        "mi bebe tiene 5 meses, cuando le toca la vacuna?",
        "necesito un certificado para el trabajo",
        "me recetaron un jarabe para la tos, es seguro en el embarazo?",
        # a third batch: neighbours of the new families (ages, doses, records, a thermometer)
        "my son had a fever last week and his lips are still a bit purple from the popsicle lol",
        "I'm on xarelto, can I take ibuprofen for a headache",
        "chemo starts next week, should I get a thermometer",
        "can I get a copy of my 2021 chemo records",
        "my neck is stiff and my leg muscles are jerking a bit after the gym",
        "the generator is broken, can we still run the oxygen concentrator",
        "my 3yo ate a crayon, do I need to worry",
        "we have a gas stove, is that safe with a newborn",
        "my baby is 9 weeks and due for her shots",
        "mi bebe nacio hace 5 semanas, cuando es su primera vacuna",
        "me recetaron un antibiotico nuevo, lo puedo tomar con leche?",
        "estoy de 30 semanas, cuando me toca el ultrasonido?",
        "her oxygen reading was 97 at home, do we still need to come in",
        "my kid has welts from mosquito bites, what cream do you recommend",
        "mi hijo tiene ronchas de piquetes de mosquito",
        "can I take my insulin twice if I eat a big dinner",
        "he is allergic to penicillin, please note it on his chart",
        "our family has headaches from the smoke outside, can we get masks",
        "my lo is teething and drooling, any tips",
    ],
)
def test_benign_neighbours_stay_quiet(concepts, text):
    assert found(concepts, text) == set()


@pytest.mark.parametrize(
    ("word", "fever"),
    [
        ("38.0", True),
        ("38.6", True),
        ("42.5", True),
        ("100.4", True),
        ("101.2", True),
        ("39c", True),
        ("102f", True),
        ("37.8", False),
        ("100.2", False),
        ("38", False),  # a whole number without its unit: an age, weeks, a room
        ("43.0", False),
        ("38.5f", False),
    ],
)
def test_a_fever_written_as_a_number(word, fever):
    assert fever_temperature(word) is fever


def test_a_decimal_number_is_one_word():
    assert normalize("temp 38,6. then 101.2F, end.") == "temp 38.6 then 101.2f end"
    assert normalize("1.5 mg") == "1.5 mg"


def test_a_number_alone_is_a_fever_near_an_infant_or_chemotherapy(concepts):
    assert "infant_fever" in found(concepts, "my 5 week old is 38.4 tonight")
    assert "sepsis" in found(concepts, "on chemo, thermometer reads 100.9")
    assert found(concepts, "my baby is 38 weeks old") == set()
    assert found(concepts, "my 5 week old weighs 4.2 kg, is that normal") == set()
