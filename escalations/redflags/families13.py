"""Round 13's families (issue 15, ninth pass: after the thirteenth blind round).

Merged like ``families12.py`` (``vocabulary.py`` adds :data:`ROUND13_CLASSES`,
:data:`ROUND13_EXPRESSIONS` and :data:`ROUND13_IDIOMS`; ``concepts.py`` appends
:data:`ROUND13_PATTERNS`). Each entry is a kind of wording, in English and Spanish, not a text:

* **a baby older than three months** (its age: "9mo", "7 month old", "bebé de 9 meses") with a
  fever **and** a sign of serious illness (floppy, limp, "flojito", "todo aguado", hard to
  wake, not feeding, a high-pitched cry, a rash that does not fade, "está ardiendo"); a
  bulging soft spot ("mollera abultada") with a fever; a young infant's weeks written "8wk
  old". A plain fever in an older baby is still no infant fever (the idiom in phrases.py):
  the age is read as :data:`ROUND13_UNVETOED` for these patterns only;
* **a farewell told as care no longer needed**: all one's appointments cancelled "I won't
  need them" ("ya no las voy a necesitar"), or with "I've made my decision"; belongings given
  away with "everyone would be better off" or "sorry for everything"; a wish not to wake up
  ("ojalá no despertar");
* **choking**: "se atoró con" with no cough or speech; stridor told as a high-pitched or
  squeaky noise when breathing ("ruido agudo al respirar");
* **an asthma attack** with the inhaler not working ("el puff no funciona");
* **overdose**: a sedative (Xanax, diazepam …) with someone hard to keep awake, slurring or
  "out of it"; a week of a pill organiser taken at once; a count of pills asked about and
  "I already did"; a child who drank the syrup with the bottle near empty; a pill named by its
  use ("una pastilla de la presión") eaten by a child;
* **bleeding** through a dressing ("traspasa el vendaje"); a toilet full of blood;
* **anaphylaxis**: welts or hives with feeling faint; a tongue too big for the mouth ("la
  lengua no me cabe en la boca");
* **pregnancy**: months told as "7 months along", "mi esposa tiene 7 meses" with a fit or a
  seizure; the baby moving less with the weeks;
* **a new medicine** with the lips or face swelling, wheezing, or trouble swallowing; "pain
  killer" written as two words;
* **sepsis**: rigors ("tiritona"), no urine ("no he meado"), not thinking straight;
* **cardiac**: the chest held or named, a pain word further away, and sweating;
* **stroke**: a hand or an arm on one side that "isn't working"; words mixed up with a limb,
  the face or a sudden start;
* **seizure**: a fit had with shaking, confusion or "never had one before"; dropped to the
  floor and twitching; an "ataque" with shaking for minutes;
* idioms: dates "blacked out" on a calendar; "se me paró el corazón cuando supe".
"""

from __future__ import annotations

__all__ = [
    "ROUND13_CLASSES",
    "ROUND13_EXPRESSIONS",
    "ROUND13_IDIOMS",
    "ROUND13_PATTERNS",
    "ROUND13_UNVETOED",
]

_OLDER = range(3, 13)  # months of life: older than the young infant of families12.py
_INFANT_ES = ("bebe", "bebito", "bebita", "nena", "nene", "bb")
_INFANT_EN = ("baby", "bub", "little one")
_PREG_MONTHS = range(4, 10)
_PARTNER_ES = ("esposa", "mujer", "novia", "pareja", "hija", "nuera")

