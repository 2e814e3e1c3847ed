"""Word families and patterns by kind of wording (issue 15, fifth pass: after round 9).

Like ``broadened.py``: each entry is a clinical family, in English and Spanish, not the words of
one text. ``vocabulary.py`` merges :data:`FAMILY_CLASSES` and :data:`FAMILY_EXPRESSIONS` into the
classes (a class that exists gets the words added), :data:`FAMILY_IDIOMS` into the idioms;
``concepts.py`` appends :data:`FAMILY_PATTERNS` to each concept's patterns.

* **chest**: the breastbone, behind the ribs; an "apretón"; **sudden loss of sight** told as a
  curtain or a shade; **words that come out wrong** ("me salen otras palabras");
* **intent**: a goodbye letter written, a means ready ("a rope ready", "i mean it"), thinking
  of taking all the pills, jumping ("me tiro del puente"), "no le veo sentido";
* **self-harm** told as hurting oneself again, with a blade ("gillette", "cutter");
* **poisoning**: too much insulin injected, a child and a whole bottle, wild mushrooms with
  vomiting, cleaning products mixed or their fumes;
* **bleeding**: soaking a pad ("compresa") every hour; **allergy**: lips "like balloons";
* **pregnancy**: fewer kicks ("pataditas"), months of pregnancy ("estoy de 7 meses"), a blood
  pressure written as numbers (160/110), pain "in the pit of the stomach";
* **infants**: ages as "semanitas", "mes y medio", "are 6 weeks";
* **sepsis**: an illness (flu, a catheter) with two signs of poor perfusion or confusion, a
  heart beating "rapidísimo", an infection that is swollen, red and hot with fever;
* **unresponsive**: not answering; **seizure**: stiff and "se sacudía".
"""

from __future__ import annotations

__all__ = ["FAMILY_CLASSES", "FAMILY_EXPRESSIONS", "FAMILY_IDIOMS", "FAMILY_PATTERNS"]

# name → (English words, Spanish words); a name the vocabulary has already is extended
FAMILY_CLASSES: dict[str, tuple[str, str]] = {
    # --- existing classes, broadened ---
    "PAIN": ("", "apreton apretones apretado apretada aprieta apretando"),
    "CANT": ("", "=deje"),
    "JUMP": ("", "tiro aviento lanzo"),
    "TOOK": ("injected injecting", "inyecte inyecto inyectado"),
    "PAD": ("liner liners", "compresa compresas"),
    "HEAVY": ("", "empapando empapo empapa"),
    "BLUE": ("dusky", "moradito moradita moraditos moraditas amoratado amoratada amoratados"),
    "FAST": ("", "rapidisimo rapidisima rapidito"),
    "SHAKE": ("", "sacudia sacude sacudio sacudian sacudiendose"),
    "RESPOND": ("reacting", ""),
    # --- new classes ---
    # sudden loss of sight told as a curtain or a shade coming down
    "CURTAIN": ("curtain shade veil", "cortina persiana velo"),
    # a goodbye written down
    "WROTE": ("wrote written writing write left", "escribi escrito escribiendo deje"),
    # a means of self-harm made ready, and the words that say it is meant
    "READY": ("ready tied loaded", "lista listo preparada preparado"),
    # a plant eaten: berries, leaves, a bush
    "PLANT": (
        "berries berry plant plants leaves leaf bush flowers",
        "bayas planta plantas hojas arbusto flores",
    ),
    # heavy menstrual or postpartum bleeding: clots, soaking
    "CLOTS": ("clots clot clotting", "coagulos coagulo cuajos"),
    "SOAK": ("soaking soaked soak soaks", "empapando empapo empapa empapada empape"),
    # a seizure: foaming, falling to the floor
    "FOAM": ("foaming foam frothing", "espuma"),
    "FELL": ("dropped fell fall falls collapsed", "cayo cae desplomo"),
    "FLOOR": ("floor ground", "suelo piso"),
    # hurting oneself again, or with a blade
    "SH_CUE": (
        "again razor blade blades gillette cutter boxcutter",
        "gillette cutter cuter navaja navajas cuchilla cuchillas rastrillo",
    ),
    # wild mushrooms or plants, and a stomach that reacts
    "MUSHROOM": ("mushroom mushrooms toadstool toadstools", "hongos hongo setas seta"),
    "WILD": (
        "wild yard garden forest woods foraged picked park",
        "silvestres silvestre campo jardin bosque monte patio recogimos recogio",
    ),
    "SICK": (
        "vomiting vomited throwing cramping cramps diarrhea diarrhoea sick",
        "vomitando vomito vomitos colicos diarrea retortijones",
    ),
    # cleaning products mixed, or their fumes breathed
    "FUMES": ("fumes fume vapors vapours inhaled", "vapores vapor gases inhale respire"),
    # an illness that can turn septic; a line into the body
    "ILLNESS": ("flu influenza covid pneumonia", "gripe influenza covid neumonia"),
    "LINE": ("catheter port picc", "cateter sonda"),
    # fewer kicks in pregnancy
    "KICKS": ("kicks kicking movements", "pataditas patadas movimientos"),
    # a blood pressure written as numbers: a top number of 140 or more
    "BP_WORD": ("bp pressure", "presion tension"),
    "SYS_HIGH": (" ".join(str(number) for number in range(140, 260)), ""),
    # a dose counted in units
    "INSULIN": ("insulin", "insulina"),
}

