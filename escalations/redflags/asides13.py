"""Round 13's frames of the context layer (issue 15, ninth pass: after the thirteenth blind
round).

``context.py`` applies :data:`ROUND13_FRAMES` after ``asides.ASIDE_FRAMES``. Each is a kind of
wording with the exceptions that keep a real emergency (``frames.Frame`` documents them):

* **a childhood episode with the age now** ("had a febrile seizure when he was 2, he's 6
  now", "a los 2 años …, ahora tiene 6"): the age told after the episode, and the age now;
  kept by a recurrence ("again", "another one", "otra vez", "right now"), "still" or a call
  for help;
* **a condition's name with a past month** ("he had his stroke in January", "tuvo el derrame
  en enero"): the name only, the month after it (a sign told now — a face drooping — is not
  taken out); kept by now, "since", "still" or a call for help;
* **fainting at needles or blood, told as what happens** ("fainted at the sight of the needle
  last time", "cada vez que veo sangre me desmayo"): the faint only; needs "last time",
  "every time" or "always"; kept by now, "still" or a call for help;
* **a sleep study's question** ("does insurance cover a sleep apnea study? I stop breathing
  when I snore"): breathing that stops only, with snoring told; kept by now, "still" or a
  call for help;
* **a question about what a planned thing will do** ("getting a tattoo next week, will it bleed
  a lot on aspirin? just wondering", "solo curiosidad"): needs a future ("will it", "next
  week", "me voy a hacer", "sangraré"); bleeding only; kept like the information frame (the
  own body, now, a person of one's own or as the subject, a call for help);
* **a farewell's circumstance with its mundane reason** (all appointments cancelled and "won't
  need them" because of a move or a new doctor; not "moving to a better place"): the
  cancelling only, never words of suicide; kept by a call for help;
* **an overdose of a food** ("overdosed on coffee lol", "sobredosis de azúcar"): the word
  overdose only, the food right after "on" or "de" (caffeine pills are not a food); kept by a
  call for help.
"""

from __future__ import annotations

from escalations.redflags.frames import Frame
from escalations.redflags.mentions import TERMS

__all__ = ["RECURRENCE", "ROUND13_FRAMES"]


def _runs(*texts: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(text.split()) for text in texts)


def _words(*texts: str) -> tuple[tuple[str, ...], ...]:
    return tuple((word,) for text in texts for word in text.split())


_AGES = tuple(str(n) for n in range(1, 18))
_MONTHS_EN = str.split(
    "january february march april may june july august september october november december"
)
_MONTHS_ES = str.split(
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre "
    "diciembre"
)
# a recurrence keeps a childhood episode: "again", "another one", "right now" (context.py)
RECURRENCE = _runs(
    "again",
    "another",
    "another one",
    "right now",
    "rn",
    "currently",
    "happening",
    "otra vez",
    "de nuevo",
    "otra",
    "otro",
    "ahorita",
    "en este momento",
)
_FAINT = frozenset(
    str.split(
        "faint fainted fainting faints pass passed passing out desmayo desmaye desmayar "
        "desmayarme desmaya desmayaba"
    )
)
_STOPS = frozenset(str.split("stop stops stopped stopping pause pauses dejo deja dejar para paro"))
_CANCEL = frozenset(str.split("cancel cancelling canceling cancelen cancela cancelar cancelan"))
# a condition's name: a term, or "heart attack", "cardiac arrest", "paro cardiaco"
_NAMES = TERMS | frozenset({"attack", "arrest", "paro"})
_BLEEDS = frozenset(str.split("bleed bleeding bleeds sangrare sangrar sangra sangrado sangrando"))
_OVERDOSE = frozenset({"overdose", "overdosed", "overdosing", "od", "sobredosis"})