# name → (English words, Spanish words); a name the vocabulary has already is extended
ROUND13_CLASSES: dict[str, tuple[str, str]] = {
    # --- existing classes, broadened ---
    "HIVES": ("wheals", "habones habon"),
    "SEPSIS_SIGN": ("rigors", "tiritona tiritera tiritando"),
    # --- new classes ---
    "WELTS": ("welts welt hives wheals", "habones habon ronchas urticaria"),
    "SEDATIVE": (
        "xanax alprazolam valium diazepam klonopin clonazepam ativan lorazepam benzo benzos "
        "benzodiazepine benzodiazepines ambien zolpidem temazepam",
        "xanax alprazolam valium diazepam clonazepam rivotril lorazepam benzodiacepinas zolpidem",
    ),
    "DRESSING": ("dressing dressings bandage bandages gauze", "vendaje vendajes venda vendas gasa"),
    "THROUGH": ("through thru", "traspasa traspasando traspaso atraviesa atravesando"),
    "TOILET": ("toilet toilets loo", "inodoro excusado retrete"),
    "FULL": ("full", "lleno llena llenos llenas"),
    "FONTANELLE": ("fontanelle fontanel fontanelles", "mollera fontanela"),
    "BULGE": ("bulging bulges bulge bulged swollen", "abultada abultado hinchada sobresale"),
    "MINUTES": ("minutes mins minute", "minutos minuto"),
    "INFANT_SIGN": (
        "floppy limp lethargic",
        "flojito flojita flojo floja aguado aguada aguadito aguadita decaido decaida",
    ),
}

