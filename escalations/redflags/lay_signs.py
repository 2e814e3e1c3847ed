"""Signs told in lay or broken words (issue 15, seventh pass: after round 11).

Merged like ``families.py`` (``vocabulary.py`` adds :data:`LAY_CLASSES` and
:data:`LAY_EXPRESSIONS`; ``concepts.py`` appends :data:`LAY_PATTERNS`). Each entry is a kind of
wording, in English and Spanish, not a text:

* **a sudden head**: a head that exploded or is going to burst, a thunderclap in the head, a
  pain never felt before, light that cannot be borne, told with a sudden start, vomiting or
  each other;
* **a side not one's own** ("belongs to somebody else", "como si no fuera mío") and speech
  that is mushy or thick; a face that "fall down" on one side, in broken English;
* **breathing**: cannot lie flat with drowning or wheezing; whistling when breathing; a
  nebuliser or inhaler that "did nothing"; nails or lips turning blue written "blew";
* **cardiac**: a pain that goes up the neck, into the jaw or down the arm with sweating or
  breathlessness; a vice or a clamp with sweating; a knife driven into the chest ("le clavan");
* **collapse**: cannot rouse someone (a wake word); "sin conocimiento"; "se desplomó";
* **allergy**: an allergen with the face and breathing in few words ("eat nut, face big, no
  breathe good"); an eye swollen shut further from the sting; **new medication**: prescribed
  ("le mandaron"), days ago, anti-inflammatories; hives as "habones", "placas", itching all
  over (not an itch where the shot went);
* **poisoning signs**: pupils small as a point or huge with sweating or confusion;
* **bleeding**: passing pure blood in the urine, with clots or weakness; blood "a borbotones";
* **pregnancy**: pains that come and go every few minutes or a belly that goes hard before
  term (not headaches that come and go); early weeks with a one-sided or belly pain and
  fainting or a shoulder pain (ectopic); a
  pressure written as two numbers ("168 over 110": "blood pressure" itself is an idiom).
"""

from __future__ import annotations

__all__ = ["LAY_CLASSES", "LAY_EXPRESSIONS", "LAY_PATTERNS"]

_MINUTES = ("1", "2", "3", "4", "5", "6", "7", "8", "10", "dos", "tres", "cinco", "diez")
_EARLY_WEEKS = range(4, 15)

# name → (English words, Spanish words); a name the vocabulary has already is extended
LAY_CLASSES: dict[str, tuple[str, str]] = {
    # --- existing classes, broadened ---
    "PAIN": ("", "clavan clavando clavado clavada punalada punaladas cuchillada"),
    "SLUR": ("mushy muddled mumbly thick", "pastosa pastoso"),
    "WAKE": ("rouse rousing arouse", "despertarla despertarlo"),
    "BLUE": ("=blew", "moradas moraditas"),
    "RESCUE": ("nebuliser nebulisers nebulizers inhalers", "nebulizaciones nebulizacion"),
    "RASH": ("welts", "habones habon placas ronchitas"),
    "MED": ("antiinflammatory antiinflammatories", "antiinflamatorio antiinflamatorios"),
    "NEW": ("prescribed", "mandaron mando recetaron"),
    "FAINTISH": ("", "mareo mareos mareando"),
    "FLOW": ("", "borbotones borbotea borboteando"),
    # --- new classes ---
    "HEAD": ("head", "cabeza"),
    "PUKE": (
        "vomiting vomited puking puked threw throwing vomit",
        "vomito vomitando vomite vomitar vomita",
    ),
    "EXPLODE": (
        "exploded exploding explode explodes burst bursting",
        "exploto explotar explotara explota reventar revienta reviento",
    ),
    "PUPIL": ("pupils pupil", "pupilas pupila"),
    "PUPIL_SMALL": (
        "tiny pinpoint small pinpoints",
        "chiquita chiquitas chiquitita chiquititas pequena pequenas diminutas puntito",
    ),
    "PUPIL_BIG": ("huge dilated enormous giant", "enormes enorme dilatadas grandotas"),
    "AGITATED": (
        "sweating sweaty confused agitated disoriented",
        "suda sudando confundido confundida agitado agitada desorientado desorientada",
    ),
    "URINE": (
        "peeing pee urine urinating urinate",
        "orinando orino orina orinar pipi pis",
    ),
    "WEAK": ("weak faint dizzy", "debil mareado mareada"),
    "SHOULDER": ("shoulder shoulders", "hombro hombros"),
    "CARDIAC_SIGN": (
        "sweaty sweating clammy winded breathless puking vomiting nauseous",
        "sudando sudor sudoroso sudorosa vomitando nauseas",
    ),
    "UPPER": ("neck jaw arm shoulder back", "cuello mandibula brazo hombro espalda quijada"),
    "VICE": ("vice vise clamp", "prensa tenaza tenazas"),
    # a diastolic pressure written as a number after the systolic ("168 over 110", "160/105")
    "DIA_HIGH": (" ".join(str(number) for number in range(90, 151)), ""),
}

