"""A flag's words mentioned, not suffered (issue 15, seventh pass: after round 11).

More frames for the context layer (``context.py`` applies :data:`MENTION_FRAMES` after
``frames.FRAMES``) and idioms (``vocabulary.IDIOMS`` takes :data:`MENTION_IDIOMS`). Each is a
kind of wording with the exceptions that keep a real emergency:

* **a condition's name as a term**: what it means, on a form or an action plan, on a poster
  or a handout, "have you ever had" — only a match on the name itself ("seizure",
  "anaphylaxis", "stroke"), kept by a person as its subject, "now" or a call for help;
* **heredity**: whether it runs in families, anywhere in the text — kept by the own body, a
  person of one's own, "now" or a call for help;
* **a show** being watched; **a message sent to the wrong chat** or to be ignored; a song lyric;
* **the clinic's room** that was stuffy or hot, told in the past or with laughter: only
  breath words;
* **a match** that left the fans breathless or a team that choked ("nos dejó sin aire", "qué
  partido", "our team choked in the final");
* **an overdose of a thing** (series, memes, Christmas); **a second language** in which the
  words get stuck; **a headache that is paperwork** ("el peor dolor de cabeza es el papeleo");
* idioms: a face that falls with shame ("se me cayó la cara de vergüenza", "his face fell
  when"); drowning in a glass of water in every form; killing oneself studying or working;
  dishes named "ahogadas"; "all day" is a time, not all the pills; "twice a day", "3 veces al
  día" are a schedule, not a doubled dose; a pile of things and "ponerse las pilas" are not a
  battery; a nose that whistles; a vice principal; pouring wine; bleeding gums; a bottle
  "taken away" from a child; a fever that is a mood or a vaccine's name (cabin fever, "baby
  fever", fiebre de compras, la vacuna de la fiebre amarilla); poison dart frogs.
"""

from __future__ import annotations

from escalations.redflags.frames import BREATH_WORDS, FIGURATIVE, Frame

__all__ = ["MENTION_FRAMES", "MENTION_IDIOMS"]


def _runs(*texts: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(text.split()) for text in texts)


def _words(*texts: str) -> tuple[tuple[str, ...], ...]:
    return tuple((word,) for text in texts for word in text.split())


# the names of conditions (a term, not a symptom told)
TERMS = frozenset(
    str.split(
        "anaphylaxis anaphylactic seizure seizures stroke strokes sepsis septic overdose "
        "overdoses overdosed convulsion convulsions epilepsy eclampsia preeclampsia ectopic "
        "suicide anafilaxia anafilactico convulsion convulsiones epilepsia derrame ictus "
        "sepsis sobredosis preeclampsia eclampsia suicidio infarto"
    )
)
_PAST_OR_LAUGH = _runs(
    "yesterday",
    "last time",
    "last visit",
    "last week",
    "the other day",
    "ayer",
    "la otra vez",
    "la ultima vez",
    "la semana pasada",
    "el otro dia",
    "lol",
    "lmao",
    "haha",
    "hahaha",
    "jaja",
    "jajaja",
    "jeje",
)
_THING_CUES = _words(
    "paperwork forms insurance bills taxes deadline deadlines boss",
    "papeleo tramites seguro factura facturas impuestos cuentas jefe",
)

