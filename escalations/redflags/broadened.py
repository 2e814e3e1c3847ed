"""Word classes broadened by kind of wording (issue 15, fourth pass: after round 8).

Each entry is a clinical family of words, not the words of one text: the synonyms a patient
uses for a sign, in English and Spanish. ``vocabulary.py`` merges these into ``CLASSES`` (a
class that exists already gets these words added) and ``EXPRESSIONS``; ``concepts.py`` has the
patterns that use the new classes.

* **skin reactions**: welts, blotchy, spots, bumps, ronchas, granos, manchas, ampollas …;
* **altered mental state**: out of it, spaced out, so sleepy, can hardly wake, no nos
  reconoce, ido …; **poor perfusion**: purple, patchy, mottled, moraditas, frías …;
* **a weight on the chest**: sitting on it, an elephant, a brick, ladrillo, elefante, yunque;
* **household poisons and carbon monoxide**: pods, antifreeze, anticongelante, a heater or
  brasero inside, a gas leak;
* **young children and infants by age**: 3yo, toddler, chamaco; 9 weeks, tiene 2 meses, nació
  hace 5 semanas;
* **sepsis cues**: chemotherapy or a transplant with fever; a wound that is red, hot, oozing or
  smelly with fever; a rash that does not fade; chills as a fever;
* **new medication words**: syrup, painkiller, a drug's name, first dose, prescribed, me
  recetaron, le dieron;
* **pregnancy**: preggo, a hard belly, pain that won't ease, the baby not kicking (patear);
* **bleeding**: coffee-ground vomit, on a blood thinner, bleeding for an hour;
* **breathing**: fighting for air, oxygen saturation numbers below 92;
* **seizures and fainting**: stiff and jerking, blacking out, won't open their eyes;
* **intent**: can't do this anymore with a farewell, "tonight I'll do it".
"""

from __future__ import annotations

__all__ = ["BROAD_CLASSES", "BROAD_EXPRESSIONS"]

_DRUGS_EN = (
    "lisinopril enalapril losartan amlodipine metformin atorvastatin simvastatin sertraline "
    "fluoxetine citalopram escitalopram bupropion trazodone gabapentin lamotrigine "
    "carbamazepine phenytoin allopurinol naproxen diclofenac celecoxib meloxicam cephalexin "
    "keflex augmentin azithromycin zithromax doxycycline ciprofloxacin levofloxacin bactrim "
    "sulfa septra clindamycin nitrofurantoin macrobid metronidazole flagyl prednisone "
    "tramadol codeine hydrocodone"
)
_DRUGS_ES = (
    "enalapril losartan captopril metformina atorvastatina sertralina fluoxetina gabapentina "
    "lamotrigina carbamazepina fenitoina alopurinol naproxeno diclofenaco ketorolaco "
    "cefalexina azitromicina doxiciclina ciprofloxacino levofloxacino clindamicina "
    "metronidazol trimetoprima sulfametoxazol prednisona codeina ampicilina ceftriaxona "
    "dipirona metamizol"
)

