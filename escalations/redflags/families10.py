"""Word families by kind of wording (issue 15, sixth pass: after round 10).

Merged like ``families.py`` (``vocabulary.py`` adds :data:`ROUND10_CLASSES`,
:data:`ROUND10_EXPRESSIONS` and :data:`ROUND10_IDIOMS`; ``concepts.py`` appends
:data:`ROUND10_PATTERNS`). Each entry is a clinical kind, in English and Spanish:

* **weeks of pregnancy abbreviated** ("33w", "semana 30") and preterm contractions; months
  of pregnancy with a belly hard as a rock; a grandbaby is an infant;
* **self-harm told without "myself"**: cutting again, deeper; burning the skin with a lighter
  with a cue (again, can't stop, "para no sentir"); a crash thought of as a way out;
* **bleeding**: "cannot stop the bleeding"; soaking through towels; coughing blood in the first
  person ("toso sangre"); blood in the stool told as "hacer del baño";
* **poisoning**: a drug named by its use with a count ("15 de las de la ansiedad"); pesticides
  sprayed with drooling, vomiting or blurred sight; cannabis edibles and a sleepy child;
  pinpoint pupils; a closed room with a brazier;
* **allergy**: eyes swollen shut after eating; fruit and ant allergens; a voice gone hoarse
  in an allergic person; **new medication**: drops, an injection given, a switched pill with a
  breakout;
* **stroke**: strength gone from a hand with a heavy tongue; the face not the same on both
  sides, a mouth pulled down; speech nobody understands;
* **collapse**: fell or collapsed and not answering; **cardiac**: a heart wrung out with
  clamminess, a belt round the ribs; **sepsis**: an infection with hard waking or mottled skin,
  a fever with incoherent speech and cold sweat.
"""

from __future__ import annotations

__all__ = ["ROUND10_CLASSES", "ROUND10_EXPRESSIONS", "ROUND10_IDIOMS", "ROUND10_PATTERNS"]

_GESTATION = range(20, 43)
_PRETERM = range(20, 37)

# name → (English words, Spanish words); a name the vocabulary has already is extended
ROUND10_CLASSES: dict[str, tuple[str, str]] = {
    # --- existing classes, broadened ---
    "PREGNANT": (" ".join(f"{n}w {n}wk {n}wks" for n in _GESTATION), ""),
    "INFANT": ("grandbaby grandbabies granbaby", "nietecito nietecita"),
    "VOMIT": ("", "toso tosi toser tosia"),
    "RASH": ("breakout", "brote brotes hinchadisimos hinchadisimas hinchadisimo hinchadisima"),
    "MED": ("drops eyedrops", "gotas gotitas inyeccion vacuna colirio"),
    "PILLS": (
        "xanax valium ativan klonopin ambien",
        "rivotril alprazolam diazepam lorazepam tafil zolpidem",
    ),
    "ALLERGEN": (
        "kiwi strawberry strawberries mango ants ant",
        "kiwi fresa fresas mango hormigas hormiga",
    ),
    "SLUR": ("slurry slurrish", ""),
    "CO_CONTEXT": ("closed", "cerrada cerrado cerradas cerrados"),
    "CO_SIGN": ("", "mareo mareos cefalea"),
    "SAVED": ("=saving", "=ahorrando =juntado"),
    "PAIN": ("wrung wringing", "exprimiendo exprimido retorciendo"),
    # --- new classes ---
    "PRETERM": (" ".join(f"{n}w {n}wk {n}wks" for n in _PRETERM), ""),
    "CONTRACT": ("contractions contraction", "contracciones contraccion"),
    "MONTHS": ("months", "meses"),
    "BURN": ("burned burnt burning burn burns", "quemo queme quemando quemandome quemarme quema"),
    "LIGHTER": (
        "lighter lighters cigarette cigarettes",
        "encendedor mechero cerillo cerillos cigarro",
    ),
    "TEMPT": ("tempting tempted", "tentador tentadora tentado tentada"),
    "TOWEL": (
        "towels towel gauze bandage bandages rag rags cloth",
        "toallas toalla gasa gasas venda vendas trapo trapos",
    ),
    "SPRAY": (
        "spraying sprayed fumigating fumigated fumigation pesticide pesticides insecticide "
        "herbicide weedkiller",
        "fumigando fumigar fumigue fumigo fumigaba fumigado fumigaron fumigacion plaguicida "
        "plaguicidas pesticida pesticidas herbicida",
    ),
    "PEST_SIGN": (
        "drooling vomiting vomited blurry blurred dizzy twitching sweating",
        "babeo babeando vomito vomitando borroso mareo mareado mareada sudando temblores",
    ),
    "CANNABIS": (
        "weed thc cannabis marijuana edible edibles",
        "mariguana marihuana mota cannabis thc",
    ),
    "SLEEPY": ("sleepy drowsy floppy", "dormida dormido adormilado adormilada somnoliento"),
    "BAND": ("belt band vice vise strap", "cinturon faja"),
    "SEPSIS_SIGN": ("mottled", "manchada manchado"),
}