ROUND13_EXPRESSIONS: dict[str, tuple[str, ...]] = {
    # a young infant's weeks written "8wk old" (families12.py has "8 wks old")
    "YOUNG_INFANT": tuple(
        f"{n}{unit} old" for n in range(1, 13) for unit in ("wk", "wks", "w", "wo")
    ),
    # an older baby's age: not an infant for a plain fever (phrases.py), an age for the
    # patterns below (ROUND13_UNVETOED)
    "OLDER_INFANT": (
        *(f"{n} {unit} old" for n in _OLDER for unit in ("month", "months", "mo", "mos")),
        *(f"{n}{unit}" for n in _OLDER for unit in ("mo", "mos")),
        *(f"{n}{unit} old" for n in _OLDER for unit in ("mo", "mos", "m")),
        *(f"{noun} is {n} months" for noun in _INFANT_EN for n in _OLDER),
        *(f"{noun} de {n} meses" for noun in _INFANT_ES for n in _OLDER),
        *(f"{noun} {n} meses" for noun in _INFANT_ES for n in _OLDER),
        *(f"{noun} tiene {n} meses" for noun in _INFANT_ES for n in _OLDER),
    ),
    "INFANT_SIGN": (
        "wont feed",
        "not feeding",
        "isnt feeding",
        "wont eat",
        "high pitched cry",
        "weird cry",
        "strange cry",
        "no come",
        "no quiere comer",
        "no quiere el pecho",
        "no quiere tomar",
        "llora raro",
        "llanto agudo",
        "llanto raro",
    ),
    "FEVER_HOT": ("burning up", "esta ardiendo", "ardiendo en fiebre", "hirviendo en fiebre"),
    "NOFADE": (
        "doesnt go when",
        "dont go when",
        "doesnt disappear when",
        "dont disappear when",
        "no se quitan cuando",
        "no se quita cuando",
        "no se van cuando",
        "no se va cuando",
        "aprieto un vaso",
        "apretar un vaso",
        "presiono un vaso",
        "presionar un vaso",
    ),
    "FONTANELLE": ("soft spot",),
    # choking: "se atoró con un pedazo" (families12.py has "se me atoró")
    "STUCK_THROAT": (
        "se atoro con",
        "se atoraron con",
        "me atore con",
        "se atraganto con",
        "se ahogo con un pedazo",
    ),
    # stridor told as a noise
    "STRIDOR": (
        "high pitched noise",
        "high pitched sound",
        "high pitched squeaky",
        "squeaky noise",
        "squeaky sound",
        "squeaking noise",
        "ruido agudo",
        "sonido agudo",
        "chillido al respirar",
    ),
    # a rescue inhaler by a lay name; "not working" as no help
    "RESCUE": ("el puff", "mi puff", "su puff", "the puffer", "my puffer", "his puffer"),
    "NO_HELP": (
        "no funciona",
        "no me funciona",
        "no le funciona",
        "no esta funcionando",
        "isnt working",
        "not working",
        "doesnt work",
        "no hace nada",
    ),
    # a farewell told as care no longer needed
    "CANCEL_ALL": (
        *(
            f"{verb} {all_} {my} {what}"
            for verb in ("cancel", "cancelling", "canceling")
            for all_ in ("all", "all of")
            for my in ("my", "her", "his", "my future", "my upcoming", "the rest of my")
            for what in ("appointments", "appts", "appt", "bookings", "visits")
        ),
        *(
            f"{verb} todas {my} citas"
            for verb in ("cancelen", "cancela", "cancelar", "cancelan", "cancelenme", "cancelame")
            for my in ("mis", "sus")
        ),
    ),
    "WONT_NEED": (
        "wont need them",
        "wont be needing them",
        "wont need any of them",
        "no longer need them",
        "dont need them anymore",
        "wont need it anymore",
        "no las voy a necesitar",
        "no los voy a necesitar",
        "ya no las necesito",
        "ya no las voy a necesitar",
        "no voy a necesitar las",
        "no las necesitare",
    ),
    "DECIDED": (
        "made my decision",
        "ive made my decision",
        "my decision is made",
        "tome mi decision",
        "ya tome la decision",
        "ya tome mi decision",
    ),
    "GIVING_AWAY": (
        *(
            f"{verb} {whose} {what} away"
            for verb in ("giving", "gave", "given")
            for whose in ("his", "her", "my", "their", "all his", "all her", "all my")
            for what in ("stuff", "things", "belongings")
        ),
        *(
            f"{verb} away {whose} {what}"
            for verb in ("giving", "gave", "given")
            for whose in ("his", "her", "my", "their", "all his", "all her", "all my")
            for what in ("stuff", "things", "belongings")
        ),
        *(
            f"{verb} {whose} cosas"
            for verb in ("regalando", "regalo", "regala", "regalo todas")
            for whose in ("sus", "mis", "todas sus", "todas mis")
        ),
    ),
    # a passive wish to die
    "WISH_NO_WAKE": (
        "ojala no despertar",
        "ojala no despierte",
        "ojala no me despierte",
        "ojala ya no despertar",
        "quisiera no despertar",
        "quiero dormir y no despertar",
        "dormir me y no despertar",
        "wish i wouldnt wake up",
        "wish i didnt wake up",
        "hope i dont wake up tomorrow",
        "hope i never wake up",
        "wish i would never wake up",
        "go to sleep and not wake up",
        "go to sleep and never wake up",
    ),
    # overdose: drowsy from a sedative; a week of pills at once; already taken
    "DROWSY": (
        "hard to keep awake",
        "hard to keep him awake",
        "hard to keep her awake",
        "cant keep him awake",
        "cant keep her awake",
        "out of it",
        "casi no despierta",
        "no se mantiene despierto",
        "no se mantiene despierta",
    ),
    "PILLBOX": (
        "pill organiser",
        "pill organizer",
        "pill organisers",
        "pill organizers",
        "pill box",
        "pillbox",
        "dosette",
        "blister pack",
        "pastillero",
        "organizador de pastillas",
    ),
    "AT_ONCE": (
        "at once",
        "in one go",
        "whole week",
        "de una vez",
        "de golpe",
        "todas juntas",
        "toda la semana",
    ),
    "ALREADY_DID": (
        "i already did",
        "already did",
        "already took them",
        "already took it",
        "already taken them",
        "ya lo hice",
        "ya me las tome",
        "ya me los tome",
        "ya las tome",
        "ya los tome",
    ),
    # a pill named by its use keeps its class inside the idiom that vetoes it (UNVETOED)
    "PILL_BY_USE": (
        *(
            f"{pill} {prep} {what}"
            for pill in ("pastilla", "pastillas", "pastillita")
            for prep in ("de la", "para la")
            for what in ("presion", "tension", "azucar", "diabetes")
        ),
        "blood pressure pill",
        "blood pressure pills",
        "blood pressure tablet",
        "blood pressure tablets",
    ),
    "MED": ("pain killer", "pain killers", "pain pill"),
    # bleeding
    "BLEED": ("bleading",),
    # anaphylaxis: a tongue too big for the mouth
    "TONGUE_BIG": (
        "tongue feels too big",
        "tongue is too big",
        "tongue too big",
        "tongue feels huge",
        "lengua no me cabe",
        "lengua no le cabe",
        "no me cabe la lengua",
        "no le cabe la lengua",
    ),
    # pregnancy told in months
    "PREGNANT": (
        *(f"{n} months along" for n in _PREG_MONTHS),
        *(f"{n} months gone" for n in _PREG_MONTHS),
        *(f"{who} tiene {n} meses" for who in _PARTNER_ES for n in _PREG_MONTHS),
        *(f"{who} esta de {n} meses" for who in _PARTNER_ES for n in _PREG_MONTHS),
    ),
    # sepsis: no urine, not thinking straight
    "SEPSIS_SIGN": (
        "no he meado",
        "no he orinado",
        "no he hecho pipi",
        "no ha orinado",
        "no ha hecho pipi",
        "havent peed",
        "hasnt peed",
        "not peed",
        "havent had a wee",
        "no puedo pensar bien",
        "no puede pensar bien",
        "cant think straight",
        "cant think clearly",
    ),
    # stroke: words mixed up
    "SPEECH_MIXED": (
        "mixing up words",
        "mixing up his words",
        "mixing up her words",
        "mixing his words up",
        "mixing her words up",
        "words mixed up",
        "words all mixed up",
        "confunde las palabras",
        "revuelve las palabras",
        "mezcla las palabras",
    ),
    # seizure: a fit with no earlier one
    "NEVER_BEFORE": (
        "never had one before",
        "never had one",
        "first one ever",
        "first time ever",
        "nunca le habia dado",
        "nunca le habia pasado",
        "primera vez que le da",
    ),
}