MENTION_FRAMES: tuple[Frame, ...] = (
    Frame(
        "term",
        "a condition's name asked about or on a form, not a symptom",
        _runs(
            "what does",
            "meaning of",
            "mean on",
            "means on",
            "stand for",
            "stands for",
            "que significa",
            "que quiere decir",
            "significado de",
            "form",
            "forms",
            "formulario",
            "questionnaire",
            "cuestionario",
            "action plan",
            "care plan",
            "plan de accion",
            "poster",
            "handout",
            "handouts",
            "flyer",
            "health fair",
            "feria de salud",
            "charla",
            "presentation",
            "presentacion",
            "how to recognize",
            "how to recognise",
            "how to spot",
            "como reconocer",
            "como identificar",
            "check yes",
            "check the box",
            "ever had a",
            "ever had an",
            "alguna vez ha tenido",
            "alguna vez has tenido",
            "alguna vez he tenido",
        ),
        exceptions=("subject", "now", "urgent"),
        scope="sentence",
        only=TERMS,
    ),
    Frame(
        "heredity",
        "whether a condition runs in families",
        _runs(
            "runs in families",
            "run in families",
            "runs in the family",
            "run in the family",
            "hereditary",
            "inherited",
            "es hereditario",
            "es hereditaria",
            "es genetico",
            "es genetica",
            "viene de familia",
            "se hereda",
        ),
        exceptions=("own_body", "present", "urgent", "person_owned", "subject"),
        scope="text",
    ),
    Frame(
        "story",
        "about a show being watched",
        _runs(
            "the show",
            "a show",
            "this show",
            "that show",
            "episode",
            "el programa",
            "un programa",
            "episodio",
            "capitulo",
        ),
        exceptions=("own_body", "present", "urgent", "subject"),
        scope="sentence",
    ),
    Frame(
        "misdirected",
        "a message sent to the wrong chat, a lyric, or to be ignored",
        _runs(
            "wrong chat",
            "wrong number",
            "wrong person",
            "wrong thread",
            "wrong group",
            "wrong conversation",
            "meant for my",
            "was for my",
            "ignore that",
            "ignore this",
            "ignore pls",
            "ignore please",
            "please ignore",
            "pls ignore",
            "disregard",
            "song lyric",
            "lyric",
            "otro chat",
            "chat equivocado",
            "numero equivocado",
            "era para mi",
            "era para otra",
            "era para otro",
            "ignoren",
            "borrenlo",
            "borrenla",
            "letra de la cancion",
        ),
        exceptions=("own_body", "urgent"),
        scope="sentence",
    ),
    Frame(
        "premises",
        "the clinic's room was stuffy or hot, not a breathing problem",
        _runs(
            "waiting room",
            "sala de espera",
            "stuffy",
            "crowded",
            "air conditioning",
            "aire acondicionado",
            "crack a window",
            "open a window",
            "abrir una ventana",
            "lobby",
            "elevator",
            "elevador",
            "ascensor",
        ),
        exceptions=("own_body", "urgent", "now"),
        needs=_PAST_OR_LAUGH,
        scope="sentence",
        only=BREATH_WORDS | FIGURATIVE | frozenset({"choked", "breathe", "breathless"}),
    ),
    Frame(
        "match",
        "a match or a team that left the fans breathless",
        _words(
            "partido partidazo equipo gol golazo penalti penal prorroga final match game team "
            "goal overtime playoffs"
        )
        + _runs("ultimo minuto", "last minute"),
        exceptions=("now", "urgent", "subject", "own_body"),
        scope="sentence",
        only=frozenset({"aire", "breath", "breathless", "choked", "choke", "chokes", "choking"}),
    ),
    Frame(
        "thing",
        "an overdose of a thing, not of a drug",
        _words(
            "series serie netflix tv tele television shows memes cuteness ternura christmas "
            "navidad futbol football reality anime videojuegos gaming youtube tiktok chisme "
            "gossip musica music pelis peliculas movies romance drama compras shopping "
            "trabajo work homework tareas",
        ),
        exceptions=("urgent",),
        only=frozenset({"sobredosis", "overdose", "overdosed", "overdosing", "od"}),
    ),
    Frame(
        "second_language",
        "words stuck in a second language",
        _runs(
            "en ingles",
            "in english",
            "in spanish",
            "en espanol",
            "in french",
            "en frances",
            "accent",
            "acento",
            "idioma",
            "second language",
            "segundo idioma",
            "foreign language",
        ),
        exceptions=("present", "urgent"),
        only=frozenset(
            str.split(
                "traban trabada trabadas trabo enredan enredada palabras words habla speech "
                "jumbled garbled mixed scrambled stutter stuttering tartamudeo"
            )
        ),
    ),
    Frame(
        "thing",
        "a headache that is paperwork",
        _THING_CUES,
        exceptions=("own_body", "urgent", "someone"),
        only=frozenset({"headache", "headaches", "cabeza", "jaqueca", "migraine", "migrana"}),
    ),
)

# runs of words in which the flag words are not the symptom (vocabulary.IDIOMS)
MENTION_IDIOMS: tuple[str, ...] = (
    # shame, disappointment
    "cara de verguenza|pena",
    "face|faces fell when|as|at",
    # drowning in a glass of water (every form; families.py has the present tense)
    "ahogar|ahogarse|ahogarme|ahogue|ahogues|ahoguen|ahogaba|ahogamos|ahogan|ahogo se|me|te|nos? "
    "en un vaso de agua",
    # killing oneself studying or working
    "matar|mato|mata|matando|matamos|matan|matas|matare me|se|nos|te? "
    "a|de estudiar|trabajar|chambear|entrenar|limpiar|repasar|currar|correr|estudio|trabajo",
    "killing|kill|killed myself|ourselves studying|working|training",
    "killing|killed myself at work|school|practice",
    # a nose that whistles is not a wheeze
    "nose|nariz|nostril|nostrils whistles|whistling|whistle|silba|chifla|silbando",
    # pouring a drink is not blood pouring; bleeding gums are not a haemorrhage
    "pouring|poured|pour|pours wine|water|coffee|tea|milk|juice|drinks|beer|cereal|soup",
    "bleeding|bleed|bleeds gums",
    "gums bleed|bleeding|bleeds",
    "sangran|sangrando|sangrado las|mis|de? encias",
    "encias sangran|sangrando",
    # a bottle taken away from a child is not a poison taken
    "took|take|taking|grabbed it|them|that|the bottle? away",
    # a fever that is a mood, a craze or a vaccine's name; a frog's name
    "cabin|spring|gold|disco|bieber fever",
    "have|got|has|having|with baby fever",
    "fever pitch",
    "fever|fiebre of|de excitement|emocion|compras|sabado",
    "yellow|typhoid fever vaccine|vaccines|shot|shots|vaccination",
    "vacuna|vacunas contra|de|para la? fiebre amarilla|tifoidea",
    "poison dart|arrow frog|frogs",
    # a title, not a clamp
    "vice principal|president|presidente|chair|captain|versa|director|rector|admiral",
    # dishes
    "torta|tortas|huevo|huevos|pollo|papas|frijoles|chilaquiles ahogada|ahogadas|ahogado|ahogados",
    # a time, not everything
    "all day|week|weekend|morning|afternoon|evening|year|month|long",
    "todo el dia|fin|mes|ano|finde",
    # a schedule, not a doubled dose
    "twice|2x|thrice a|per|each day|week|night|month|daily|weekly",
    "2|two|dos|3|three|tres|4|four|cuatro times|veces a|al|per|por|each|cada "
    "day|dia|week|semana|night|noche|month|mes",
    # a pile of things; getting one's act together
    "pila|pilas de papeles|ropa|platos|trastes|cosas|libros|trabajo|tareas|documentos|gente",
    "pon|ponte|poner|ponerse|ponerme|pongo|pone|ponen|pongan|puse|puso|cargar|recargar "
    "te|se|me? las pilas",
)
