"""Round 12's families (issue 15, eighth pass: after the twelfth blind round).

Merged like ``families.py`` (``vocabulary.py`` adds :data:`ROUND12_CLASSES`,
:data:`ROUND12_EXPRESSIONS` and :data:`ROUND12_IDIOMS`; ``concepts.py`` appends
:data:`ROUND12_PATTERNS`). Each entry is a kind of wording, in English and Spanish, not a text:

* **a young infant by its age** ("is 7 weeks", "2 months", "9 días", "bebé de 7 semanas",
  "born last month") with a fever word or a temperature written as a number (38.2, 100.8,
  "38 grados") further away than a baby word may be: any fever under three months is urgent;
* **a farewell told as thanks or a last message** ("this is my last message", "thank you for
  everything", "it wasn't her fault", "ya no va a tener que verme", "sorry for everything"
  with a note); a means told with "won't be around"; a train or a bus stepped in front of;
  pills saved up for tonight; "ya lo decidí" as finality; "what happens if I take all my
  pills", asked;
* **choking told as food stuck** in the throat with no cough, speech or breath;
* **an allergen's swelling** told as lips "blowing up", "labios gordos", a hoarse voice, a
  lump in the throat; tree nuts by name;
* **pregnancy**: weeks written "33 sem"; tightenings as contractions; a gush or a leak of
  water; not feeling the baby move in the subjunctive ("no siento que se mueva"); blurred
  sight in late pregnancy;
* **sepsis**: after surgery, or with a line or a catheter, two signs (shaking, racing,
  rambling); "no sabe ni dónde está";
* **new medication**: commenced, an infusion, switched to ("me cambió al"), lumps all over,
  urticarial; UK drug names (co-codamol, co-amoxiclav);
* **overdose**: a child who ate a count of pills, or pills thought to be sweets; an opioid or
  "something" taken with someone who cannot be woken or breathes slowly; insulin units
  "instead of" the usual; "se me pasó la mano";
* **cardiac**: jaw and arm aching together with a cardiac sign; the sternum in Spanish;
* **stroke**: one side that feels heavy; everything "went double";
* **seizure**: a fit had, with a duration; seizures back to back; not coming round;
* idioms: a choking hazard or drill, "every headache is a stroke", "para no pasarme", gum or a
  seed swallowed, "casi se desmaya", "no fever, breathing fine".
"""

from __future__ import annotations

__all__ = ["ROUND12_CLASSES", "ROUND12_EXPRESSIONS", "ROUND12_IDIOMS", "ROUND12_PATTERNS"]

_YOUNG = range(1, 13)  # weeks of life
_DAYS = range(1, 31)
_MONTHS = ("1", "2", "one", "two", "a")
_MESES = ("1", "2", "un", "dos")
_INFANT_ES = ("bebe", "bebito", "bebita", "nena", "nene", "nino", "nina", "hijo", "hija")
_PREG_WEEKS = range(20, 43)
# name → (English words, Spanish words); a name the vocabulary has already is extended
ROUND12_CLASSES: dict[str, tuple[str, str]] = {
    # --- existing classes, broadened ---
    # a temperature written as a number is a fever already (matcher.engine)
    "FEVER": ("", "temp calientito calientita calientitos hirviendo"),
    "CHEST": ("", "esternon"),
    "CONTRACT": ("tightenings tightening", ""),
    "PREGNANT": ("preg", ""),
    "MOVE": ("", "mueva muevan movia"),
    "ALLERGEN": (
        "cashew cashews almond almonds pistachio pistachios walnut walnuts pecan pecans "
        "hazelnut hazelnuts",
        "anacardo anacardos almendra almendras pistache pistaches pistacho pistachos nuez",
    ),
    "SWELL": ("", "gordos gordas"),
    "HOARSE": ("", "ronquera"),
    "MED": (
        "codamol cocodamol amoxiclav coamoxiclav flucloxacillin trimethoprim infusion "
        "infusions mirtazapine amitriptyline pregabalin zopiclone quetiapine",
        "infusion amoxiclav",
    ),
    "PILLS": (
        "codamol cocodamol dihydrocodeine amitriptyline pregabalin zopiclone quetiapine "
        "mirtazapine sertraline",
        "sertralina calmantes",
    ),
    "NEW": ("commenced", ""),
    "RASH": ("urticarial", ""),
    "SEPSIS_SIGN": ("rambling freezing", "delira"),
    # --- new classes ---
    "JAW": ("jaw", "mandibula quijada"),
    "ARM": ("arm arms", "brazo brazos"),
    "SURGERY": (
        "surgery operation op gallbladder appendix appendectomy csection caesarean cesarean "
        "hysterectomy",
        "cirugia operacion operaron opere cesarea",
    ),
    "OPIOID": (
        "fentanyl heroin opioid opioids oxy oxycodone morphine methadone",
        "fentanilo heroina opioide opioides morfina metadona",
    ),
    "LASTED": ("lasted lasting", "duro duraron"),
    "BLURRY": ("blurry blurred", "borroso borrosa"),
    "COUGH_TALK": ("cough talk speak breathe", "toser hablar respirar"),
    "TAKE_ANY": ("take taking swallow", "tomar tomo tomarme tomarmelas tomarlas tomarmelos"),
    "STUCK": ("stuck lodged", "atorado atorada atascado atascada"),
}

