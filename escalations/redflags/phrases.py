"""Runs of words for red-flag detection (``vocabulary.py`` has the word classes).

* :data:`EXPRESSIONS` — a class on a run of exact normalised words ("too many", "de repente",
  "dolor de cabeza", "years ago").
* :data:`IDIOMS` — runs of words in which the flag words do not mean the symptom ("blood
  pressure", "chest x-ray", "stroke of luck"): the words inside one take no class.
"""

from __future__ import annotations

__all__ = ["EXPRESSIONS", "IDIOMS"]

# --- multi-word expressions: class → exact normalised word runs --------------------------------

EXPRESSIONS: dict[str, tuple[str, ...]] = {
    "EXCESS": (
        "too many",
        "too much",
        "way too much",
        "a lot of",
        "all of",
        "whole bottle",
        "entire bottle",
        "all at once",
        "at once",
        "el doble",
        "todo el frasco",
        "frasco entero",
        "de una vez",
        "un monton",
        "a bottle of",
        "the bottle of",
        "un frasco de",
        "medio frasco",
        "half a bottle",
        "half the bottle",
        "una caja de",
        "me pase con",
        *(
            f"{count} {today}"
            for count in ("twice", "2 times", "3 times", "4 times", "two times", "three times")
            for today in ("today", "tonight", "this morning", "in a row")
        ),
        *(f"{count} veces hoy" for count in ("2", "3", "4", "dos", "tres", "cuatro")),
        "me pase de",
    ),
    "HEAVY": (
        "a lot",
        "like crazy",
        "non stop",
        "a ton",
        "sin parar",
        "through my pad",
        "through a pad",
        "through pads",
        "through the pad",
        "por todos lados",
        "por todas partes",
        "wont stop",
        "wont quit",
        "will not quit",
        "doesnt quit",
        "all over",
        "will not stop",
        "wont stop",
        "doesnt stop",
        "not stopping",
        "cant stop",
        "no para",
        "no deja",
        "no se detiene",
        "no se para",
        "no paro",
    ),
    # waking up with it counts as sudden (a stroke noticed on waking)
    "SUDDEN": (
        "all of a sudden",
        "out of nowhere",
        "de repente",
        "de golpe",
        "de pronto",
        "woke up",
        "se desperto",
        "amanecio",
    ),
    "HEADACHE": (
        "head ache",
        "dolor de cabeza",
        "dolores de cabeza",
        "duele la cabeza",
        "duele mucho la cabeza",
        "duele muchisimo la cabeza",
        "head hurts",
        "head is pounding",
        "head is killing me",
    ),
    "GOT_INTO": ("got into", "got in to", "se metio"),
    # a young child by age: "my 3 year old ate some pills"
    "CHILD": ("year old", "years old", "yr old", "yrs old", "ano de edad", "anos de edad"),
    "CANT": ("sin poder",),
    "ACCIDENT": ("by accident", "by mistake", "sin querer", "por error", "por equivocacion"),
    "FEVER": ("burning up",),
    "VOMIT": ("throw up", "threw up", "throwing up", "coughing up", "coughed up", "tose con"),
    "ALLERGIC_REACTION": ("allergic reaction", "reaccion alergica"),
    "END_ALL": ("end it all", "ending it all", "acabar con todo", "terminar con todo"),
    "WATER_BROKE": ("water broke", "waters broke", "water has broken", "water just broke"),
    "MISCARRIAGE": ("aborto espontaneo", "perdiendo al bebe", "perdiendo el bebe"),
    "INFANT": (
        "recien nacido",
        "little one",
        "lil one",
        "recien nacida",
        # under three months: fever is an emergency (an older baby's age vetoes it, IDIOMS)
        *(
            f"{number} {unit} old"
            for number in ("1", "2", "3", "one", "two", "three", "a")
            for unit in ("month", "months", "mo", "mos")
        ),
        *(
            f"de {number} {unit}"
            for number in ("1", "un", "2", "dos", "3", "tres")
            for unit in ("mes", "meses")
        ),
        *(f"de {number} semanas" for number in range(1, 13)),
        "week old",
        "weeks old",
        "wk old",
        "wks old",
        "day old",
        "days old",
        "dias de nacido",
        "dias de nacida",
        "de meses",
        "de nacida",
        "de nacido",
    ),
    "PASSED_OUT": (
        "passed out",
        "blacked out",
        "passing out",
        "about to pass out",
        "perdio el conocimiento",
    ),
    "GIVEAWAY": (
        "gave my stuff away",
        "giving my stuff away",
        "gave away all my",
        "giving away all my",
        "gave all my stuff away",
        "regale todas mis cosas",
        "regalando todas mis cosas",
    ),
    "PREG_SIGN": (
        "saliendo agua",
        "sale agua",
        "salio agua",
        "leaking water",
        "leaking fluid",
    ),
    "FETAL_STILL": (
        "hasnt moved",
        "not moving",
        "stopped moving",
        "no se mueve",
        "no se ha movido",
        "havent felt",
        "no lo siento",
        "no la siento",
    ),
    "HARD_WAKE": ("hard to wake", "cant wake", "wont wake", "no despierta", "no puedo despertar"),
    "SLUR": (
        "get his words out",
        "get her words out",
        "get my words out",
        "get the words out",
        "get any words out",
        "no se le entiende",
        "no se le entiende lo que dice",
        "no le entiendo",
        "no le entiendo nada",
        "cant understand him",
        "cant understand her",
    ),
    "SUICIDE": (
        "im not safe",
        "i am not safe",
        "i dont feel safe",
        "no estoy a salvo",
        "goodbye letter",
        "goodbye note",
        "suicide note",
        "carta de despedida",
        "dont see a way out",
        "cant see a way out",
        "no way out",
        "no veo salida",
        "no le veo salida",
        "noose",
        "sewerslide",
        "self delete",
        "off myself",
        "ya no quiero seguir",
        "no quiero seguir viviendo",
        "quitarme la vida",
    ),
    "OVERDOSE": ("oded", "odd on", "he odd", "she odd", "i odd", "just odd", "has odd", "had odd"),
    "END_IT": ("end it", "end my life", "acabar con todo", "terminar con todo"),
    "SEPSIS_SIGN": (
        "feel like im dying",
        "feel like i am dying",
        "feel like i might die",
        "siento que me muero",
        "me siento morir",
        "doesnt know where he is",
        "doesnt know where she is",
        "dont know where i am",
        "not making sense",
        "no sabe donde esta",
        "no se donde estoy",
        "no reconoce",
        "doesnt recognize",
    ),
    "BE_HERE": ("be here", "be around", "estar aqui", "seguir aqui", "seguir viva", "seguir vivo"),
    "EVERYTHING": ("it all",),
    "STARTED": ("since starting", "since i started", "after starting", "desde que empece"),
    "RASH": (
        "manchas rojas",
        "red spots",
        "red bumps",
        "me pica todo",
        "broke out",
        "break out",
        "breaking out",
        "me salieron ronchas",
    ),
    "SEIZURE": (
        "having a fit",
        "foaming at the mouth",
        "eyes rolled back",
        "eyes rolling back",
        "espuma por la boca",
        "echando espuma",
        "se le van los ojos",
        "se le fueron los ojos",
        "se le voltean los ojos",
        "ojos para atras",
        "se le voltearon los ojos",
        "ojos volteados",
        "los ojos en blanco",
    ),
    "GONE": (
        "if i was gone",
        "if i were gone",
        "if i wasnt here",
        "if i werent here",
        "if i wasnt around",
        "if i died",
        "without me around",
        "si yo no estuviera",
        "si no estuviera",
        "si me muero",
    ),
    # a time long past: a match this close to it is the patient's history (matcher._long_past)
    "LONG_PAST": (
        "years ago",
        "year ago",
        "months ago",
        "last year",
        "hace anos",
        "hace un ano",
        "hace meses",
        "ano pasado",
        "anos atras",
        *(f"hace {number} anos" for number in (*range(2, 61), "dos", "tres", "cuatro", "cinco")),
        *(f"hace {number} meses" for number in (*range(2, 13), "dos", "tres", "seis")),
        # a year named: "had a heart attack in 2015", "tuvo un infarto en 2019"
        *(f"{word} {year}" for word in ("in", "en", "back in") for year in range(1940, 2026)),
    ),
    "WIDESPREAD": ("all over", "everywhere", "por todo el cuerpo", "todo el cuerpo", "whole body"),
    "NOBODY": ("no one",),
    "NO_FEEL": (
        "cant feel",
        "dont feel",
        "not feeling",
        "havent felt",
        "no siento",
        "no lo siento",
        "no la siento",
    ),
    "TOXIC": (
        "cleaning product",
        "cleaning products",
        "cleaning supplies",
        "cleaning solution",
        "producto de limpieza",
        "productos de limpieza",
        "liquido de limpieza",
        "liquido para limpiar",
    ),
    "NOSENSE": (
        "no sense",
        "make no sense",
        "makes no sense",
        "dont make sense",
        "doesnt make sense",
        "not making sense",
        "sin sentido",
        "no tiene sentido",
        "no tienen sentido",
    ),
    "LIVE_FOR": ("to live for", "por que vivir", "para que vivir", "por quien vivir"),
    "LEAVE_WORLD": (
        "leave this world",
        "leave this earth",
        "ir de este mundo",
        "ir me de este mundo",
        "irme de este mundo",
        "salir de este mundo",
    ),
    "HOW_MANY": ("how many", "how much", "cuantas", "cuantos"),
    "LETHAL": (
        "it would take",
        "would it take",
        "it takes to",
        "would kill",
        "to die",
        "para morir",
    ),
    "VISION_DOUBLE": (
        "seeing double",
        "see double",
        "double vision",
        "ve doble",
        "veo doble",
        "vision doble",
    ),
    "HIGH_BP": (
        "presion muy alta",
        "presion bien alta",
        "presion super alta",
        "bp is high",
        "bp is very high",
        "high bp",
    ),
    "POINTLESS": (
        "whats the point of",
        "what is the point of",
        "no point in",
        "no point to",
        "de que sirve",
        "para que seguir",
    ),
    "THROUGH_ALL": (
        "through everything",
        "through my clothes",
        "through the sheets",
        "through the towel",
        "through towels",
        "through the bandage",
    ),
    "BREATHE_FAST": ("breathing fast", "respira muy rapido", "respira rapido"),
}

