"""Flags told through their circumstances (issue 15, seventh pass: after round 11).

Merged like ``families.py`` (``vocabulary.py`` adds :data:`CIRCUMSTANCE_CLASSES` and
:data:`CIRCUMSTANCE_EXPRESSIONS`; ``concepts.py`` appends :data:`CIRCUMSTANCE_PATTERNS`). A
patient often names the means, the mistake or the setting rather than the symptom. Each entry
is a kind of wording, in English and Spanish:

* **someone else's pills or a mistake** (a roommate's, grandma's, "por error", "me confundí")
  taken, with drowsiness, vomiting or yellow sight (not grandma's own pills making her
  sleepy); someone else's pill organizer emptied, or one found emptied with such a sign; a
  dose taken twice with such a sign; a child who ate grandma's pills;
* **a child who grabbed a poison** ("agarró el veneno") with its smell on the mouth or a sign
  (not one whose bottle was taken away), a button battery or a magnet swallowed, car and
  household fluids (washer fluid, battery acid, nail polish remover); twins are children;
* **a spiked drink** ("something in my drink", "algo en la bebida") on its own;
* **carbon monoxide** where several people wake with pounding heads or vomiting in a cab, a
  tent or a camper;
* **bleeding**: a blood thinner named by its use ("para adelgazar la sangre", "thins my
  blood") with a wound that will not quit (not a cough that won't stop); a wound and a room
  that looks like a crime scene; a towel soaked through further from its verb; a wound still
  pumping;
* **intent**: how it would be done, worked out, with calm; walking into water and not coming
  back, thought of or tonight; a pet given away, letters written (or a farewell) or an
  appointment cancelled by someone who "won't be around anymore" ("mañana no voy a estar");
  hopelessness with a means (a revolver looked at) or pills lined up; driving off a height;
  "everyone would be better off" with a means or a time; a letter saying goodbye to everyone
  and a phone nobody picks up;
* **pregnancy** written as "N weeks along", "estoy de N semanas" or "N weeks" after 20; a
  baby who has been quiet, or who kicked only once or twice after 28 weeks (first kicks are
  few); a fall with bleeding; an infant's age as "semanas de vida".
"""

from __future__ import annotations

__all__ = ["CIRCUMSTANCE_CLASSES", "CIRCUMSTANCE_EXPRESSIONS", "CIRCUMSTANCE_PATTERNS"]

_WEEKS = range(4, 43)
_LATE = range(20, 43)
_LATE_WEEKS = range(28, 43)  # when a baby moving less is a flag (first kicks come earlier)
_FEW = ("0", "1", "2", "3", "one", "two", "three", "una", "dos", "tres")

# name → (English words, Spanish words); a name the vocabulary has already is extended
CIRCUMSTANCE_CLASSES: dict[str, tuple[str, str]] = {
    # --- existing classes, broadened ---
    "CHILD": ("twins twin triplets", "gemelos gemelas mellizos mellizas cuates"),
    "TOXIC": ("antifreeze magnets magnet", "anticongelante limpiaparabrisas quitaesmalte imanes"),
    "CO_SIGN": ("puking pounding woozy", "vomitamos"),
    "CO_CONTEXT": ("both cab tent camper rv garage trailer", "carpa cabina garaje casita"),
    "WOUND": ("nick nicked", ""),
    "MEANS": ("revolver handgun", "revolver pistolas"),
    "HEIGHT": ("overpass ravine canyon", "barranco precipicio barranca"),
    "WROTE": ("", "dejo dejado dejaron"),
    # --- new classes ---
    "OD_SIGN": (
        "drowsy sleepy dizzy confused vomiting throwing puking nauseous yellow yellowish "
        "unresponsive drooling",
        "dormida dormido mareado mareada confundido confundida vomitando vomitar amarillento "
        "amarillo somnoliento somnolienta adormilado adormilada atontada atontado sudando "
        "babeando",
    ),
    "GRABBED": ("grabbed", "agarro agarraron cogio"),
    "INGEST_ANY": (
        "eat eats eating ate eaten swallowed swallow drank took taken got grabbed",
        "comio comer tomo trago agarro",
    ),
    "FOUND": ("found", "encontre encontramos encontraron halle"),
    "PUMPING": ("pumping pumps pulsing", "bombeando"),
    "LATE": (" ".join(f"{n}w {n}wk {n}wks" for n in _LATE_WEEKS), ""),
    "CALM": ("calm peaceful relieved", "tranquila tranquilo aliviada aliviado"),
    "PICTURE": ("picturing imagining fantasizing", "imaginando imagino"),
    "DRIVE": ("driving drive drove steering", "manejando manejar conducir conduciendo"),
    "OFF": ("off", ""),
    "CANCEL": ("cancel cancelled canceled", "cancelar cancelen cancela cancelo"),
    "LETTERS": ("letters letter notes note", "cartas carta notas nota"),
    "FALL_DOWN": ("slipped tripped fell fall", "resbale resbalo cai cayo"),
}