# concept id → the patterns added to it: (classes, window, ordered)
ROUND13_PATTERNS: dict[str, tuple[tuple[tuple[str, ...], int, bool], ...]] = {
    "infant_fever": (
        (("OLDER_INFANT", "FEVER", "INFANT_SIGN"), 24, False),
        (("OLDER_INFANT", "FEVER", "HARD_WAKE"), 24, False),
        (("OLDER_INFANT", "FEVER", "NOFADE"), 24, False),
        (("INFANT", "FEVER", "INFANT_SIGN"), 24, False),
        (("INFANT", "FEVER", "NOFADE"), 24, False),
        (("INFANT", "FEVER_HOT", "NOFADE"), 24, False),
        (("FONTANELLE", "BULGE", "FEVER"), 20, False),
    ),
    "suicide_self_harm": (
        (("CANCEL_ALL", "WONT_NEED"), 16, False),
        (("CANCEL_ALL", "DECIDED"), 24, False),
        (("GIVING_AWAY", "BETTER_OFF"), 30, False),
        (("GIVING_AWAY", "SORRY_ALL"), 30, False),
        (("WISH_NO_WAKE",), 0, False),
    ),
    "breathing": (
        (("STRIDOR", "BREATHE"), 8, False),
        (("RESCUE", "NO_HELP"), 8, False),
    ),
    "overdose_poisoning": (
        (("SEDATIVE", "HARD_WAKE"), 24, False),
        (("SEDATIVE", "DROWSY"), 24, False),
        (("SEDATIVE", "SLUR"), 24, False),
        (("SEDATIVE", "SLOW_BREATH"), 24, False),
        (("OPIOID", "DROWSY"), 24, False),
        (("PILLBOX", "TOOK", "AT_ONCE"), 20, False),
        (("TAKE", "COUNT", "PILLS", "ALREADY_DID"), 20, False),
        (("TAKE", "COUNT", "MED", "ALREADY_DID"), 20, False),
        (("CHILD", "TOOK", "PILLS", "EMPTY"), 16, False),
        (("CHILD", "INGESTED", "PILL_BY_USE"), 10, False),
    ),
    "severe_bleeding": (
        (("BLEED", "THROUGH", "DRESSING"), 8, False),
        (("SOAK", "DRESSING"), 5, False),
        (("TOILET", "FULL", "BLEED"), 6, False),
    ),
    "anaphylaxis": (
        (("WELTS", "FAINTISH"), 16, False),
        (("TONGUE_BIG",), 0, False),
    ),
    "pregnancy": (
        (("PREGNANT", "SEIZURE"), 16, False),
        (("PREGNANT", "FIT"), 16, False),
        (("PREG_WEEKS", "SEIZURE"), 16, False),
        (("PREG_WEEKS", "MOVE", "LESS"), 20, False),
        (("PREGNANT", "MOVE", "LESS"), 20, False),
    ),
    "new_med_allergy": (
        (("MED", "NEW", "SWELL", "MOUTH_PARTS"), 24, False),
        (("MED", "NEW", "SWELL", "FACE"), 24, False),
        (("PILL_BY_USE", "NEW", "SWELL", "MOUTH_PARTS"), 24, False),
        (("MED", "NEW", "WHEEZE"), 24, False),
        (("MED", "NEW", "TROUBLE", "SWALLOW"), 24, False),
        (("MED", "NEW", "CANT", "SWALLOW"), 24, False),
    ),
    "cardiac": (
        (("CHEST", "PAIN", "CARDIAC_SIGN"), 16, False),
        (("GRABBED", "CHEST", "CARDIAC_SIGN"), 16, False),
    ),
    "stroke": (
        (("LEFTRIGHT", "LIMB", "WONT", "WORK"), 5, True),
        (("SPEECH_MIXED", "LIMB"), 20, False),
        (("SPEECH_MIXED", "FACE"), 20, False),
        (("SPEECH_MIXED", "SUDDEN"), 16, False),
    ),
    "seizure_unconscious": (
        (("FIT", "SHAKE"), 8, False),
        (("FIT", "CONFUSED"), 12, False),
        (("FIT", "DROWSY"), 12, False),
        (("FIT", "NEVER_BEFORE"), 12, False),
        (("FELL", "FLOOR", "JERK"), 6, False),
        (("ATTACK", "SHAKE", "MINUTES"), 12, False),
    ),
}