LAY_EXPRESSIONS: dict[str, tuple[str, ...]] = {
    "HEAD_BURST": (
        "head exploded",
        "head exploding",
        "head is exploding",
        "head was exploding",
        "head is going to explode",
        "head gonna explode",
        "head blew up",
        "head burst",
        "hit in the head with a bat",
        "hit with a baseball bat",
        "me exploto la cabeza",
        "le exploto la cabeza",
        "me va a explotar la cabeza",
        "le va a explotar la cabeza",
        "como si me explotara la cabeza",
        "como si le explotara la cabeza",
        "un martillazo en la cabeza",
        "un batazo en la cabeza",
    ),
    "WORST_EVER": (
        "never felt pain like",
        "never had pain like",
        "never felt anything like",
        "never had a headache like",
        "worst pain of my life",
        "worst pain ive ever",
        "worst pain i ever",
        "nunca habia sentido un dolor asi",
        "nunca he sentido un dolor asi",
        "nunca habia tenido un dolor asi",
        "nunca le habia dolido asi",
        "nunca me habia dolido asi",
    ),
    "LIGHT_HURTS": (
        "cant stand the light",
        "cant stand light",
        "light hurts",
        "light hurts my eyes",
        "hurts to look at light",
        "stiff neck",
        "no soporto la luz",
        "no soporta la luz",
        "le molesta la luz",
        "me molesta la luz",
        "me duele la luz",
        "cuello tieso",
        "cuello rigido",
    ),
    "ALIEN_SIDE": (
        "belongs to somebody else",
        "belongs to someone else",
        "belong to somebody else",
        "belong to someone else",
        "isnt mine",
        "not mine",
        "like its not mine",
        "como si no fuera mio",
        "como si no fuera mia",
        "como si fuera de otra persona",
        "como de otra persona",
        "no la siento mia",
        "no lo siento mio",
    ),
    "LIE_FLAT": (
        "cant lie flat",
        "cant lay flat",
        "cant lie down",
        "cant lay down",
        "cannot lie flat",
        "cannot lie down",
        "have to sleep sitting up",
        "sleeping sitting up",
        "no puedo acostarme",
        "no me puedo acostar",
        "no puede acostarse",
        "no se puede acostar",
        "tengo que dormir sentada",
        "tengo que dormir sentado",
    ),
    "DROWNING": (
        "drowning",
        "like im drowning",
        "underwater",
        "me ahogo",
        "se ahoga",
        "ahogandome",
        "ahogando se",
    ),
    "NO_HELP": (
        "did nothing",
        "does nothing",
        "didnt do anything",
        "didnt help",
        "doesnt help",
        "not helping",
        "isnt helping",
        "no effect",
        "no hizo nada",
        "no le hizo nada",
        "no me hizo nada",
        "no hace nada",
        "no le hace nada",
        "no me hace nada",
        "no sirvio",
        "no le sirvio",
        "no funciono",
    ),
    "RADIATE": (
        "goes up",
        "goes into",
        "goes down",
        "going up",
        "going down",
        "spreads to",
        "spreading to",
        "spreads up",
        "radiates",
        "radiating",
        "shoots up",
        "shooting up",
        "shoots down",
        "runs up",
        "runs down",
        "corre hasta",
        "se corre a",
        "se va a",
        "se va hacia",
        "sube a",
        "sube hasta",
        "sube al",
        "baja por",
        "baja al",
        "se extiende a",
        "se extiende al",
        "irradia",
        "se irradia",
    ),
    "FACE_FALL": (
        "face fall down",
        "face falling down",
        "face fall",
        "face falled",
        "face go down",
        "face gone down",
        "cara se cayo",
        "cara se le cayo",
        "cara caida",
    ),
    "UNCONSCIOUS": (
        "sin conocimiento",
        "sin conciencia",
        "perdio el sentido",
        "perdio el conocimiento",
        "se desplomo",
    ),
    "ALLERGEN": ("bee got me", "got stung", "me pico una", "le pico una"),
    "NEW": tuple(f"{n} days ago" for n in range(1, 15))
    + tuple(f"hace {n} dias" for n in range(1, 15))
    + ("le mandaron", "me mandaron", "le empezaron", "me empezaron"),
    "HIVES": ("le pica todo", "me pica todo", "itchy all over", "itching all over"),
    "RHYTHM": (
        *(f"every {n} minutes" for n in _MINUTES),
        *(f"cada {n} minutos" for n in _MINUTES),
        *(f"cada {n} minitos" for n in _MINUTES),
        "vienen y van",
        "come and go",
        "coming and going",
        "comes and goes",
    ),
    "EARLY_PREGNANT": (
        *(f"{n} weeks pregnant" for n in _EARLY_WEEKS),
        *(f"{n} wks pregnant" for n in _EARLY_WEEKS),
        *(f"{n} weeks along" for n in _EARLY_WEEKS),
        *(f"estoy de {n} semanas" for n in _EARLY_WEEKS),
        *(f"esta de {n} semanas" for n in _EARLY_WEEKS),
        *(f"embarazada de {n} semanas" for n in _EARLY_WEEKS),
        *(f"{n} semanas de embarazo" for n in _EARLY_WEEKS),
    ),
    "URINE_BLOOD": (
        "pura sangre",
        "puro sangre",
        "pure blood",
        "just blood",
        "all blood",
        "bright red",
    ),
}