ROUND12_EXPRESSIONS: dict[str, tuple[str, ...]] = {
    "YOUNG_INFANT": (
        *(f"is {n} weeks" for n in _YOUNG),
        *(f"{n} weeks old" for n in _YOUNG),
        *(f"{n} week old" for n in _YOUNG),
        *(f"{n} wks old" for n in _YOUNG),
        *(f"{n} days old" for n in _DAYS),
        *(f"{n} day old" for n in _DAYS),
        *(f"is {n} days" for n in _DAYS),
        *(f"is {n} months" for n in _MONTHS),
        *(f"is {n} month" for n in _MONTHS),
        "born last week",
        "born last month",
        "born this month",
        *(f"{noun} de {n} semanas" for noun in _INFANT_ES for n in _YOUNG),
        *(f"{noun} {n} semanas" for noun in _INFANT_ES for n in _YOUNG),
        *(f"{noun} de {n} dias" for noun in _INFANT_ES for n in _DAYS),
        *(f"{noun} de {n} meses" for noun in _INFANT_ES for n in _MESES),
        *(f"{noun} de {n} mes" for noun in _INFANT_ES for n in _MESES),
        *(f"tiene {n} dias" for n in _DAYS),
        *(f"{n} dias de nacido" for n in _DAYS),
        *(f"{n} dias de nacida" for n in _DAYS),
        *(f"{n} semanas de nacido" for n in _YOUNG),
        *(f"{n} semanas de nacida" for n in _YOUNG),
        "nacio el mes pasado",
        "nacida el mes pasado",
        "nacido el mes pasado",
    ),
    "FEVER": tuple(f"{n} grados" for n in ("38", "39", "40", "41")),
    # asking what taking all of them would do (a veiled intent, asked as a question)
    "WHAT_IF_ALL": tuple(
        f"{ask} {take} {amount}"
        for ask in ("what happens if i", "what would happen if i", "what if i")
        for take in ("take", "took", "swallow", "swallowed")
        for amount in ("all", "the whole", "all of")
    )
    + tuple(
        f"{ask} {take} {amount}"
        for ask in ("que pasa si me", "que pasaria si me", "que me pasa si me")
        for take in ("tomo", "tomara", "trago")
        for amount in ("todas", "todos", "toda", "todo")
    ),
    "LAST_MESSAGE": (
        "my last message",
        "this is my last",
        "the last time youll hear from me",
        "mi ultimo mensaje",
        "este es mi ultimo",
        "la ultima vez que me escriben",
    ),
    "THANKS_ALL": (
        "thank you for everything",
        "thanks for everything",
        "thank you for trying",
        "thanks for trying",
        "thank you for all you did",
        "gracias por todo",
        "gracias por intentarlo",
        "gracias por intentar",
    ),
    "NOT_FAULT": (
        "wasnt her fault",
        "wasnt his fault",
        "wasnt your fault",
        "not your fault",
        "isnt your fault",
        "not her fault",
        "not his fault",
        "no fue su culpa",
        "no es su culpa",
        "no fue tu culpa",
        "no es tu culpa",
        "no fue culpa de",
        "no es culpa de",
    ),
    "NO_MORE_SEE": (
        "wont have to see me",
        "wont need to see me",
        "wont have to deal with me",
        "no va a tener que verme",
        "no vas a tener que verme",
        "no van a tener que verme",
        "no tendra que verme",
        "no tendras que verme",
        "no tendran que verme",
        "no tendran que aguantarme",
    ),
    "SORRY_ALL": (
        "sorry for everything",
        "sorry about everything",
        "perdon por todo",
        "perdonen por todo",
        "perdoname por todo",
        "lo siento por todo",
        "lo siento todo",
    ),
    "GONE_SOON": (
        "wont be around next week",
        "wont be around anyway",
        "wont be around much longer",
        "not be around much longer",
        "wont be around for long",
        "no voy a estar la proxima semana",
        "ya no voy a estar aqui",
    ),
    "FINALITY": (
        "ya lo decidi",
        "ya lo tengo decidido",
        "lo tengo decidido",
        "ive made up my mind",
        "my mind is made up",
        "ive decided",
    ),
    "TRAIN_MEANS": (
        *(
            f"{verb} in front of {article} {vehicle}"
            for verb in ("step", "stepping", "stepped", "jump", "jumping", "walk", "walking")
            for article in ("a", "the")
            for vehicle in ("train", "bus", "truck", "lorry", "car")
        ),
        "under a train",
        "onto the tracks",
        "on the tracks",
        "tirarme al tren",
        "tirarme a las vias",
        "aventarme al tren",
        "aventarme a las vias",
        "lanzarme al tren",
        "lanzarme a las vias",
        "debajo del tren",
        "delante del tren",
    ),
    "STUCK_THROAT": (
        *(f"stuck in {owner} throat" for owner in ("my", "his", "her", "their", "the")),
        "atorado en la garganta",
        "atorada en la garganta",
        "atorado en su garganta",
        "se le atoro",
        "se me atoro",
        "se atraganto",
        "atragantado",
        "atragantada",
    ),
    "LIPS_BIG": (
        "lips are blowing up",
        "lips blowing up",
        "face and lips are blowing up",
        "face blowing up",
        "labios gordos",
        "labios hinchados",
        "labios inflamados",
        "boca como dormida",
        "boca dormida",
        "lengua dormida",
        "lengua como dormida",
    ),
    "THROAT_LUMP": (
        "lump in my throat",
        "lump in his throat",
        "lump in her throat",
        "something in my throat",
        "throat feels tight",
        "throat is tight",
        "throat tight",
        "throat closing",
        "nudo en la garganta",
        "garganta cerrada",
        "garganta rara",
        "se me cierra la garganta",
    ),
    "GUSH": (
        "gush of water",
        "gush of fluid",
        "gush of liquid",
        "leaking fluid",
        "leaking water",
        "fluid leaking",
        "water leaking",
        "trickle of water",
        "me bajo agua",
        "me salio agua",
        "chorro de agua",
        "me mojé toda",
        "se me rompio la fuente",
        "rompi fuente",
        "rompio fuente",
    ),
    "PREG_WEEKS": (
        *(f"{n} sem" for n in _PREG_WEEKS),
        *(f"{n} sems" for n in _PREG_WEEKS),
        *(f"{n} semanas" for n in _PREG_WEEKS),
        *(f"{n} weeks" for n in _PREG_WEEKS),
    ),
    "PRETERM": tuple(f"{n} {unit}" for n in range(20, 37) for unit in ("sem", "sems", "semanas")),
    "VISION_DOUBLE": ("went double", "gone double", "goes double", "todo doble"),
    "SEPSIS_SIGN": (
        "no sabe ni donde esta",
        "no sabe ni quien es",
        "no sabe ni que dia es",
        "doesnt even know where he is",
        "doesnt even know where she is",
        "shaking uncontrollably",
        "uncontrollable shaking",
        "cant stop shaking",
        "no para de temblar",
        "como de trapo",
    ),
    "SWITCHED": (
        "me cambio al",
        "me cambio a",
        "le cambio al",
        "le cambio a",
        "me cambiaron al",
        "le cambiaron al",
        "switched me to",
        "changed me to",
        "changed him to",
        "changed her to",
    ),
    "RASH": ("lumps all over", "bumps all over"),
    "SURGERY": (
        "c section",
        "had surgery",
        "operated on",
        "me operaron",
        "lo operaron",
        "la operaron",
    ),
    "MED": ("iron infusion",),
    "UNCONSCIOUS": (
        "no recupera la conciencia",
        "no recupera el conocimiento",
        "no vuelve en si",
        "not coming round",
        "hasnt come round",
        "doesnt come round",
        "not come round",
    ),
    "SEIZURE": (
        "crisis tras crisis",
        "crisis epileptica",
        "crisis epilepticas",
        "crisis convulsiva",
    ),
    "OVERDID": ("se me paso la mano", "se le paso la mano", "me pase de la dosis"),
    # a dose instead of the usual one ("60 unidades en vez de 16"; "40 units" is an idiom)
    # a fit had (not "fit" the adjective: "I'm fit, my run lasted an hour")
    "FIT": (
        "had a fit",
        "has had a fit",
        "have a fit",
        "has a fit",
        "had another fit",
        "had fits",
        "having fits",
        "a fit that",
    ),
    "INSTEAD": ("instead of", "en vez de", "en lugar de"),
    "TOOK_SOMETHING": (
        "took something",
        "snorted something",
        "smoked something",
        "injected something",
        "taken something",
        "se metio algo",
        "se tomo algo",
        "le dieron algo",
        "se metio una",
    ),
    "SLOW_BREATH": (
        "breathing slow",
        "breathing really slow",
        "breathing very slow",
        "barely breathing",
        "respira lento",
        "respira bien lento",
        "respira muy lento",
        "respira despacio",
        "respira muy despacio",
    ),
    "CANDY_THOUGHT": (
        "thought they were candy",
        "thought they were sweets",
        "thinking they were candy",
        "thinking they were sweets",
        "pensando que eran dulces",
        "creyendo que eran dulces",
        "penso que eran dulces",
        "creyo que eran dulces",
        "pensando que eran caramelos",
    ),
    "LEFTRIGHT_SIDE": (
        "left side",
        "right side",
        "lado izquierdo",
        "lado derecho",
        "one side",
        "un lado",
    ),
    "HEAVY_LIMB": ("feels heavy", "feel heavy", "is heavy", "gone heavy", "se siente pesado"),
}