# the expressions an idiom does not take their class from (matcher.engine): an older baby's
# age is no infant for a plain fever, but an age with a fever and a sign of serious illness; a
# pill named by its use ("pastilla de la presión") is a pill a child can eat; a pill organiser
# is no pill for a count, but where a week of pills taken at once comes from
ROUND13_UNVETOED: frozenset[str] = frozenset({"OLDER_INFANT", "PILL_BY_USE", "PILLBOX"})

# runs of words in which the flag words are not the symptom (vocabulary.IDIOMS has the syntax)
ROUND13_IDIOMS: tuple[str, ...] = (
    # dates blacked out on a calendar
    "blacked|black|blacking out my|the|those|these|some|a calendar|dates|date|days|day|week"
    "|weekend|schedule|diary|windows|name|names|details",
    # a heart that stopped with surprise at news ("se me paró el corazón cuando supe")
    "se me paro|detuvo el corazon cuando|al supe|vi|lei|escuche|oi|me|saber|ver|leer|escuchar",
    "my heart stopped when i saw|heard|read|found|got|opened",
    # a dressing bled through "a little": a spot, not a flow ("bled right through the dressing"
    # stays a flag)
    "through my|the|his|her bandage|bandages|dressing|dressings|gauze|plaster a little|bit",
    "traspaso|traspasa un poco|poquito el|la vendaje|venda|gasa",
)