_WATER = ("lake", "sea", "ocean", "river", "water", "bay")
_AGUA = ("lago", "mar", "rio", "oceano", "agua", "presa")

CIRCUMSTANCE_EXPRESSIONS: dict[str, tuple[str, ...]] = {
    "OTHERS": (
        "someone elses",
        "somebody elses",
        "roommates",
        "grandmas",
        "grandpas",
        "grandmother",
        "grandfather",
        "wrong pills",
        "wrong meds",
        "wrong medication",
        "de su companera",
        "de su companero",
        "de otro paciente",
        "de otra paciente",
        "de otra persona",
        "de otro residente",
        "de otra residente",
        "de la abuela",
        "del abuelo",
        "de mi abuela",
        "de mi abuelo",
    ),
    "MISTAKE": (
        "by mistake",
        "mixed up",
        "por error",
        "por equivocacion",
        "me confundi",
        "se confundio",
        "me equivoque",
        "se equivoco",
    ),
    "OD_SIGN": ("muy dormida", "muy dormido", "ganas de vomitar", "no despierta"),
    # the mouth or breath smells of it
    "SMELLS": (
        "le huele la boca",
        "huele la boca",
        "su aliento huele",
        "mouth smells",
        "breath smells",
        "smells like it",
        "smells of it",
    ),
    "TOXIC": (
        "washer fluid",
        "windshield fluid",
        "wiper fluid",
        "lighter fluid",
        "brake fluid",
        "nail polish remover",
        "hand sanitizer",
        "button battery",
        "veneno para",
        "liquido de frenos",
        "battery acid",
        "battery fluid",
        "liquido de la bateria",
        "acido de la bateria",
        "acido de bateria",
        "gel antibacterial",
    ),
    "SPIKED": (
        "spiked my drink",
        "spiked her drink",
        "spiked his drink",
        "something in my drink",
        "something in her drink",
        "something in his drink",
        "slipped me something",
        "slipped her something",
        "roofied",
        "algo en la bebida",
        "algo en mi bebida",
        "algo en su bebida",
        "algo en el trago",
        "algo en mi trago",
        "me drogaron",
        "la drogaron",
        "lo drogaron",
        "burundanga",
        "escopolamina",
    ),
    "CO_SIGN": ("pounding head", "pounding heads", "woke up sick"),
    "THINNER": (
        "blood thinner",
        "blood thinners",
        "thin my blood",
        "thins my blood",
        "thins the blood",
        "adelgazar la sangre",
        "diluir la sangre",
        "para la sangre",
        "aguar la sangre",
        "que no se me coagule",
    ),
    "NONSTOP": (
        "wont quit",
        "wont stop",
        "keeps going",
        "not stopping",
        "still going",
        "no para",
        "no se para",
        "no se detiene",
        "sin parar",
        "no deja de",
        "no se quita",
    ),
    "CRIME_SCENE": (
        "crime scene",
        "murder scene",
        "slaughterhouse",
        "escena del crimen",
        "un matadero",
        "una carniceria",
    ),
    "PLAN_HOW": (
        "how id do it",
        "how i would do it",
        "how im going to do it",
        "how im gonna do it",
        "how i will do it",
        "figured out how",
        "worked out how",
        "decided how",
        "ya se como lo voy a hacer",
        "ya se como hacerlo",
        "ya se como lo haria",
        "ya pense como",
        "ya tengo pensado como",
        "ya decidi como",
    ),
    "CALM": ("at peace", "en paz", "a relief", "un alivio"),
    "INTO_WATER": tuple(
        f"{verb} into the {water}"
        for verb in ("walk", "walking", "walked", "swim", "swimming", "wade", "wading")
        for water in _WATER
    )
    + tuple(
        f"{verb} {prep} {water}"
        for verb in ("meterme", "caminar", "entrar", "adentrarme", "aventarme")
        for prep in ("al", "en el", "hacia el")
        for water in _AGUA
    ),
    "NO_RETURN": (
        "not coming back",
        "never coming back",
        "not come back",
        "never come back",
        "no volver",
        "no regresar",
        "sin volver",
        "sin regresar",
        "no salir",
    ),
    "PET_GIVEN": (
        *(
            f"{verb} my {pet} to"
            for verb in ("gave", "given", "giving", "give")
            for pet in ("dog", "cat", "dogs", "cats", "pets", "bird", "puppy")
        ),
        "rehomed my",
        "found a home for my",
        "found homes for my",
        *(
            f"{verb} {pet}"
            for verb in ("regale a mi", "regale mi", "le regale mi", "le deje mi", "le di mi")
            for pet in ("perro", "perrito", "gato", "gatito", "mascota", "perra", "perrita")
        ),
    ),
    # gone for good; "won't be around until 3" or "won't be here in July" is a time, "ya no voy
    # a estar" may be a move (a pet given away or letters written go with it)
    "GONE_FOR_GOOD": (
        "wont be around anymore",
        "wont be around much longer",
        "wont be around for long",
        "wont be here much longer",
        "ya no voy a estar aqui para",
        "no voy a estar mas aqui",
    ),
    "GONE_SOON": (
        "ya no voy a estar",
        "ya no estare",
        "manana no voy a estar",
        "wont be here tomorrow",
        "wont be here anymore",
        "wont be around tomorrow",
    ),
    "HOPELESS": (
        "dont see the point",
        "cant see the point",
        "whats the point anymore",
        "no le encuentro sentido a nada",
        "no le veo sentido a nada",
        "no le veo caso",
        "ya no tiene caso",
        "nothing matters anymore",
        "nothing matters",
        "ya nada importa",
        "nada importa ya",
        "nada me importa",
    ),
    "LINED_UP": (
        "lined up",
        "laid out",
        "counted out",
        "set out",
        "en fila",
        "contadas",
        "alineadas",
        "formadas",
    ),
    "BETTER_OFF": (
        "everyone would be better off",
        "everybody would be better off",
        "they would be better off",
        "theyd be better off",
        "all be better off",
        "todos estarian mejor",
        "estarian mejor sin mi",
    ),
    "LETTER_GOODBYE": (
        "carta despidiendo se",
        "carta despidiendose",
        "nota despidiendo se",
        "mensaje despidiendo se",
        "letter saying goodbye",
        "note saying goodbye",
        "said goodbye to everyone",
        "saying goodbye to everyone",
        "se despidio de todos",
        "despidiendo se de todos",
    ),
    # a phone nobody picks up (not "answer the phone": an idiom, vocabulary.IDIOMS)
    "PHONE_SILENT": (
        "no coge el telefono",
        "no agarra el telefono",
        "no levanta el telefono",
        "no atiende el telefono",
        "not picking up",
        "wont pick up",
        "isnt picking up",
        "doesnt pick up",
    ),
    "PREGNANT": (
        *(f"{n} weeks along" for n in _WEEKS),
        *(f"{n} wks along" for n in _WEEKS),
        *(f"estoy de {n} semanas" for n in _WEEKS),
        *(f"esta de {n} semanas" for n in _WEEKS),
        *(f"{n} weeks" for n in _LATE),
        *(f"{n} semanas" for n in _LATE),
    ),
    "QUIET_BABY": (
        "baby quiet",
        "babys quiet",
        "babys been quiet",
        "babys been real quiet",
        "babys been really quiet",
        "babys been so quiet",
        "baby has been quiet",
        "baby is quiet",
        "baby is very quiet",
        "barely moving",
        "barely moved",
        "bebe muy quieto",
        "bebe esta quieto",
        "bebe esta muy quieto",
        "bebe quietecito",
        "apenas se mueve",
        "apenas se ha movido",
    ),
    "LATE": (
        *(f"{n} weeks" for n in _LATE_WEEKS),
        *(f"{n} semanas" for n in _LATE_WEEKS),
        *(f"semana {n}" for n in _LATE_WEEKS),
    ),
    "FEW_KICKS": tuple(f"{n} {k}" for n in _FEW for k in ("kicks", "kick"))
    + tuple(f"only {n} kicks" for n in _FEW)
    + tuple(f"{n} {k}" for n in _FEW for k in ("pataditas", "patadita", "patadas", "patada")),
    "INFANT": (
        *(f"{n} semanas de vida" for n in range(1, 13)),
        "dias de vida",
        "semanas de vida",
        "weeks of life",
    ),
}

