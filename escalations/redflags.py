"""Red-flag detection in a patient's own words (docs/architecture/escalations.md, "Detection").

Pure Python: no models, no database, no logging (the texts are PHI and are never logged, nor are
the phrases found in them). ``escalations.detection`` builds one :class:`Matcher` from the
configured phrases and the built-in lists (:data:`DEFAULT_PHRASES`) and scans every inbound text.

Matching
    Text and phrases are normalised the same way (:func:`normalize`): case-folded, accents
    dropped (``está`` = ``esta``, ``ñ`` = ``n``), apostrophes, straight or curly, removed
    (``can't`` = ``cant``), every other character that is not a letter or digit (punctuation,
    hyphens, line breaks, emoji) turned into a space. A phrase hits when its words appear, in
    order and next to each other, as whole words of the text: ``pain`` never matches inside
    ``painting``, and ``overdose`` does not match ``overdosed`` — inflections and spelling
    variants are therefore listed explicitly (``overdose``, ``overdosed``, ``overdosing``;
    ``can't breathe``, ``cannot breathe``, ``can not breathe``, ``can't breath``). Overlapping
    phrases are all found (``chest pain shortness of breath`` hits both). Each (target, phrase)
    is reported once, in the order of its first occurrence.

Negation policy
    A negation cue before a phrase does NOT silence it: **a negated red flag is still a red flag
    and still opens an emergent escalation.** A missed red flag is worse than a false alarm, and
    negation in free text is unreliable — "no chest pain but my arm is numb", "no, chest pain
    since this morning", "I don't know if it's chest pain", "not sure but I think I overdosed".
    The only effect of a negation cue is the hit's ``negated`` flag, which lets the recipient see
    that the patient may have denied the symptom so that they confirm it with the patient.

    The rule: a hit is ``negated`` when one of :data:`NEGATION_CUES` (English: no, not, don't,
    doesn't, didn't, never, denies, denied, without, nor, ...; Spanish: no, sin, niega, nunca,
    tampoco, ni) is one of the three words immediately before the phrase, punctuation ignored.
    The cues of both languages apply to every text (patients mix languages). Words that belong to
    the phrase itself are not cues: ``no puedo respirar``, ``don't want to live`` and ``not
    breathing`` are never negated by their own first word. When the same phrase occurs more than
    once, the hit is ``negated`` only if every occurrence is: "no chest pain yesterday, chest
    pain now" is not negated.

Known false alarms (accepted by design, see ``tests/escalations/redflag_corpus.py``): figures of
speech that contain a listed phrase ("a stroke of luck", "this bill gave me a heart attack", "casi
me da un infarto") escalate. The lists leave out phrases that are mostly figurative ("dying to",
"killing me", "me muero de", "me va a matar"): on their own they are rarely a red flag.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass

from escalations.choices import Language, PathwayKind

__all__ = [
    "DEFAULT_PHRASES",
    "NEGATION_CUES",
    "NEGATION_WINDOW",
    "Hit",
    "Matcher",
    "default_phrases",
    "normalize",
]

# --- normalisation ------------------------------------------------------------------------------

# Apostrophes and the characters typed for them: removed, not spaced, so "can't" = "cant".
# U+00B4 (acute accent) decomposes to "space + combining acute" under NFKD, so apostrophes are
# removed before decomposition (and once more after it, for the full-width apostrophe).
_APOSTROPHES = "'\u2019\u2018`\u00b4\u02bc\u02b9\u2032\uff07"
# A regular expression, not str.translate: translate looks up every character of a non-ASCII
# text in a dict (about 1.6 ms for 20,000 characters, against 0.07 ms; bench/red_flags.py).
_APOSTROPHE = re.compile("[" + re.escape(_APOSTROPHES) + "]+")
_COMMON_MARKS = re.compile("[\u0300-\u036f]+")  # combining diacritics (Latin accents)
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_NOT_WORD = re.compile(r"[\W_]+")  # anything but a letter or digit, runs of it


def _drop_marks(match: re.Match[str]) -> str:
    return "".join(c for c in match.group() if not unicodedata.combining(c))


def normalize(text: str) -> str:
    """``text`` as the matcher sees it: case-folded, without accents or apostrophes, and every
    run of other non-alphanumeric characters (punctuation, hyphens, line breaks, emoji) as one
    space; stripped. ``"Can't   BREATHE!!"`` → ``"cant breathe"``, ``"Náusea"`` → ``"nausea"``."""
    if not text:
        return ""
    text = _APOSTROPHE.sub("", text).casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = _COMMON_MARKS.sub("", text)
        if not text.isascii():  # other scripts' combining marks: only non-ASCII runs looked at
            text = _NON_ASCII.sub(_drop_marks, text)
        text = _APOSTROPHE.sub("", text)
    return _NOT_WORD.sub(" ", text).strip()


# --- negation -----------------------------------------------------------------------------------

#: Normalised words that, among the :data:`NEGATION_WINDOW` words right before a phrase, mark a
#: hit as possibly denied. They never silence it (module docstring, "Negation policy").
NEGATION_CUES: frozenset[str] = frozenset(
    {
        # English
        "no",
        "not",
        "dont",
        "doesnt",
        "didnt",
        "never",
        "denies",
        "denied",
        "without",
        "nor",
        "isnt",
        "wasnt",
        "havent",
        "hasnt",
        # Spanish
        "sin",
        "niega",
        "nunca",
        "tampoco",
        "ni",
    }
)
NEGATION_WINDOW = 3


# --- matching -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """A red-flag phrase found in a text."""

    phrase: str  # the configured phrase, normalised
    target: Hashable  # where it routes: a PathwayKind value (built-in lists) or a pathway's pk
    language: str  # the phrase's language: "en" / "es"
    negated: bool  # a negation cue just before every occurrence; still a hit (module docstring)


class Matcher:
    """Finds configured phrases in texts. Built once per phrase configuration (one compiled
    regular expression), then :meth:`find` on any number of texts."""

    def __init__(self, phrases: Iterable[tuple[str, Hashable, str]]) -> None:
        """``phrases``: (phrase text, target, language) triples. Phrases are normalised; one that
        normalises to nothing is ignored. The same phrase may route to several targets; for a
        repeated (phrase, target) the first language given is kept."""
        routes: dict[str, dict[Hashable, str]] = {}
        for text, target, language in phrases:
            phrase = normalize(text)
            if phrase:
                routes.setdefault(phrase, {}).setdefault(target, language)
        self._routes: dict[str, tuple[tuple[Hashable, str], ...]] = {
            phrase: tuple(targets.items()) for phrase, targets in routes.items()
        }
        # The regex finds, at each word start, the LONGEST phrase there (alternatives longest
        # first; the word boundary is checked inside the lookahead, so a failed boundary falls
        # back to a shorter alternative). Any shorter phrase matching at the same start is a
        # word-prefix of that longest one, so each phrase knows its word-prefixes that are
        # phrases too: together they are every phrase starting there.
        self._with_prefixes: dict[str, tuple[str, ...]] = {}
        for phrase in self._routes:
            words = phrase.split(" ")
            self._with_prefixes[phrase] = tuple(
                prefix
                for n in range(len(words), 0, -1)
                if (prefix := " ".join(words[:n])) in self._routes
            )
        self._pattern: re.Pattern[str] | None = None
        if self._routes:
            # Normalised text is words separated by single spaces: a word boundary is a
            # neighbouring space or the end of the text. The lookahead makes matches zero-width,
            # so phrases overlapping each other are all found. The phrases are one trie-shaped
            # expression (shared prefixes written once, longer continuations tried first), so
            # each word start costs a few character comparisons, not one per phrase
            # (bench/red_flags.py).
            self._pattern = re.compile(rf"(?<!\S)(?=({_trie_pattern(self._routes)})(?!\S))")

    def __bool__(self) -> bool:
        return self._pattern is not None

    def __len__(self) -> int:
        """How many distinct normalised phrases."""
        return len(self._routes)

    def find(self, text: str) -> list[Hit]:
        """The red flags in ``text``: one :class:`Hit` per (target, phrase), in the order of the
        phrase's first occurrence (at the same position: longer phrase first, then the order the
        targets were given)."""
        if self._pattern is None or not text:
            return []
        normalized = normalize(text)
        if not normalized:
            return []
        order: list[tuple[str, Hashable, str]] = []
        negated: dict[tuple[str, Hashable], bool] = {}
        for match in self._pattern.finditer(normalized):
            start = match.start()
            is_negated = _negation_before(normalized, start)
            for phrase in self._with_prefixes[match.group(1)]:
                for target, language in self._routes[phrase]:
                    key = (phrase, target)
                    if key not in negated:
                        order.append((phrase, target, language))
                        negated[key] = is_negated
                    elif not is_negated:
                        negated[key] = False
        return [
            Hit(phrase=phrase, target=target, language=language, negated=negated[phrase, target])
            for phrase, target, language in order
        ]


def _trie_pattern(phrases) -> str:
    """One regular expression matching exactly ``phrases``, written as their character trie:
    ``chest pain``, ``chest pains``, ``chest pressure`` → ``chest p(?:ain(?:s)?|ressure)``. At
    every node the continuations come before ending there (greedy), so the longest phrase is
    tried first and a failed word boundary backtracks to the next shorter one — the same
    semantics as an alternation sorted longest first."""
    root: dict = {}
    for phrase in phrases:
        node = root
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}  # a phrase ends here

    def emit(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return f"(?:{body})?"
        return body

    return emit(root)


def _negation_before(normalized: str, start: int) -> bool:
    """Whether a negation cue is among the NEGATION_WINDOW words before ``start`` (a word start
    in normalised text)."""
    if start == 0:
        return False
    # A bounded look back keeps long texts with many hits linear; it is widened to the whole
    # prefix only when the window holds too few words to be sure the first is whole.
    lookback = max(0, start - 120)
    words = normalized[lookback:start].split()
    if lookback:
        if len(words) > NEGATION_WINDOW:
            words = words[-NEGATION_WINDOW:]
        else:
            words = normalized[:start].split()[-NEGATION_WINDOW:]
    else:
        words = words[-NEGATION_WINDOW:]
    return any(word in NEGATION_CUES for word in words)


# --- the built-in lists -------------------------------------------------------------------------

_EN = Language.ENGLISH.value
_ES = Language.SPANISH.value

#: The built-in red-flag phrases: pathway kind → language → phrases. They apply to the first
#: active pathway of the kind that uses the built-in list (``use_default_red_flags``). Written as
#: a person would type them; matched normalised. Inflections and common misspellings are listed
#: because matching is on whole words. Deliberately absent: figures of speech that are rarely a
#: red flag ("dying to", "killing me", "me muero", "me va a matar") and bare words that are
#: mostly benign ("pain", "bleeding", "breath", "poison", "matarme", "cortarme").
DEFAULT_PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    # Medical emergencies: call 911 / go to the emergency department.
    PathwayKind.NURSE_TRIAGE.value: {
        _EN: (
            # chest pain / heart
            "chest pain",
            "chest pains",
            "chest pressure",
            "chest tightness",
            "tight chest",
            "crushing chest",
            "pain in my chest",
            "pain in the chest",
            "pressure in my chest",
            "my chest hurts",
            "chest is tight",
            "heart attack",
            "having a heart attack",
            # breathing
            "can't breathe",
            "cannot breathe",
            "can not breathe",
            "can't breath",
            "cannot breath",
            "couldn't breathe",
            "could not breathe",
            "unable to breathe",
            "can't catch my breath",
            "cannot catch my breath",
            "trouble breathing",
            "difficulty breathing",
            "hard to breathe",
            "struggling to breathe",
            "short of breath",
            "shortness of breath",
            "gasping for air",
            "not breathing",
            "stopped breathing",
            "choking",
            "turning blue",
            "blue lips",
            "lips are blue",
            # stroke
            "stroke",
            "having a stroke",
            "face drooping",
            "face is drooping",
            "facial droop",
            "slurred speech",
            "speech is slurred",
            "slurring words",
            "slurring his words",
            "slurring her words",
            "one side numb",
            "numb on one side",
            "numbness on one side",
            "weakness on one side",
            "sudden weakness",
            "sudden numbness",
            # seizures, consciousness
            "seizure",
            "seizures",
            "having a seizure",
            "convulsing",
            "convulsions",
            "unconscious",
            "passed out",
            "fainted",
            "fainting",
            "won't wake up",
            "will not wake up",
            "unresponsive",
            # bleeding
            "severe bleeding",
            "bleeding heavily",
            "heavy bleeding",
            "bleeding a lot",
            "won't stop bleeding",
            "bleeding won't stop",
            "coughing up blood",
            "vomiting blood",
            "throwing up blood",
            # allergy
            "throat closing",
            "throat is closing",
            "throat closing up",
            "tongue swelling",
            "anaphylaxis",
            "anaphylactic",
            "anaphylactic shock",
            "severe allergic reaction",
            # overdose, poisoning
            "overdose",
            "overdosed",
            "overdosing",
            "took too many pills",
            "taken too many pills",
            "too many pills",
            "poisoned",
            "poisoning",
            # headache
            "worst headache of my life",
            "worst headache ever",
        ),
        _ES: (
            # dolor de pecho / corazón
            "dolor de pecho",
            "dolor en el pecho",
            "dolores de pecho",
            "me duele el pecho",
            "presión en el pecho",
            "opresión en el pecho",
            "pecho apretado",
            "ataque al corazón",
            "ataque cardíaco",
            "infarto",
            # respiración
            "no puedo respirar",
            "no puede respirar",
            "no podía respirar",
            "me falta el aire",
            "le falta el aire",
            "falta de aire",
            "dificultad para respirar",
            "me ahogo",
            "me estoy ahogando",
            "se está ahogando",
            "no respira",
            "labios morados",
            # derrame cerebral
            "derrame cerebral",
            "embolia",
            "ictus",
            "cara caída",
            "boca torcida",
            "arrastra las palabras",
            "entumecimiento de un lado",
            "debilidad de un lado",
            # convulsiones, conciencia
            "convulsión",
            "convulsiones",
            "convulsionando",
            "ataque epiléptico",
            "desmayo",
            "se desmayó",
            "me desmayé",
            "inconsciente",
            "perdió el conocimiento",
            "no despierta",
            "no reacciona",
            # sangrado
            "sangrado abundante",
            "sangrando mucho",
            "sangra mucho",
            "hemorragia",
            "no para de sangrar",
            "vomitando sangre",
            "vómito con sangre",
            "tosiendo sangre",
            "tos con sangre",
            # alergia
            "se me cierra la garganta",
            "se le cierra la garganta",
            "reacción alérgica grave",
            "reacción alérgica severa",
            "anafilaxia",
            "choque anafiláctico",
            # sobredosis, envenenamiento
            "sobredosis",
            "tomé demasiadas pastillas",
            "tomó demasiadas pastillas",
            "demasiadas pastillas",
            "envenenamiento",
            "envenenado",
            "envenenada",
            "el peor dolor de cabeza de mi vida",
        ),
    },
    # Suicide and self-harm: the 988 Suicide & Crisis Lifeline, 911 if in immediate danger.
    PathwayKind.BEHAVIORAL_HEALTH.value: {
        _EN: (
            "kill myself",
            "killing myself",
            "want to kill myself",
            "going to kill myself",
            "gonna kill myself",
            "suicide",
            "suicidal",
            "commit suicide",
            "end my life",
            "ending my life",
            "end it all",
            "take my own life",
            "want to die",
            "wanna die",
            "wish i was dead",
            "wish i were dead",
            "better off dead",
            "better off without me",
            "hurt myself",
            "hurting myself",
            "harm myself",
            "self harm",
            "self harming",
            "cutting myself",
            "don't want to live",
            "do not want to live",
            "don't want to be alive",
            "no reason to live",
            "nothing to live for",
        ),
        _ES: (
            "quiero morir",
            "quiero morirme",
            "me quiero morir",
            "quisiera morirme",
            "ganas de morir",
            "deseo morir",
            "quiero matarme",
            "me quiero matar",
            "me voy a matar",
            "voy a matarme",
            "suicidarme",
            "suicidarse",
            "me voy a suicidar",
            "suicidio",
            "suicida",
            "suicidas",
            "pensamientos suicidas",
            "quitarme la vida",
            "quitarse la vida",
            "acabar con mi vida",
            "terminar con mi vida",
            "hacerme daño",
            "lastimarme a mí misma",
            "lastimarme a mí mismo",
            "autolesión",
            "autolesiones",
            "cortarme las venas",
            "no quiero vivir",
            "no quiero seguir viviendo",
            "no tengo razón para vivir",
            "mejor muerto",
            "mejor muerta",
        ),
    },
}


def default_phrases() -> Iterator[tuple[str, str, str]]:
    """Every built-in phrase as (phrase as written, pathway kind, language)."""
    for kind, by_language in DEFAULT_PHRASES.items():
        for language, phrases in by_language.items():
            for phrase in phrases:
                yield phrase, kind, language
