"""More frames of the context layer (issue 15, eighth pass: after round 12).

``context.py`` applies :data:`ASIDE_FRAMES` after ``frames.FRAMES`` and
``mentions.MENTION_FRAMES``. Each is a kind of wording with the exceptions that keep a real
emergency (``frames.Frame`` documents them):

* **schoolwork about a condition's name** ("tarea de biología sobre el derrame", "los signos
  del infarto para un trabajo"): only the name itself, kept by a person as its subject, "now"
  or a call for help — the information frame is kept by "my daughter", schoolwork is not;
* **a first-aid course or a fire drill** ("doing a first aid course next week - how many chest
  compressions per minute?"; not "a course" alone: a course of antibiotics, nor "drill": the
  tool): the sentence; kept by the own body, a person of one's own or as the subject, now, or a
  call for help ("doing chest compressions on my husband now" fires);
* **a show watched** ("watched an episode where someone had a seizure", a medical drama, "en
  la tele"; not "watched" alone: "watched him collapse" is a real event): kept by the own body,
  a person of one's own or as the subject, now, or a call for help;
* **a stranger seen collapsing in the past** ("I saw a man collapse yesterday"): needs a past
  time; kept by the own body, a person of one's own, now or "still";
* **a question about a doubled or mistaken dose**, told as not having happened ("¿qué pasa si
  por error me tomo dos veces …? no me ha pasado"; "what happens if I take all my pills?"
  stays a flag): kept by a call for help;
* **a doubled or mistaken dose of a vitamin** ("took my vitamin D twice", "by accident"):
  only that (a child who ate the vitamins stays a flag); kept by a call for help or a person
  of one's own ("my son took my vitamins by mistake");
* **a past long behind**: "used to" with a time long past ("as a teen", "it's been 8
  years"; neither alone: "I've been 3 years sober and relapsed and took 20 pills" fires); kept
  by now or "still";

Words of suicide are never set aside here because of a mundane cause (a wait that makes one
"want to jump off a bridge", laughter at "se quiere morir cada vez que pierde el Barça"): a
clinician takes every such mention seriously, so those stay false alarms.
"""

from __future__ import annotations

from escalations.redflags.frames import Frame
from escalations.redflags.mentions import TERMS

__all__ = ["ASIDE_FRAMES"]


def _runs(*texts: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(text.split()) for text in texts)


def _words(*texts: str) -> tuple[tuple[str, ...], ...]:
    return tuple((word,) for text in texts for word in text.split())


# the words of a doubled or mistaken dose's match
_DOUBLED = frozenset(
    str.split(
        "twice double doubled doble dos veces accident accidentally mistake error equivocacion"
    )
)

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
            "training course",
            "fire drill",
            "safety drill",
            "curso de primeros auxilios",
            "clase de primeros auxilios",
            "curso de rcp",
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
        exceptions=("own_body", "present", "ongoing", "person_owned"),
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
        # a doubled or mistaken dose only: "what happens if I take all my pills? it hasn't
        # happened" stays a flag
        only=_DOUBLED,
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
        only=_DOUBLED,
    ),
    Frame(
        "history",
        "a past long behind, not now",
        _runs("used to", "solia", "solian"),
        exceptions=("present", "ongoing"),
        # "used to" alone is no history ("I used to take them with vodka and took 30"), nor is
        # a time alone ("I've been 3 years sober and relapsed and took 20 pills")
        needs=_runs(
            "as a teen",
            "as a teenager",
            "in my teens",
            "in high school",
            "in college",
            "years ago",
            "de joven",
            "de adolescente",
            "en la prepa",
            "en la secundaria",
            "hace anos",
            *(f"been {n} years" for n in range(2, 41)),
        ),
    ),
)