ROUND13_FRAMES: tuple[Frame, ...] = (
    Frame(
        "history",
        "a childhood episode, with the child's age now",
        _runs(
            *(f"when {who} was {age}" for who in ("he", "she", "i") for age in _AGES),
            *(f"a los {age} anos" for age in _AGES),
            *(f"cuando tenia {age} anos" for age in _AGES),
        ),
        exceptions=("recurrence", "ongoing", "urgent"),
        # told after the episode ("had a seizure when he was 2"): "he's 6 now and seizing" fires
        after_match=True,
        needs=_runs(
            *(f"{who} {age} now" for who in ("hes", "shes", "im") for age in _AGES),
            *(f"now {who} {age}" for who in ("hes", "shes", "im") for age in _AGES),
            *(f"ahora tiene {age}" for age in _AGES),
            *(f"ya tiene {age}" for age in _AGES),
            *(f"ahora tengo {age}" for age in _AGES),
        ),
        scope="sentence",
    ),
    Frame(
        "history",
        "a condition's name with a past month, not now",
        _runs(
            *(f"in {month}" for month in _MONTHS_EN if month != "may"),
            *(f"back in {month}" for month in _MONTHS_EN),
            *(f"en {month}" for month in _MONTHS_ES),
        ),
        exceptions=("present", "ongoing", "urgent"),
        only=_NAMES,
        after_match=True,
    ),
    Frame(
        "history",
        "fainting at needles or blood, told as what happens",
        _runs(
            "needle",
            "needles",
            "blood draw",
            "blood test",
            "injection",
            "injections",
            "sight of blood",
            "aguja",
            "agujas",
            "extraccion",
            "inyeccion",
            "inyecciones",
            "ver sangre",
        ),
        exceptions=("now", "ongoing", "urgent"),
        needs=_runs("last time", "every time", "always", "la ultima vez", "cada vez", "siempre"),
        scope="sentence",
        only=_FAINT,
    ),
    Frame(
        "information",
        "a question about a sleep study, not breathing stopped now",
        _runs(
            "sleep apnea",
            "sleep apnoea",
            "sleep study",
            "apnea study",
            "estudio del sueno",
            "apnea del sueno",
        ),
        exceptions=("now", "ongoing", "urgent"),
        # snoring told too: an infant's apnoea ("stopped breathing for 20 seconds") stays a flag
        needs=_words("snore snores snoring snored ronco ronca roncando ronquidos"),
        only=_STOPS,
        scope="text",
    ),
    Frame(
        "information",
        "a question about what a planned thing will do, not a symptom",
        _runs(
            "just wondering",
            "just curious",
            "solo curiosidad",
            "pura curiosidad",
            "simple curiosidad",
            "por curiosidad",
        ),
        exceptions=("own_body", "present", "urgent", "person_owned", "subject"),
        needs=_runs(
            "will it",
            "will i",
            "would it",
            "would i",
            "next week",
            "la proxima semana",
            "voy a hacer",
            "sangrare",
        ),
        scope="text",
        # bleeding only: a planned tattoo or a procedure's bleeding, asked about
        only=_BLEEDS,
    ),
    Frame(
        "explained",
        "appointments cancelled for a mundane reason told",
        _runs(
            "moving to",
            "moving away",
            "were moving",
            "im moving",
            "new doctor",
            "another clinic",
            "different clinic",
            "new insurance",
            "me mudo",
            "nos mudamos",
            "otro medico",
            "otra clinica",
            "nuevo seguro",
        ),
        exceptions=("urgent",),
        only=_CANCEL,
        # "moving to a better place" is no mundane reason
        places=_runs(
            "moving to a better place", "going to a better place", "me mudo a un lugar mejor"
        ),
        scope="text",
    ),
    Frame(
        "thing",
        "an overdose of a food, not of a drug",
        _runs(
            *(
                f"{prep} {food}"
                for prep in ("on", "de")
                for food in str.split(
                    "coffee cafe sugar azucar chocolate cake pastel pizza candy dulces"
                )
            )
        ),
        exceptions=("urgent",),
        only=_OVERDOSE,
        after_match=True,
    ),
)
