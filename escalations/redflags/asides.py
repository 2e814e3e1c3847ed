"""More frames of the context layer (issue 15, eighth pass: after round 12).

``context.py`` applies :data:`ASIDE_FRAMES` after ``frames.FRAMES`` and
``mentions.MENTION_FRAMES``. Each is a kind of wording with the exceptions that keep a real
emergency (``frames.Frame`` documents them):

* **schoolwork about a condition's name** ("tarea de biología sobre el derrame", "los signos
  del infarto para un trabajo"): only the name itself, kept by a person as its subject, "now"
  or a call for help — the information frame is kept by "my daughter", schoolwork is not;
* **a first-aid course or a drill** ("doing a first aid course next week - how many chest
  compressions per minute?"): the sentence; kept by the own body, a person of one's own or as
  the subject, now, or a call for help ("doing chest compressions on my husband now" fires);
* **a show watched** ("watched an episode where someone had a seizure", a medical drama, "en
  la tele"; not "watched" alone: "watched him collapse" is a real event): kept by the own body,
  a person of one's own or as the subject, now, or a call for help;
* **a stranger seen collapsing in the past** ("I saw a man collapse yesterday"): needs a past
  time; kept by the own body, a person of one's own, or now;
* **a question about what would happen**, told as not having happened ("¿qué pasa si …? no
  me ha pasado"): kept by a call for help;
* **a doubled or mistaken dose of a vitamin** ("took my vitamin D twice", "by accident"):
  only that (a child who ate the vitamins stays a flag); kept by a call for help or a person
  of one's own ("my son took my vitamins by mistake");
* **a past long behind** ("used to …", "as a teen", "it's been 8 years"): kept by now or
  "still";
* **laughter at a habit** ("se quiere morir cada vez que pierde el Barça jajaja"): kept by
  now or a call for help;
* **a wait that makes one "want to jump off a bridge"**: a waiting time, a queue, hold music
  (not the bills: a debt can be a real cause of despair); kept by a call for help.
"""

from __future__ import annotations

from escalations.redflags.frames import Frame
from escalations.redflags.mentions import TERMS

__all__ = ["ASIDE_FRAMES"]


def _runs(*texts: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(text.split()) for text in texts)


def _words(*texts: str) -> tuple[tuple[str, ...], ...]:
    return tuple((word,) for text in texts for word in text.split())


_LAUGHTER = _words("lol lmao lmfao rofl haha hahaha hahahaha jaja jajaja jajajaja jeje jejeje xd")

ASIDE_FRAMES: tuple[Frame, ...] = (
    Frame(
        "term",
        "a condition's name in schoolwork, not a symptom",
        _runs(
            "homework",
            "assignment",
            "school project",
            "science project",
            "biology",
            "tarea",
            "trabajo escolar",
            "para un trabajo",
            "para el trabajo de",
            "biologia",
        ),
        exceptions=("subject", "now", "urgent"),
        scope="sentence",
        only=TERMS,
    ),
    Frame(
        "information",
        "a first-aid course or a drill, not a symptom",
        _runs(
            "first aid course",
            "first aid class",
            "cpr course",
            "cpr class",
            "cpr training",
            "a course",
            "training course",
            "drill",
            "curso de primeros auxilios",
            "clase de primeros auxilios",
            "curso de rcp",
            "un curso",
            "simulacro",
        ),
        exceptions=("own_body", "present", "urgent", "subject", "person_owned"),
        scope="sentence",
    ),
    Frame(
        "story",
        "about a show being watched",
        _runs(
            *(
                f"{verb} {what}"
                for verb in ("watched", "watching", "binge watched", "binge watching")
                for what in ("tv", "a show", "an episode", "a series", "a medical drama")
            ),
            "on tv",
            "on the tv",
            "medical drama",
            "medical dramas",
            "serie de medicos",
            "series de medicos",
            "serie medica",
            "en la tele",
            "en la television",
        ),
        exceptions=("own_body", "present", "urgent", "subject", "person_owned"),
    ),
    Frame(
        "witness",
        "a stranger seen in the past, not the patient",
        _runs(
            *(
                f"{verb} {who}"
                for verb in ("saw", "watched", "seen")
                for who in (
                    "a man",
                    "a woman",
                    "a guy",
                    "a lady",
                    "a stranger",
                    "a person",
                    "someone",
                    "somebody",
                )
            ),
            *(
                f"vi a {who}"
                for who in (
                    "un senor",
                    "una senora",
                    "un hombre",
                    "una mujer",
                    "un muchacho",
                    "una muchacha",
                    "alguien",
                    "una persona",
                )
            ),
            "witnessed",
            "presencie",
        ),
        exceptions=("own_body", "present", "person_owned"),
        needs=_runs(
            "yesterday",
            "last week",
            "last night",
            "the other day",
            "ayer",
            "anoche",
            "la semana pasada",
            "el otro dia",
        ),
        scope="sentence",
    ),
    Frame(
        "hypothetical",
        "a question about what would happen, told as not having happened",
        _runs(
            "what happens if",
            "what would happen if",
            "what if",
            "que pasa si",
            "que pasaria si",
            "que sucede si",
        ),
        exceptions=("urgent",),
        needs=_runs(
            "no me ha pasado",
            "no ha pasado",
            "no me paso",
            "no ha sucedido",
            "hasnt happened",
            "it hasnt happened",
            "didnt happen",
            "it didnt happen",
            "hasnt happened to me",
        ),
        scope="text",
    ),
    Frame(
        "harmless",
        "a doubled dose of a vitamin",
        _words(
            "vitamin vitamins multivitamin multivitamins probiotic probiotics",
            "vitamina vitaminas multivitaminico probiotico probioticos",
        ),
        exceptions=("urgent", "person_owned"),
        scope="text",
        only=frozenset(
            str.split(
                "twice double doubled doble dos veces accident accidentally mistake error "
                "equivocacion"
            )
        ),
    ),
    Frame(
        "history",
        "a past long behind, not now",
        _runs(
            "used to",
            "as a teen",
            "when i was a teen",
            "in my teens",
            "in high school",
            "de joven",
            "en la prepa",
            "en la secundaria",
            "solia",
            *(f"been {n} years" for n in range(2, 41)),
            *(f"{n} years clean" for n in range(1, 41)),
            *(f"{n} anos limpia" for n in range(1, 41)),
            *(f"{n} anos limpio" for n in range(1, 41)),
        ),
        exceptions=("present", "ongoing"),
    ),
    Frame(
        "laughter",
        "laughter at a habit (every time the team loses)",
        _LAUGHTER,
        exceptions=("urgent", "present"),
        needs=_runs("cada vez que", "every time", "everytime", "whenever", "siempre que"),
        scope="sentence",
    ),
    Frame(
        "thing",
        "a wait that makes one want to jump, a figure of speech",
        _runs(
            "making me want to",
            "makes me want to",
            "make me want to",
            "made me want to",
            "me dan ganas de",
            "me da ganas de",
            "me dieron ganas de",
            "me dio ganas de",
        ),
        exceptions=("urgent",),
        needs=_words(
            "wait waiting queue queues hold",
            "espera esperar fila filas cola colas",
        ),
        scope="sentence",
    ),
)