ROUND10_EXPRESSIONS: dict[str, tuple[str, ...]] = {
    "PREGNANT": tuple(f"semana {n}" for n in _GESTATION),
    "PRETERM": (
        *(f"semana {n}" for n in _PRETERM),
        *(f"{n} weeks" for n in _PRETERM),
        *(f"{n} semanas" for n in _PRETERM),
    ),
    "SELF_HURT": (
        "carving into my",
        "carved into my",
        "been cutting",
        "cutting again",
        "started cutting",
        "burned myself",
        "burning myself",
        "burn myself",
        "me estoy quemando",
        "me sigo quemando",
        "quemandome la piel",
        "quemarme la piel",
    ),
    "SH_CUE": (
        "deeper this time",
        "para no sentir",
        "to feel something",
        "make the noise",
        "noise in my head",
        "to not feel",
    ),
    "DRIVE_INTO": (
        "driving into",
        "drive into",
        "drive off",
        "driving off",
        "crash my car",
        "crashing my car",
        "estrellarme",
        "estrellar el carro",
        "estrellar el coche",
        "chocar el carro",
        "chocar a proposito",
    ),
    "STOOL": ("hacer del bano", "haciendo del bano", "hago del bano", "hice del bano"),
    "DRUG_KIND": (
        "de las de la ansiedad",
        "de las de los nervios",
        "de las de dormir",
        "de las para dormir",
        "de las de la presion",
        "de las del dolor",
        "de las del corazon",
        "de las de la diabetes",
        "de las de la tiroides",
        "de las de la depresion",
        "de mis pastillas",
        "of my anxiety",
        "of my sleeping",
        "of my nerve",
    ),
    "TONGUE_ODD": (
        "lengua pesada",
        "lengua trabada",
        "lengua dormida",
        "tongue feels heavy",
        "heavy tongue",
        "tongue is heavy",
    ),
    "LOST_STRENGTH": (
        "se me fue la fuerza",
        "se le fue la fuerza",
        "no tengo fuerza",
        "no tiene fuerza",
        "sin fuerza",
        "lost strength",
        "no strength",
        "no grip",
    ),
    "DROOP": (
        "pulled down",
        "not same both sides",
        "not the same on both sides",
        "not the same both sides",
        "no es igual de los dos lados",
        "no esta igual de los dos lados",
    ),
    "SLUR": (
        "no se me entiende nada",
        "no se le entiende nada",
        "letras me salen mal",
        "letters come out wrong",
    ),
    "FINALITY": (
        "ya no me van a ver",
        "no me van a volver a ver",
        "no me volveran a ver",
        "wont see me again",
        "never see me again",
    ),
    "NOT_ANSWERING": (
        "no contesta",
        "no responde",
        "not answering",
        "isnt answering",
        "wont answer",
        "not responding",
    ),
    "SWOLLEN_SHUT": (
        "swollen shut",
        "swelled shut",
        "swelling shut",
        "cerrados de hinchados",
        "cerrados de lo hinchados",
        "no puede abrir los ojos",
    ),
    "PINPOINT": (
        "pinpoint pupils",
        "pupils are pinpoint",
        "tiny pupils",
        "pupilas como punta de alfiler",
        "pupilas chiquititas",
    ),
    "NEW": (
        "me pusieron",
        "le pusieron",
        "gave me a shot",
        "got a shot",
        "got the shot",
        "got my shot",
        "me vacunaron",
        "lo vacunaron",
        "la vacunaron",
    ),
    "SEPSIS_SIGN": (
        "frio y sudoroso",
        "fria y sudorosa",
        "cold and sweaty",
        "habla incoherencias",
        "piel como manchada",
    ),
    "CO_SIGN": ("dolor de cabeza", "head hurts", "headache", "mareados"),
    "INFECTION": ("infeccion de orina", "infeccion urinaria", "urine infection"),
}