# name → (English words, Spanish words); a name vocabulary.CLASSES has already is extended
BROAD_CLASSES: dict[str, tuple[str, str]] = {
    # --- existing classes, broadened ---
    "PAIN": (
        "elephant anvil boulder",
        "ladrillo ladrillos elefante yunque roca losa",
    ),
    "NUMB": ("tingly clumsy floppy", "torpe"),
    "LEFTRIGHT": ("", "izq izquierdo der"),
    "DROOP": ("", "cae caen cayendo colgada colgando"),
    "ODD": ("drunk", "borracho borracha"),
    "TROUBLE": ("fighting fight fights", "luchando lucha peleando"),
    "CHILD": (
        " ".join(f"{age}yo" for age in range(1, 13)) + " kiddo infant",
        "chamaco chamaca chamaquito chamaquita escuincle nene nena peque morrito morrita chiquillo",
    ),
    "TOXIC": (
        "dishwasher laundry antifreeze coolant kerosene paraffin rat",
        "anticongelante queroseno petroleo thinner aguarras sosa quitaesmalte solvente",
    ),
    "PREGNANT": ("preggo preggers prego", "embarazadisima"),
    "MOVE": ("", "patear patea pateando pataditas patadas moverse movimiento"),
    "SWELL": (
        "fat thick thicker",
        "inflaron inflo hincharon hincho infla hinchandose",
    ),
    "RASH": (
        "welt blotchy blotches spots bumps bumpy splotchy blister",
        "granos granitos manchas manchitas ampolla sarpullidos salpullidos ronchitas",
    ),
    "MED": (
        "syrup painkiller painkillers tablet pills capsule capsules injection shot vaccine "
        "ibuprofen advil motrin tylenol acetaminophen aspirin " + _DRUGS_EN,
        "jarabe tableta tabletas capsula capsulas inyeccion vacuna ibuprofeno paracetamol "
        "aspirina tramadol " + _DRUGS_ES,
    ),
    "NEW": ("prescribed", "recetaron receto recetado recetada empezo comenzo despues"),
    "FEVER": ("chills rigors 38c 39c 40c 41c", "escalofrios escalofrio"),
    "SEPSIS_SIGN": (
        "floppy patchy sleepy spacey spaced dazed purple",
        "ido ida adormilado moradas moraditos moraditas",
    ),
    "WOUND": (
        "bite bitten incision stitches scratch",
        "mordida mordedura mordio puntadas rasguno aranazo operacion incision",
    ),
    "INFECTION": ("", "infectado infectada"),
    "ALLERGEN": (
        "egg eggs milk dairy fish sesame soy wheat",
        "huevo huevos leche lacteos pescado soya trigo",
    ),
    "HIVES": ("", "granos"),
    "PILLS": ("", "blisters blister"),
    # a pack or a bottle found empty or open
    "EMPTY": ("empty emptied open opened", "vacio vacia vacios vacias abierto abierta"),
    # --- new classes ---
    # a weight on the chest told as something sitting on it
    "SITTING": ("sitting sat", "sentado sentada"),
    # a bad headache named by how it came
    "THUNDERCLAP": ("thunderclap thunder", "trueno"),
    # carbon monoxide: a fuel burning indoors; what everyone in the house feels
    "CO_SOURCE": (
        "heater heaters generator furnace charcoal boiler stove grill fireplace",
        "calentador calentadores brasero anafre estufa boiler chimenea carbon generador",
    ),
    "CO_CONTEXT": (
        "inside indoors leaking leak leaks family everyone everybody all",
        "adentro dentro fuga todos familia",
    ),
    "CO_SIGN": (
        "headache headaches dizzy vomiting throwing nauseous nausea sleepy drowsy confused",
        "mareados mareado mareada vomitando vomitan nauseas somnolientos confundidos",
    ),
    # bleeding inside: vomit that looks like coffee grounds
    # on a blood thinner: any bleeding that does not stop is urgent
    "THINNER": (
        "warfarin coumadin eliquis apixaban xarelto rivaroxaban pradaxa dabigatran heparin "
        "enoxaparin lovenox clopidogrel plavix anticoagulant anticoagulants",
        "warfarina acenocumarol sintrom apixaban rivaroxaban heparina enoxaparina clopidogrel "
        "anticoagulante anticoagulantes anticoagulado anticoagulada",
    ),
    # an allergic reaction reaching the voice or the gut
    "HOARSE": ("hoarse raspy croaky", "ronca ronco afonica afonico disfonica"),
    # a chemotherapy patient or a transplant: fever is sepsis until shown otherwise
    "IMMUNO": (
        "chemo chemotherapy transplant immunosuppressed neutropenic immunocompromised",
        "quimio quimioterapia trasplante trasplantado inmunosuprimido",
    ),
    # a wound that is getting infected
    "WOUND_BAD": (
        "oozing ooze oozes pus smelly smells stinks stinking infected red redness hot "
        "swollen leaking",
        "supurando supura pus huele apesta roja rojo enrojecida enrojecido caliente "
        "infectada infectado hinchada",
    ),
    # oxygen saturation below 92
    "OXYGEN": (
        "oxygen o2 sats sat saturation oximeter spo2",
        "oxigeno saturacion oximetro",
    ),
    "LOW_SAT": (" ".join(str(number) for number in range(50, 92)), ""),
    # a pregnant belly that is hard; pain that does not let go
    "BELLY": (
        "belly stomach tummy abdomen uterus bump",
        "panza barriga vientre estomago abdomen pancita",
    ),
    "HARD": ("hard rock rigid tight", "dura duro piedra tiesa tieso rigida"),
    # doubled insulin or pills, then a hypoglycaemia or toxicity sign
    "UNWELL": (
        "sweating shaking shaky trembling dizzy confused drowsy",
        "sudando temblando tembloroso mareada mareado confundida confundido sudor",
    ),
    # an intent told with a time
    "TONIGHT": ("tonight", ""),
}