# concept id → the patterns added to it: (classes, window, ordered)
ROUND12_PATTERNS: dict[str, tuple[tuple[tuple[str, ...], int, bool], ...]] = {
    "infant_fever": ((("YOUNG_INFANT", "FEVER"), 24, False),),
    "suicide_self_harm": (
        (("LAST_MESSAGE", "NOT_FAULT"), 30, False),
        (("LAST_MESSAGE", "THANKS_ALL"), 30, False),
        (("THANKS_ALL", "NO_MORE_SEE"), 30, False),
        (("LETTERS", "SORRY_ALL"), 24, False),
        (("GONE_SOON", "MEANS"), 24, False),
        (("THINK", "TRAIN_MEANS"), 6, False),
        (("WANT", "TRAIN_MEANS"), 6, False),
        (("SAVED", "PILLS", "TONIGHT", "TAKE_ANY"), 24, False),
        (("SAVED", "MED", "TONIGHT", "TAKE_ANY"), 24, False),
        (("SAVED", "PILLS", "TAKE", "ALL"), 24, False),
        (("SAVED", "MED", "TAKE", "ALL"), 24, False),
        (("WHAT_IF_ALL", "PILLS"), 8, False),
        (("WHAT_IF_ALL", "MED"), 8, False),
    ),
    "breathing": (
        (("STUCK_THROAT", "CANT", "COUGH_TALK"), 10, False),
        (("STUCK_THROAT", "WONT", "COUGH_TALK"), 10, False),
        (("STUCK", "THROAT", "CANT", "COUGH_TALK"), 10, False),
    ),
    "anaphylaxis": (
        (("LIPS_BIG", "HOARSE"), 16, False),
        (("LIPS_BIG", "THROAT_LUMP"), 16, False),
        (("ALLERGEN", "THROAT_LUMP"), 24, False),
        (("FACE", "SWELL", "HOARSE"), 12, False),
    ),
    "pregnancy": (
        (("PRETERM", "GUSH"), 16, False),
        (("PREGNANT", "GUSH"), 16, False),
        (("PREG_WEEKS", "BLURRY"), 30, False),
        (("PREGNANT", "BLURRY"), 30, False),
        (("PREG_WEEKS", "NO_FEEL", "MOVE"), 20, False),
        (("PREGNANT", "NO_FEEL", "MOVE"), 20, False),
    ),
    "sepsis": (
        (("SURGERY", "SEPSIS_SIGN", "SEPSIS_SIGN"), 20, False),
        (("LINE", "SEPSIS_SIGN", "SEPSIS_SIGN"), 24, False),
    ),
    "new_med_allergy": ((("MED", "NEW", "RASH"), 30, False),),
    "overdose_poisoning": (
        (("OPIOID", "HARD_WAKE"), 24, False),
        (("OPIOID", "SLOW_BREATH"), 24, False),
        (("TOOK_SOMETHING", "HARD_WAKE"), 16, False),
        (("TOOK_SOMETHING", "SLOW_BREATH"), 16, False),
        (("INSULIN", "INSTEAD", "COUNT"), 12, False),
        (("OVERDID", "INSULIN"), 8, False),
        (("OVERDID", "PILLS"), 8, False),
        (("CHILD", "PILLS", "INGESTED", "COUNT"), 24, False),
        (("PILLS", "CANDY_THOUGHT"), 20, False),
    ),
    "cardiac": ((("JAW", "ARM", "PAIN", "CARDIAC_SIGN"), 24, False),),
    "stroke": (
        (("LEFTRIGHT_SIDE", "HEAVY_LIMB"), 4, True),
        (("VISION_DOUBLE", "SUDDEN"), 12, False),
    ),
    "seizure_unconscious": ((("FIT", "LASTED"), 8, False),),
}

# runs of words in which the flag words are not the symptom (vocabulary.IDIOMS has the syntax)
ROUND12_IDIOMS: tuple[str, ...] = (
    # choking as a toy's hazard or a drill (chest compressions in a course: asides.py)
    "choking hazard|hazards|drill|drills",
    "simulacro|simulacros de atragantamiento|asfixia",
    # every headache is a stroke: a worry about all of them, not one
    "every|cada headache|dolor is|es a|un|una? stroke|heart|derrame|infarto",
    # "para no pasarme": so as not to overdo it, not a throat that will not swallow
    "para no pasar me|te|se|nos|le",
    # harmless things swallowed
    "trago|trague|swallowed a|un|some? chicle|gum|semilla|seed|seeds|pepita|pit",
    # nearly fainting with emotion (families.py has the first person)
    "casi se|te|nos|le desmaya|desmayo|desmayaba|desmayamos|desmayan|desmayas",
    # a list of what is not there, then breathing told fine ("no fever, breathing fine"): the
    # "no" is the symptom's; "not breathing ok" and "stopped breathing, fine …" stay flags
    "no fever|cough|pain|rash|vomiting|wheezing breathing|breathes fine|ok|okay|normally|well",
)