_MEDIA = (
    "class|classes|course|training|lecture|video|videos|movie|movies|film|book|article|documentary"
    "|podcast|show|webinar|seminar|pamphlet|brochure|talk"
)

# --- idioms: runs of words in which the flag words are not the symptom --------------------------
# One idiom per string: slots separated by spaces, a slot lists its alternatives with "|", and a
# slot ending in "?" may be absent. Matched on normalised words, like the expressions.

IDIOMS: tuple[str, ...] = (
    # a baby older than three months is not an infant with fever: "mi bebe tiene 2 anos"
    "baby|bebe|bebito|bebita|nena|nene|bb is|tiene|es|de|has|turned|cumplio? "
    + "|".join(str(number) for number in range(1, 18))
    + "|un|uno|dos|tres|one|two|three anos|ano|years|year|yrs|yr|yo",
    "baby|bebe|bebito|bebita|nena|nene|bb is|tiene|es|de|has|turned|cumplio? "
    + "|".join(str(number) for number in range(4, 37))
    + " months|month|meses|mos|mo",
    "sin aire|respirar de tanto? reir|risa",
    "baby|bebe|bebito|bebita|nena|nene|bb is|tiene|turned|cumplio "
    + "|".join(str(number) for number in range(1, 18))
    + " and|y|now|ahora",
    # laughter: "laughing so hard I couldn't breathe", "me ahogo de risa"
    "laughing|laughed|laugh|lol|lmao|haha|hahaha so|too? hard|much i|we? cant|couldnt breathe"
    "|breath",
    "ahogo|ahogue|ahogaba|ahogando de la? risa",
    # relief: "breathe easy with all these charges", "breathe a sigh of relief"
    "breathe|breathing easy|easier with|knowing|now|again|tonight|that",
    "sigh of relief",
    # "dye" spelled "die" before hair or a colour: "I want to die my hair"
    "die|dies|died|dying my|her|his|your|the|their? hair|beard|roots|eyebrows|clothes|shirt|jeans"
    "|bangs",
    "die|dies|died|dying it|them black|blue|red|pink|purple|blonde|blond|brown|green|grey|gray"
    "|color|colour",
    # a symptom noun as a drug-class modifier: "seizure medication refill", "heart pills renewal"
    "seizure|seizures|epilepsy|heart|stroke|blood|pain medication|medications|medicine|medicines"
    "|meds|pills|drugs|prescription refill|refills|renewal|renewals|order|bottle|pharmacy",
    # talk about a condition, not the condition now: "a class about strokes", "a movie about a
    # heart attack survivor"
    *(
        f"{_MEDIA} about|on a? {topic}"
        for topic in (
            "stroke|strokes|seizure|seizures|overdose|overdoses|suicide",
            "heart attack|attacks",
        )
    ),
    "choke|choked|choking|chokes up",
    "poison ivy|oak|sumac",
    "hiedra|roble venenosa|venenoso",
    "drowning in paperwork|work|debt|bills|emails|homework",
    "ahogo|ahogando|ahogada|ahogado|ahogandome en papeles|deudas|trabajo|tramites|pendientes"
    "|cuentas|tarea",
    "blood pressure|test|tests|work|sugar|sugars|draw|draws|drawn|type|types|bank|banks|result"
    "|results|donation|donations|count|counts|panel|panels|thinner|thinners|glucose|level|levels"
    "|lab|labs|orange",
    "analisis|examen|examenes|prueba|pruebas|muestra|muestras|estudio|estudios|laboratorio"
    "|laboratorios de la? sangre",
    "presion arterial|alta|baja",
    "chest x|xray|xrays|ct|scan|scans|film|radiograph ray|rays?",
    "chest of drawers",
    # a figure of speech: "I nearly had a heart attack when I saw the price"
    "nearly|almost|practically had|gave|give me? a heart attack",
    "gave|give|giving me a heart attack",
    # a figure of speech: "I nearly fainted when I saw the price", "casi me desmayo del susto"
    "nearly|almost|practically fainted|died",
    "nearly|almost|practically passed out",
    "casi me desmayo|desmaye|muero|mori",
    "casi me da|dio|daba un infarto|ataque",
    "choke|choking|choked on his|her|my|their|your words",
    # an accident, not self-harm: "I cut myself shaving"
    "cut|cutting|burned|burnt|burning myself|herself|himself while? shaving|cooking|chopping"
    "|slicing|ironing",
    "passed|crashed out on the couch|sofa",
    "treasure|toy|hope|war chest",
    "radiografia|radiografias de torax",
    "off my|his|her|your|our|their chest",
    "peso de encima",
    "stroke of luck|genius|midnight|fate|brilliance",
    "stroke of a|the pen",
    "brush|swim|swimming|back|breast|paint|key stroke|strokes",
    "side effect|effects",
    "food poisoning",
    "intoxicacion alimentaria|alimenticia",
    "bleeding|bleed|bled money|cash|dry",
    "bleeding|bleed|bled me|us dry",
    "choking hazard|hazards",
    "heart of the|gold",
    "heart rate|monitor|healthy",
    "breathe|breath a sigh",
    "hard|bitter|tough pill to swallow",
    "my|his|her|their|your|the|of|for|on anti? seizure|epilepsy medication|medications|medicine"
    "|medicines|meds|pills|drugs|prescription|prescriptions",
    "medicina|medicinas|medicamento|medicamentos|pastilla|pastillas|tratamiento|receta para|de"
    " las|la|los|el? convulsiones|epilepsia|corazon|presion|alergia|alergias",
    "aire acondicionado",
    "breathe|breathing|breath well|good|properly|right? through|thru|from my|the|his|her|their"
    "|your nose",
    "breathe|breathing|breath out of my|the|his|her|their|your nose",
    "respirar|respiro|respira|respirando|respiracion bien|mal? por la nariz",
    "ataque de risa|nervios|panico|ansiedad|tos|celos",
    # a service named after the condition, not the condition now: "stroke rehab", "seizure clinic"
    "stroke|strokes|seizure|seizures|epilepsy|heart|cardiac|cardiology rehab|rehabilitation|clinic"
    "|clinics|unit|center|centre|program|programme|team|specialist|specialists|doctor|support"
    "|survivors|awareness|education|class|classes|research|screening|walk|fundraiser|ward",
    "suicide loss|awareness|research",
    "eye|eyes doctor|doctors|exam|exams|appointment|drops|glasses|clinic|care",
    "oculista|oftalmologo|optometrista",
    "morir|muero|muera|morirme|muriendo de la? risa|hambre|sueno|frio|calor|ganas|verguenza"
    "|aburrimiento|envidia|cansancio|curiosidad",
    "die|dying|died of|from laughter|laughing|boredom|embarrassment|curiosity|hunger|thirst",
    "die|dying|died laughing",
    # a dose, not a count of pills: "took 10 units of insulin", "50 mg"
    "|".join(str(number) for number in range(5, 101))
    + " mg|mgs|units|unit|ml|mcg|milligrams|unidades|miligramos|gotas|drops|cc",
    "breathe a word|whisper|syllable",
    "vision insurance|plan|plans|coverage|benefits|card|exam|center|care|dental",
    "my? vista de|del? seguro|plan|dental",
    "corte|corto|cortar|cortarme|cortare|cortando el|las|los pelo|cabello|unas|flequillo|fleco",
    # round 8: packaging and tests named after what they hold or look for
    "pill|pills organizer|organiser|box|case|dispenser",
    "blister pack|packs|packaging",
    "pregnancy test|tests",
    "prueba|pruebas|test|examen|analisis de embarazo de? sangre|orina?",
    "knock|knocks|knocked|knocking the wind out",
    # buying a thermometer is not a fever: "should I get a thermometer"
    "get|buy|need|bought|have a|new? thermometer|termometro",
    "comprar|compro|necesito|tengo un termometro",
    "twice|2 a|per day|daily|week|month|nightly",
    # a treatment for a skin complaint: "the new cream for my rash", "jarabe para la tos"
    "for|para my|the|his|her|mi|la|el|su|sus|las|los rash|rashes|hives|itching|eczema|allergies"
    "|ronchas|sarpullido|comezon|urticaria|alergia|alergias",
    "two|2|three|3 times a|per day|week|month",
    "dos|2|tres|3 veces al|por dia|semana|mes",
)