# concept id → the patterns added to it: (classes, window, ordered)
CIRCUMSTANCE_PATTERNS: dict[str, tuple[tuple[tuple[str, ...], int, bool], ...]] = {
    "overdose_poisoning": (
        (("OTHERS", "TOOK", "PILLS", "OD_SIGN"), 24, False),
        (("MISTAKE", "PILLS", "OD_SIGN"), 24, False),
        (("CHILD", "INGEST_ANY", "OTHERS", "PILLS"), 10, False),
        (("OTHERS", "PILLS", "EMPTY"), 12, False),
        (("FOUND", "PILLS", "EMPTY", "OD_SIGN"), 24, False),
        (("TWICE", "PILLS", "OD_SIGN"), 20, False),
        (("CHILD", "GRABBED", "TOXIC", "SMELLS"), 20, False),
        (("CHILD", "GRABBED", "TOXIC", "OD_SIGN"), 24, False),
        (("GRABBED", "TOXIC", "INGESTED"), 16, False),
        (("SPIKED",), 0, False),
        (("CO_SOURCE", "CO_CONTEXT", "CO_SIGN"), 24, False),
    ),
    "severe_bleeding": (
        (("THINNER", "WOUND", "NONSTOP"), 24, False),
        (("WOUND", "CRIME_SCENE"), 24, False),
        (("BLEED", "CRIME_SCENE"), 24, False),
        (("TOWEL", "SOAK"), 12, False),
        (("WOUND", "PUMPING"), 16, False),
    ),
    "suicide_self_harm": (
        (("PLAN_HOW", "CALM"), 16, False),
        (("INTO_WATER", "NO_RETURN"), 10, False),
        (("PICTURE", "INTO_WATER"), 6, False),
        (("THINK", "INTO_WATER"), 6, False),
        (("INTO_WATER", "TONIGHT"), 8, False),
        (("PET_GIVEN", "GONE_FOR_GOOD"), 24, False),
        (("PET_GIVEN", "GONE_SOON"), 24, False),
        (("FAREWELL", "GONE_SOON"), 20, False),
        (("FAREWELL", "GONE_FOR_GOOD"), 20, False),
        (("WROTE", "LETTERS", "GONE_SOON"), 20, False),
        (("CANCEL", "GONE_FOR_GOOD"), 16, False),
        (("HOPELESS", "MEANS"), 30, False),
        (("HOPELESS", "LINED_UP"), 24, False),
        (("DRIVE", "OFF", "HEIGHT"), 6, True),
        (("BETTER_OFF", "MEANS"), 24, False),
        (("BETTER_OFF", "HEIGHT"), 24, False),
        (("BETTER_OFF", "TONIGHT"), 24, False),
        (("LETTER_GOODBYE", "PHONE_SILENT"), 30, False),
        (("WROTE", "LETTER_GOODBYE"), 6, False),
    ),
    "pregnancy": (
        (("PREGNANT", "QUIET_BABY"), 20, False),
        (("LATE", "FEW_KICKS"), 20, False),
        (("QUIET_BABY", "FEW_KICKS"), 16, False),
        (("PRETERM", "BLEED"), 20, False),
        (("PREGNANT", "FALL_DOWN", "BLEED"), 24, False),
    ),
}