# concept id → the patterns added to it: (classes, window, ordered)
LAY_PATTERNS: dict[str, tuple[tuple[tuple[str, ...], int, bool], ...]] = {
    "stroke": (
        (("HEAD_BURST", "SUDDEN"), 16, False),
        (("HEAD_BURST", "PUKE"), 24, False),
        (("HEAD_BURST", "LIGHT_HURTS"), 24, False),
        (("HEAD_BURST", "WORST_EVER"), 24, False),
        (("HEAD", "EXPLODE", "SUDDEN"), 16, False),
        (("HEAD", "EXPLODE", "PUKE"), 24, False),
        (("HEAD", "EXPLODE", "LIGHT_HURTS"), 24, False),
        (("HEAD", "EXPLODE", "WORST_EVER"), 24, False),
        (("WORST_EVER", "LIGHT_HURTS"), 24, False),
        (("THUNDERCLAP", "HEAD", "WORST_EVER"), 20, False),
        (("THUNDERCLAP", "HEAD", "SUDDEN"), 12, False),
        (("HEADACHE", "SUDDEN", "LIGHT_HURTS"), 24, False),
        (("SIDE", "ALIEN_SIDE"), 8, False),
        (("LIMB", "ALIEN_SIDE"), 8, False),
        (("SIDE", "FACE_FALL"), 4, False),
        (("SIDE", "FACE", "FELL"), 5, True),
    ),
    "breathing": (
        (("LIE_FLAT", "DROWNING"), 12, False),
        (("LIE_FLAT", "WHEEZE"), 16, False),
        (("LIE_FLAT", "BREATHE"), 10, False),
        (("LIE_FLAT", "CHOKE"), 10, False),
        (("WHEEZE", "BREATHE"), 4, False),
        (("RESCUE", "NO_HELP"), 8, False),
        (("ASTHMA", "NO_HELP"), 12, False),
    ),
    "cardiac": (
        (("PAIN", "RADIATE", "UPPER", "CARDIAC_SIGN"), 20, False),
        (("VICE", "CARDIAC_SIGN"), 14, False),
        (("VICE", "CHEST"), 10, False),
    ),
    "anaphylaxis": (
        (("ALLERGEN", "FACE", "BREATHE"), 8, False),
        (("ALLERGEN", "SWOLLEN_SHUT"), 26, False),
    ),
    "new_med_allergy": (
        (("MED", "NEW", "RASH"), 24, False),
        (("MED", "NEW", "HIVES"), 24, False),
    ),
    "overdose_poisoning": (
        (("PUPIL", "PUPIL_SMALL"), 4, False),
        (("PUPIL", "PUPIL_BIG", "AGITATED"), 14, False),
    ),
    "severe_bleeding": (
        (("URINE", "BLEED", "CLOTS"), 8, False),
        (("URINE", "URINE_BLOOD"), 4, False),
        (("URINE", "BLEED", "WEAK"), 12, False),
    ),
    "pregnancy": (
        (("PRETERM", "PAIN", "RHYTHM"), 20, False),
        (("PRETERM", "BELLY", "RHYTHM"), 20, False),
        (("PRETERM", "BELLY", "HARD"), 16, False),
        (("PREGNANT", "PAIN", "SIDE", "FAINTISH"), 30, False),
        (("EARLY_PREGNANT", "PAIN", "SIDE", "SHOULDER"), 30, False),
        (("EARLY_PREGNANT", "PAIN", "BELLY", "SHOULDER"), 30, False),
        (("EARLY_PREGNANT", "PAIN", "FAINTISH"), 30, False),
        (("EARLY_PREGNANT", "BLEED", "PAIN"), 24, False),
        (("PREGNANT", "SYS_HIGH", "DIA_HIGH"), 16, False),
    ),
}