BROAD_EXPRESSIONS: dict[str, tuple[str, ...]] = {
    "PAIN": ("sitting on", "sitting on it", "sitting on my chest", "standing on"),
    "NO_FEEL": ("cannot feel", "can not feel", "couldnt feel", "could not feel", "no sentia"),
    "SUDDEN": ("de la nada", "out of the blue", "out of nowhere"),
    "CHILD": ("little one", "lil one", "my lo", "our lo"),
    "GOT_INTO": ("got hold of",),
    "COFFEE": (
        "coffee grounds",
        "coffee ground",
        "like coffee",
        "cafe molido",
        "asientos de cafe",
        "borra de cafe",
        "como cafe",
    ),
    "CO_GAS": (
        "carbon monoxide",
        "co alarm",
        "co detector",
        "gas leak",
        "leaking gas",
        "smell gas",
        "smells like gas",
        "monoxido de carbono",
        "fuga de gas",
        "huele a gas",
    ),
    "LONG_BLEED": (
        "over an hour",
        "for an hour",
        "an hour",
        "for hours",
        "2 hours",
        "two hours",
        "media hora",
        "una hora",
        "mas de una hora",
        "horas",
    ),
    "NOFADE": (
        "dont fade",
        "doesnt fade",
        "does not fade",
        "do not fade",
        "wont fade",
        "dont go away when",
        "doesnt go away when",
        "glass test",
        "press a glass",
        "no desaparecen",
        "no desaparece",
        "no se borran",
        "no se quitan al",
    ),
    "INFANT": (
        *(f"is {number} weeks" for number in range(1, 13)),
        *(
            f"tiene {number} {unit}"
            for number in ("1", "un", "2", "dos")
            for unit in ("mes", "meses")
        ),
        *(f"tiene {number} semanas" for number in range(1, 13)),
        "nacio hace",
        "nacida hace",
        "born 2 weeks ago",
        "born last week",
    ),
    "PERSIST": (
        "wont ease",
        "will not ease",
        "wont go away",
        "will not go away",
        "doesnt go away",
        "not going away",
        "wont let up",
        "no se le quita",
        "no se me quita",
        "no se quita",
        "no se va",
        "no se le pasa",
        "no se me pasa",
    ),
    "SEPSIS_SIGN": (
        "out of it",
        "spaced out",
        "so sleepy",
        "really sleepy",
        "not herself",
        "not himself",
        "not making any sense",
        "no nos reconoce",
        "no me reconoce",
        "no la reconoce",
        "no lo reconoce",
        "no sabe quien soy",
        "no sabe donde esta",
        "esta ido",
        "esta ida",
        "manos frias",
        "pies frios",
        "piel fria",
        "cold hands",
        "cold feet",
    ),
    "HARD_WAKE": (
        "hardly wake",
        "barely wake",
        "can hardly wake",
        "can barely wake",
        "cuesta despertar",
        "cuesta despertarlo",
        "cuesta despertarla",
        "no se despierta bien",
        "no despierta bien",
    ),
    "UNCONSCIOUS": (
        "no abre los ojos",
        "wont open his eyes",
        "wont open her eyes",
        "not opening his eyes",
        "not opening her eyes",
        "doesnt open his eyes",
        "doesnt open her eyes",
    ),
    "PASSED_OUT": (
        "blacking out",
        "keep fainting",
        "keeps fainting",
        "keep passing out",
        "keeps passing out",
        "me desmayo a cada rato",
    ),
    "TWICE": (
        "twice",
        "two times",
        "2 times",
        "dos veces",
        "2 veces",
        "double dose",
        "doble dosis",
        "el doble",
    ),
    "HOPELESS": (
        "cant do this anymore",
        "cant do this any more",
        "cant take it anymore",
        "cant take this anymore",
        "cant go on",
        "no point anymore",
        "theres no point",
        "ya no puedo",
        "ya no puedo mas",
        "no puedo mas",
        "ya no aguanto",
    ),
    "FAREWELL": (
        "wrote letters",
        "wrote a letter",
        "wrote notes",
        "goodbye letters",
        "said goodbye",
        "saying goodbye",
        "said my goodbyes",
        "saying my goodbyes",
        "ya me despedi",
        "me despedi de todos",
        "nobody will miss me",
        "no one will miss me",
        "nadie me va a extranar",
        "nadie me extranaria",
        "les escribi cartas",
        "escribi cartas",
        "me despedi",
    ),
    "DO_IT": (
        "ill do it",
        "i will do it",
        "im doing it",
        "gonna do it",
        "going to do it",
        "lo hago",
        "lo voy a hacer",
        "voy a hacerlo",
        "lo hare",
        "it ends tonight",
        "end it tonight",
        "se acaba",
        "todo se acaba",
        "se termina todo",
    ),
    "TONIGHT": ("esta noche", "hoy en la noche", "this weekend", "este fin"),
    "NEW": ("gave him", "gave her", "le dieron", "me dieron", "le recetaron", "me recetaron"),
    "TOXIC": (
        "lamp oil",
        "lighter fluid",
        "nail polish remover",
        "paint thinner",
        "weed killer",
        "aceite de lampara",
        "liquido de encendedor",
    ),
    "SWELL": ("blew up", "blown up", "puffed up", "swelled up", "se inflo", "se le inflo"),
    "SIDE": (
        "half my body",
        "half his body",
        "half her body",
        "medio cuerpo",
        "un lado del cuerpo",
    ),
    "ALLERGIC": ("is allergic", "es alergico", "es alergica", "allergy to", "alergia a"),
}