FAMILY_EXPRESSIONS: dict[str, tuple[str, ...]] = {
    "CHEST": (
        "breast bone",
        "chest bone",
        "behind my ribs",
        "behind the ribs",
        "hueso del pecho",
        "boca del pecho",
    ),
    "SLUR": (
        "words come out wrong",
        "words wont come out",
        "words are coming out wrong",
        "wrong words come out",
        "wrong words",
        "salen otras palabras",
        "me salen otras",
        "salen mal las palabras",
        "palabras equivocadas",
        "no me salen las palabras",
        "no le salen las palabras",
    ),
    "HOPELESS": (
        "see no point",
        "no point in anything",
        "no le veo sentido",
        "no le encuentro sentido",
        "nada tiene sentido",
    ),
    "DO_IT": (
        "tonight is the night",
        "today is the day",
        "terminar con esto",
        "terminar con todo",
        "acabar con esto",
        "acabar con todo",
        "end this",
        "end all this",
    ),
    "READY_ALL": (
        "everything i need",
        "everything ready",
        "all set up",
        "todo listo",
        "todo preparado",
        "lo tengo todo",
        "todo lo que necesito",
    ),
    "FAREWELL_NOTE": (
        "goodbye letter",
        "goodbye letters",
        "goodbye note",
        "goodbye notes",
        "farewell letter",
        "farewell letters",
        "suicide note",
        "carta de despedida",
        "cartas de despedida",
        "nota de despedida",
        "notas de despedida",
    ),
    "MEANT": (
        "i mean it",
        "mean it this time",
        "this time for real",
        "lo digo en serio",
        "va en serio",
        "esta vez si",
    ),
    "SELF_HURT": (
        "hurting myself",
        "hurt myself",
        "cutting myself",
        "me estoy haciendo dano",
        "estoy haciendo dano",
        "me hago dano",
        "hacerme dano",
        "me estoy cortando",
        "me sigo cortando",
        "me volvi a cortar",
    ),
    "SH_CUE": (
        "otra vez",
        "de nuevo",
        "no puedo parar",
        "cant stop",
        "hoja de afeitar",
        "razor blade",
    ),
    "EXCESS": (
        "botella entera",
        "toda la botella",
        "la botella completa",
        "todo el jarabe",
        "whole thing",
    ),
    "SWELL": ("like a balloon", "like balloons", "como globo", "como globos", "como un globo"),
    "INFANT": (
        *(f"are {number} weeks" for number in range(1, 13)),
        *(f"{number} semanitas" for number in range(1, 13)),
        "mes y medio",
        "month and a half",
        "un mesecito",
        "1 mesecito",
    ),
    "PREGNANT": (
        *(f"estoy de {number} meses" for number in range(3, 10)),
        *(f"{number} meses de embarazo" for number in range(3, 10)),
        *(f"{number} months along" for number in range(3, 10)),
    ),
    "PREG_SIGN": (
        "seeing sparkles",
        "seeing stars",
        "seeing flashes",
        "veo destellos",
        "veo estrellitas",
        "boca del estomago",
        "upper stomach",
        "upper belly",
        "upper abdomen",
        "pit of my stomach",
    ),
    "SEPSIS_SIGN": (
        "too weak to stand",
        "too weak to walk",
        "cold and clammy",
        "cold and patchy",
        "skin is cold",
        "no me puedo parar",
        "no se puede parar",
        "no se puede levantar",
        "piel fria",
    ),
    # a person who does not answer when spoken to (not "I didn't answer")
    "NO_ANSWER": (
        "not answering me",
        "isnt answering me",
        "wont answer me",
        "doesnt answer me",
        "not answering us",
        "wont answer us",
        "not answering when",
        "doesnt answer when",
        "no me contesta",
        "no nos contesta",
        "no contesta cuando",
        "no le contesta",
    ),
    "SWITCHED": (
        "changed my",
        "changed his",
        "changed her",
        "switched his",
        "switched her",
        "switched my",
        "switched to",
        "me cambiaron",
        "le cambiaron",
        "cambie de",
        "me cambiaron la",
        "me cambiaron el",
    ),
}

