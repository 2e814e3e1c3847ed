"""The frames of the context layer (``context.py`` reads clauses and applies them): each frame's
cue words, its exceptions, and the word lists the exceptions use. Normalised words
(``normalize.py``): no accents, no apostrophes. docs/architecture/escalations.md ("How words
are read", **Context**) has the table.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BODY",
    "FIGURE_VERBS",
    "FRAMES",
    "OWNERS",
    "PERSON",
    "PRESENT",
    "SOMEONE",
    "SUBJECTS",
    "TITLES",
    "Frame",
]


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _runs(*texts: str) -> tuple[tuple[str, ...], ...]:
    """Runs of words, one per text ("right now", "signs of")."""
    return tuple(tuple(text.split()) for text in texts)


def _words(*texts: str) -> tuple[tuple[str, ...], ...]:
    """One-word runs, from space-separated lists."""
    return tuple((word,) for text in texts for word in text.split())


# --- exceptions shared by the frames -------------------------------------------------------------

OWNERS = _set("my mi me mis his her their su sus")
BODY = _set(
    "chest heart arm arms leg legs face lips tongue throat mouth jaw head stomach belly hand "
    "hands skin eyes eye neck back side "
    "pecho corazon brazo brazos pierna piernas cara labios lengua garganta boca mandibula cabeza "
    "estomago panza mano manos piel ojos ojo cuello espalda lado"
)
PRESENT = _runs(
    "now",
    "right now",
    "rn",
    "currently",
    "today",
    "tonight",
    "this morning",
    "suddenly",
    "again",
    "ahora",
    "ahorita",
    "horita",
    "hoy",
    "de repente",
    "otra vez",
    "de nuevo",
)
PERSON = _set(
    "i im ive we everyone everybody yo todos tenemos nosotros son daughter husband wife mom mum "
    "mother dad father grandma grandpa grandmother grandfather "
    "baby kid child toddler brother sister boy girl man woman person neighbor neighbour "
    "hijo hija esposo esposa mama papa abuela abuelo bebe nino nina hermano hermana senor senora "
    "vecino vecina suegra suegro"
)
# a person as the subject of the matched words ("he collapsed", "yo me desmayé"); "i" is not
# in SOMEONE (a figure of speech aimed at a thing is the patient's own: "im choking on forms");
# Spanish "él" is "el" once accents go, the article: not a subject
SOMEONE = _set("he hes she shes ella")
SUBJECTS = SOMEONE | _set("i im ive id we yo")
# a pronoun right after these words is a title's ("the song 'I can't breathe without you'")
TITLES = _set("song songs titled called cancion titulada titulado llama")
INJURY = _set(
    "bite bit bitten bites scratch scratched scratches attacked mauled "
    "mordida mordio mordido mordedura aranazo arano rasguno rasguño ataco"
)
URGENT = _set(
    "911 ambulance er emergency help scared ambulancia urgencias emergencia ayuda auxilio miedo"
)


@dataclass(frozen=True)
class Frame:
    """A context that takes a match out of its ``scope`` ("clause", "sentence", "text") when one
    of its ``cues`` is there, unless one of its ``exceptions`` is: ``own_body`` (an owner word
    right before a matched word: "my chest", "me duele"), ``present`` (now, today, ahora …),
    ``ongoing`` (since, still, desde …), ``person`` (a person named), ``person_owned`` ("my
    son", "mi hija"), ``subject`` (a person as the subject of the matched words: "he
    collapsed", "my dad fainted", "se desmayó mi abuela"), ``someone`` (the same without "I":
    a figure of speech is the patient's own), ``injury`` (a bite or scratch), ``urgent`` (911,
    the ER, help), ``recurrence`` (again, another one, right now: ``asides13.py``). ``needs``:
    a second cue list that must be there too (paperwork needs a past time, laughter a thing as
    the cause) unless a matched word is in ``enough``; ``only``: the
    frame takes out only matches holding one of these words (a figure of speech: "killing",
    "desangrando"); ``places``: a cue inside one of these runs is a place, not a cue ("in the
    movie theatre he collapsed"); ``after_match``: the cue counts only after the matched words."""

    name: str
    why: str  # what a clinician reads
    cues: tuple[tuple[str, ...], ...]
    exceptions: tuple[str, ...] = ("own_body", "present", "urgent")
    needs: tuple[tuple[str, ...], ...] = ()
    scope: str = "clause"
    only: frozenset[str] = frozenset()
    # runs in which a cue word names a place, not the frame ("movie theatre", "in traffic")
    places: tuple[tuple[str, ...], ...] = ()
    # matched words that make ``needs`` unnecessary (laughter: "choking" is a figure already)
    enough: frozenset[str] = frozenset()
    # the cue must come after the matched words ("the chest pain was just reflux"; "I was
    # just sitting and my chest …" is not an explanation)
    after_match: bool = False


_MONTHS = (
    "january february march april june july august september october november december "
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
)
# "hace 5 años", "hace dos años": a time long past, in Spanish
_AGO_ES = tuple(
    f"hace {number} anos"
    for number in (*(str(n) for n in range(2, 61)), "dos", "tres", "cuatro", "cinco", "diez")
)
# a time long past (a year, a month, "years ago"): paperwork about a past visit needs one
_PAST_TIME = _runs(
    "years ago",
    "year ago",
    "yrs ago",
    "yr ago",
    "months ago",
    "last year",
    "last years",
    "ano pasado",
    "hace anos",
    *_AGO_ES,
    *(str(year) for year in range(1950, 2026)),
    *_MONTHS.split(),
)
# a year or "ago": a visit that far back is history
_LONG_PAST = tuple(run for run in _PAST_TIME if run[0] not in _MONTHS.split())
# going on since then: "chest pain since my visit in March", "desde 2019"
ONGOING = _set("since desde still todavia sigo sigue continues")
# words a figure of speech uses; the "thing" and "laughing" frames take out only these
FIGURATIVE = _set(
    "killing kill kills suffocating suffocate suffocates choking choke chokes drowning "
    "matando mata matar desangrando desangra asfixiando asfixia ahogando ahoga ahogo"
)
# the colours a food or a dye can give the lips, the tongue or the stool
COLOURS = _set(
    "blue purple black red bluish purplish morado morada morados moradas moradito moraditos "
    "azul azules azulado azulados negro negra negras rojo roja rojas rojos"
)
# Spanish verbs after "me" that are a figure, not the own body ("me ahogo", "me dejó sin aire")
# what snoring sounds like; "he snored, then stopped breathing" is not a sound
SNORE_LIKE = _set(
    "choking choke chokes gasping gasp gasps suffocating ahogando ahoga ahogandose asfixiando"
)
FIGURE_VERBS = FIGURATIVE | _set("dejo deja dejaron")
BREATH_WORDS = _set(
    "breath breathe breathing air gasping gasp choking aire respirar respiro ahogo ahogando ahoga"
)

# a cue inside these runs is a place, not a story ("at the movies", "movie theatre")
_PLACES = _runs(
    "movie theatre",
    "movie theater",
    "movie theatres",
    "movie theaters",
    "movie house",
    "the movies",
    "at book club",
    "at the book club",
    "at my book club",
    "at our book club",
    "drama class",
    "drama club",
    "sala de cine",
)
# laughter sets a match aside only with a thing as its cause ("this match gave me a heart attack
# lol", "la peli me dejó sin aire jaja") or a figure of speech in the match ("dying", "choking"):
# "I think I'm having a heart attack lol" is a claim, and it fires
_LAUGH_CAUSES = _runs(
    "gave me",
    "give me",
    "gives me",
    "giving me",
    "made me",
    "makes me",
    "making me",
    "had me",
    "looking at",
    "watching",
    "almost",
    "nearly",
    "over this",
    "over these",
    "singing",
    "game",
    "match",
    "exam",
    "boss",
    "me dio",
    "me da",
    "me va a dar",
    "me dejo",
    "me deja",
    "casi me",
    "de tanto",
    "con tanto",
    "viendo",
    "partido",
    "team",
    "playoffs",
    "equipo",
    "examen",
    "jefe",
) + tuple(
    run
    for text in (
        "deadline deadlines bill bills forms paperwork insurance prices taxes rent traffic parking",
        "factura facturas cuenta cuentas seguro precios renta trafico tramites papeleo",
        "movie film song show peli pelicula cancion serie novela",
    )
    for run in _words(text)
)

FRAMES: tuple[Frame, ...] = (
    Frame(
        "animal",
        "about an animal",
        _words(
            "cat cats dog dogs puppy kitten pet pets vet vets veterinarian veterinary hamster "
            "parrot rabbit rabbits bunny ferret parakeet budgie",
            "perro perros perra perras perrita perrito gato gata gatos gatito gatita mascota "
            "mascotas veterinario veterinaria conejo conejito cobayo cuyo huron perico loro "
            "tortuga",
        ),
        exceptions=("injury", "person", "own_body", "urgent"),
        places=_runs("pet store", "pet shop", "dog park", "tienda de mascotas"),
    ),
    Frame(
        "story",
        "about a story, a film, a song or a game",
        _words(
            "character characters movie movies film novel memoir heroine protagonist actor "
            "actress lyrics song songs podcast fiction sitcom drama telenovela novels movies films",
            "personaje personajes pelicula peli pelis novela cancion actriz protagonista heroina",
            "singing sings sang cantando canta canto",
        )
        + _runs(
            "short story",
            "a story",
            "tv show",
            "tv series",
            "last level",
            "book club",
            "a book",
            "the book",
            "the radio",
            "on repeat",
            "una serie",
            "la serie",
            "el libro",
            "un libro",
            "un cuento",
            "el cuento",
        ),
        exceptions=("own_body", "present", "urgent", "subject"),
        places=_PLACES,
    ),
    Frame(
        "media",
        "about someone in the news, a match or a video, not the patient",
        _words(
            "player players athlete athletes footballer celebrity celebrities singer news video "
            "videos youtube tiktok documentary",
            "jugador jugadores futbolista deportista deportistas famoso famosa cantante "
            "noticias noticiero video videos documental golazo portero",
        ),
        exceptions=("own_body", "present", "urgent", "subject"),
    ),
    Frame(
        "information",
        "a question for information, not a symptom",
        _runs(
            "signs of",
            "symptoms of",
            "warning signs",
            "difference between",
            "school project",
            "project",
            "homework",
            "leaflet",
            "leaflets",
            "pamphlet",
            "brochure",
            "poison control",
            "prevent",
            "prevents",
            "prevention",
            "i read that",
            "info on",
            "info about",
            "information on",
            "information about",
            "just curious",
            "informacion sobre",
            "por curiosidad",
            "sintomas de",
            "que sintomas",
            "signos de",
            "senales de",
            "first aid",
            "primeros auxilios",
            "nursing student",
            "estudiante de enfermeria",
            "de la escuela",
            "para la escuela",
            "diferencia entre",
            "tarea",
            "folleto",
            "folletos",
            "prevenir",
            "previene",
            "lei que",
            "general knowledge",
            "is it true",
            "normal range",
            "normal temperature",
            "care class",
            "explain what",
            "can you explain",
            "could you explain",
            "studying",
            "for my exam",
            "for an exam",
            "nursing school",
            "es verdad que",
            "es cierto que",
            "rango normal",
            "me explican",
            "pueden explicar",
            "estudiando",
            "para mi examen",
            "para un examen",
        ),
        exceptions=("own_body", "present", "urgent", "person_owned", "subject"),
    ),
    Frame(
        "past_visit",
        "paperwork about a past visit",
        _words(
            "bill billed itemized itemised invoice receipt statement copy records summary owe "
            "paid reimbursement",
            "factura copia resumen expediente cobro recibo pagar pague reembolso",
        ),
        exceptions=("present", "ongoing"),
        needs=_PAST_TIME,
    ),
    Frame(
        "past_visit",
        "a visit long past",
        _words("visit appointment consultation followup", "consulta cita visita"),
        exceptions=("present", "ongoing"),
        needs=_LONG_PAST,
    ),
    Frame(
        "explained",
        "a past episode the patient says was explained",
        _runs(
            "was reflux",
            "was just",
            "was only",
            "turned out",
            "it was anxiety",
            "was heartburn",
            "era reflujo",
            "fue reflujo",
            "era solo",
            "fue solo",
            "era ansiedad",
            "fue ansiedad",
            "era gastritis",
            "resulto ser",
        ),
        exceptions=("present",),
        after_match=True,
    ),
    Frame(
        "history",
        "the patient's history, not now",
        _runs(
            "years ago",
            "year ago",
            "yrs ago",
            "yr ago",
            "last year",
            "last years",
            "passed away",
            "family history",
            "in the past",
            "ano pasado",
            "hace anos",
            *_AGO_ES,
            "last month",
            "el mes pasado",
            "fallecio",
            "antecedentes",
            "when i was a teenager",
            "when i was a kid",
            "when i was a child",
            "when i was young",
            "as a teenager",
            "as a kid",
            "as a child",
            "cuando era nino",
            "cuando era nina",
            "cuando era joven",
            "cuando era adolescente",
            "de nino",
            "de nina",
            "de adolescente",
            *(f"in {year}" for year in range(1950, 2026)),
            *(f"en {year}" for year in range(1950, 2026)),
            *(f"de {year}" for year in range(1950, 2026)),
        ),
        exceptions=("present", "ongoing"),
        # a birth last month is an infant's age, not a history ("born 4th of last month")
        places=_runs("born last month", "of last month", "nacio el mes pasado"),
    ),
    Frame(
        "laughter",
        "a figure of speech marked by laughter",
        _words("lol lmao lmfao rofl haha hahaha hahahaha jaja jajaja jajajaja jeje jejeje xd"),
        exceptions=("own_body", "urgent", "present"),
        needs=_LAUGH_CAUSES,
        enough=FIGURATIVE,
        scope="sentence",
    ),
    Frame(
        "laughing",
        "out of breath from laughing",
        _words("laughing laughed laugh reir reirme riendo risa carcajada carcajadas"),
        exceptions=("urgent", "present"),
        only=BREATH_WORDS,
    ),
    Frame(
        "thing",
        "a figure of speech aimed at a thing",
        _words(
            "deadline deadlines bill bills forms form paperwork insurance prices price taxes rent "
            "traffic parking copay copays heat humidity weather smog",
            "factura facturas cuenta cuentas seguro copago copagos precios renta trafico "
            "tramites papeles papeleo calor bochorno",
        ),
        exceptions=("own_body", "urgent", "someone"),
        places=_runs(
            "parking lot",
            "parking garage",
            "in traffic",
            "in the traffic",
            "en el trafico",
            "en el estacionamiento",
            "en el parking",
        ),
        only=FIGURATIVE,
    ),
    Frame(
        "dye",
        "a colour a food or a dye explains",
        _words(
            "popsicle popsicles candy lollipop blueberries blueberry beet beets beetroot "
            "coloring colouring dye marker markers slushie gatorade pepto bismuth",
            "paleta paletas dulce dulces caramelo chupete chupetin arandanos betabel remolacha "
            "colorante plumon marcador raspado",
        ),
        exceptions=("urgent",),
        only=COLOURS,
        after_match=True,
    ),
    Frame(
        "sleep_sounds",
        "snoring, not choking",
        _words("snore snores snoring snored", "ronca roncando ronquidos ronquido"),
        exceptions=("urgent",),
        only=SNORE_LIKE,
    ),
)