# runs of words in which the flag words are not the symptom (vocabulary.IDIOMS)
ROUND10_IDIOMS: tuple[str, ...] = (
    # stroking a pet or one's hair is a caress, not a stroke
    "stroke|stroking|stroked|strokes my|the|his|her|our "
    "cat|cats|dog|dogs|puppy|kitten|pet|hair|beard",
    # talking in one's sleep
    "talk|talks|talking gibberish? in my|his|her|their sleep",
)

# concept id → the patterns added to it: (classes, window, ordered)
ROUND10_PATTERNS: dict[str, tuple[tuple[tuple[str, ...], int, bool], ...]] = {
    "cardiac": (
        (("HEART", "PAIN", "SWEAT"), 16, False),
        (("BAND", "RIBS"), 8, False),
        (("BAND", "CHEST"), 8, False),
    ),
    "stroke": (
        (("LOST_STRENGTH", "LIMB", "TONGUE_ODD"), 24, False),
        (("LOST_STRENGTH", "LIMB", "SLUR"), 24, False),
        (("FACE", "DROOP"), 8, False),
        (("SPEECH", "SLUR"), 6, False),
    ),
    "suicide_self_harm": (
        (("SELF_HURT", "SH_CUE"), 10, False),
        (("BURN", "LIGHTER", "SH_CUE"), 16, False),
        (("DRIVE_INTO", "TEMPT"), 20, False),
        (("SAVED", "PILLS", "DO_IT"), 14, False),
    ),
    "severe_bleeding": (
        (("CANT", "STOPV", "BLEED"), 4, True),
        (("SOAK", "TOWEL"), 5, False),
        (("VOMIT", "BLEED"), 3, True),
        (("STOOL", "BLEED"), 6, False),
    ),
    "overdose_poisoning": (
        (("TOOK", "COUNT", "DRUG_KIND"), 8, True),
        (("SPRAY", "PEST_SIGN"), 20, False),
        (("CHILD", "INGESTED", "CANNABIS"), 16, False),
        (("CHILD", "CANNABIS", "SLEEPY"), 20, False),
        (("PINPOINT",), 0, False),
        (("CO_SOURCE", "CO_CONTEXT", "CO_SIGN"), 24, False),
    ),
    "anaphylaxis": (
        (("INGESTED", "SWOLLEN_SHUT"), 14, False),
        (("ALLERGEN", "SWOLLEN_SHUT"), 14, False),
        (("ALLERGIC", "HOARSE"), 16, False),
        (("ALLERGEN", "SWELL", "HOARSE"), 16, False),
    ),
    "pregnancy": (
        (("PRETERM", "CONTRACT"), 12, False),
        (("COUNT", "MONTHS", "BELLY", "HARD"), 24, True),
    ),
    "seizure_unconscious": ((("FELL", "NOT_ANSWERING"), 10, False),),
    "new_med_allergy": (
        (("MED", "NEW", "RASH"), 18, False),
        (("SWITCHED", "MED", "RASH"), 18, False),
    ),
    "sepsis": (
        (("INFECTION", "HARD_WAKE"), 16, False),
        (("INFECTION", "SEPSIS_SIGN"), 20, False),
        (("FEVER", "SEPSIS_SIGN"), 20, False),
    ),
}