# runs of words in which the flag words are not the symptom (vocabulary.IDIOMS)
FAMILY_IDIOMS: tuple[str, ...] = (
    # a blood test: "sacarme sangre", "get my blood drawn"
    "sacar|sacan|saquen|sacaron|saco|sacara|sacaran me|le|nos? sangre",
    "get|getting|got|have|having my? blood drawn|taken|test",
    # a phone not answered is not a person unresponsive
    "answer|answering|answers|contesta|contestaba the|her|his|my|el|su? phone|phones|texts|calls"
    "|messages|telefono|celular|mensajes|llamadas",
    # a breath taken away by something beautiful; drowning in a glass of water
    "ahogo|ahogas|ahoga|ahogando en un vaso de agua",
    "dejo|deja sin respiracion|aliento de lo? bonito|hermoso|lindo",
)

# concept id → the patterns added to it: (classes, window, ordered)
FAMILY_PATTERNS: dict[str, tuple[tuple[tuple[str, ...], int, bool], ...]] = {
    "stroke": (
        (("CURTAIN", "EYE"), 10, False),
        (("CURTAIN", "VISION"), 10, False),
        (("SUDDEN", "CANT", "SEE"), 5, True),
        (("CANT", "SEE", "EYE"), 6, True),
        (("FACE", "NUMB", "LEFTRIGHT"), 6, False),
    ),
    "suicide_self_harm": (
        (("WROTE", "FAREWELL_NOTE"), 4, False),
        (("MEANS", "READY"), 3, False),
        (("MEANS", "MEANT"), 12, False),
        (("DO_IT", "READY_ALL"), 14, False),
        (("THINK", "TAKE", "ALL", "PILLS"), 10, True),
        (("THINK", "TAKE", "PILLS", "EXCESS"), 10, True),
        (("SELF_HURT", "SH_CUE"), 10, False),
    ),
    "overdose_poisoning": (
        (("TOOK", "EXCESS", "INSULIN"), 6, False),
        (("TOOK", "TWICE", "UNWELL"), 12, False),
        (("INGESTED", "PLANT", "SICK"), 16, False),
        (("CHILD", "TOOK", "PILLS", "EXCESS"), 16, False),
        (("MUSHROOM", "WILD", "SICK"), 20, False),
        (("MIXED", "TOXIC", "TOXIC"), 5, False),
        (("TOXIC", "FUMES"), 6, False),
    ),
    "severe_bleeding": (
        (("CLOTS", "SOAK"), 10, False),
        (("CLOTS", "PAD"), 10, False),
        (("SOAK", "PAD"), 4, False),
    ),
    "pregnancy": (
        (("COUNT", "WEEKS", "HEADACHE", "PERSIST"), 16, True),
        (("NOT", "FEEL", "KICKS"), 5, True),
        (("KICKS", "LESS"), 4, False),
        (("PREGNANT", "BP_WORD", "SYS_HIGH"), 14, False),
        (("COUNT", "WEEKS", "BP_WORD", "SYS_HIGH"), 14, True),
    ),
    "seizure_unconscious": (
        (("NO_ANSWER",), 0, False),
        (("FOAM", "SHAKE"), 6, False),
        (("FOAM", "JERK"), 6, False),
        (("FELL", "FLOOR", "SHAKE"), 6, False),
    ),
    "new_med_allergy": ((("SWITCHED", "RASH"), 14, False),),
    "sepsis": (
        (("ILLNESS", "SEPSIS_SIGN", "SEPSIS_SIGN"), 16, False),
        (("FEVER", "SEPSIS_SIGN", "SEPSIS_SIGN"), 20, False),
        (("LINE", "FEVER"), 14, False),
        (("INFECTION", "WOUND_BAD", "FEVER"), 20, False),
        (("WOUND", "SPREADING", "FEVER"), 26, False),
        (("FEVER", "HEART", "FAST"), 12, False),
    ),
}
