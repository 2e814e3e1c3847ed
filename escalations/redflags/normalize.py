"""Text as the red-flag matcher reads it: one normal form, then words.

:func:`normalize` (in this order):

1. zero-width and other invisible formatting characters (soft hyphen, zero-width space/joiners,
   word joiner, byte-order mark, bidirectional marks: Unicode category ``Cf``) are removed, so a
   word split by one is whole again (``che\\u200bst`` = ``chest``);
2. the shorthand "OD'd" / "OD'ing" is written out (``overdosed``: without its apostrophe it
   would be the word "odd"), then apostrophes, straight or curly, are removed (``can't`` =
   ``cant``);
3. Unicode NFKC (full-width ``\\uff43\\uff48\\uff45\\uff53\\uff54`` = ``chest``, ligatures,
   compatibility forms), then case folding (``ß`` = ``ss``);
4. accents are dropped (NFKD without combining marks: ``está`` = ``esta``, ``ñ`` = ``n``);
5. look-alike letters from Cyrillic and Greek are folded to the Latin letter they imitate
   (``\\u0441h\\u0435st``, with a Cyrillic es and ie, = ``chest``) — only inside words that
   also hold a Latin letter, so a text written in Russian or Greek stays as it is;
6. every other run of characters that are not letters or digits (punctuation, hyphens, line
   breaks, emoji) becomes one space; a point or comma between two digits stays, as a point
   (``38,6`` = ``38.6``: a temperature is one word).

:func:`words` splits the normal form into words and separates Spanish enclitic pronouns from
infinitives and gerunds (``quitarme`` → ``quitar me``, ``tomármelas`` → ``tomar me las``,
``ahogándome`` → ``ahogando me``), so that "who" is a word of its own for the matcher.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "NEGATION_CUES",
    "NEGATION_WINDOW",
    "diminutive_bases",
    "fever_temperature",
    "normalize",
    "words",
]

# Apostrophes and the characters typed for them: removed, not spaced, so "can't" = "cant".
_APOSTROPHE = re.compile("['\u2019\u2018`\u00b4\u02bc\u02b9\u2032\uff07]+")
_COMMON_MARKS = re.compile("[\u0300-\u036f]+")  # combining diacritics (Latin accents)
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_NOT_WORD = re.compile(r"[\W_]+")  # anything but a letter or digit, runs of it
# A point or comma between two digits stays, as a point: a temperature "38.6" or "38,6" is one
# word. It is written as POINT (letters: punctuation removal keeps it) and turned back after.
_DECIMAL = re.compile(r"(\d)[.,](?=\d)")
POINT = "qzpointzq"


def protect_decimals(text: str) -> str:
    """``text`` with the point or comma of each decimal number written as :data:`POINT`."""
    return _DECIMAL.sub(r"\1" + POINT, text)


# Invisible characters: every format character (Unicode category Cf: soft hyphen, zero-width
# space and joiners, word joiner, bidirectional marks, byte-order mark, tags …; the set of
# Unicode 14, tests/escalations/test_redflags.py checks it against the running Python) and the
# blank "letters" (Hangul fillers, braille blank). One regular expression: fast on long texts.
_INVISIBLE = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f\u115f\u1160\u3164\uffa0\u2800]+"
)

#: Cyrillic and Greek letters (after case folding) that look like a Latin letter.
LOOKALIKES: dict[str, str] = {
    # Cyrillic
    "\u0430": "a",  # cyrillic small letter a
    "\u0432": "b",  # cyrillic small letter ve
    "\u0441": "c",  # cyrillic small letter es
    "\u0501": "d",  # cyrillic small letter komi de
    "\u0435": "e",  # cyrillic small letter ie
    "\u0451": "e",  # cyrillic small letter io
    "\u04bb": "h",  # cyrillic small letter shha
    "\u043d": "h",  # cyrillic small letter en
    "\u0456": "i",  # cyrillic small letter byelorussian-ukrainian i
    "\u0457": "i",  # cyrillic small letter yi
    "\u0458": "j",  # cyrillic small letter je
    "\u043a": "k",  # cyrillic small letter ka
    "\u04cf": "l",  # cyrillic small letter palochka
    "\u043c": "m",  # cyrillic small letter em
    "\u043e": "o",  # cyrillic small letter o
    "\u0440": "p",  # cyrillic small letter er
    "\u051b": "q",  # cyrillic small letter qa
    "\u0455": "s",  # cyrillic small letter dze
    "\u0442": "t",  # cyrillic small letter te
    "\u0443": "y",  # cyrillic small letter u
    "\u0475": "v",  # cyrillic small letter izhitsa
    "\u051d": "w",  # cyrillic small letter we
    "\u0445": "x",  # cyrillic small letter ha
    "\u044c": "b",  # cyrillic small letter soft sign
    "\u043f": "n",  # cyrillic small letter pe
    "\u0433": "r",  # cyrillic small letter ghe
    # Greek
    "\u03b1": "a",  # greek small letter alpha
    "\u03b2": "b",  # greek small letter beta
    "\u03f2": "c",  # greek lunate sigma symbol
    "\u03b5": "e",  # greek small letter epsilon
    "\u03b7": "n",  # greek small letter eta
    "\u03b9": "i",  # greek small letter iota
    "\u03ba": "k",  # greek small letter kappa
    "\u03bd": "v",  # greek small letter nu
    "\u03bf": "o",  # greek small letter omicron
    "\u03c1": "p",  # greek small letter rho
    "\u03c4": "t",  # greek small letter tau
    "\u03c5": "u",  # greek small letter upsilon
    "\u03c7": "x",  # greek small letter chi
    "\u03b3": "y",  # greek small letter gamma
    "\u03c9": "w",  # greek small letter omega
    "\u03bc": "u",  # greek small letter mu
    "\u0461": "w",  # cyrillic small letter omega
    # Latin look-alikes outside ASCII that NFKD keeps (dotless i, long s, script g)
    "\u0131": "i",  # latin small letter dotless i
    "\u017f": "s",  # latin small letter long s
    "\u0261": "g",  # latin small letter script g
    "\u0251": "a",  # latin small letter alpha
}
_FOLD = str.maketrans(LOOKALIKES)

# Spanish enclitic pronouns on an infinitive (-ar/-er/-ir) or a gerund (-ando/-iendo/-yendo):
# "quitarme", "tomarmelas", "ahogandome", "matarse". The verb keeps at least three letters
# before its ending, so other words ("firme", "verse", "fuerte", "suerte", "aparte") are left
# whole.
_CLITIC = re.compile(
    r"^([a-z]{3,}(?:ar|er|ir|ando|iendo|yendo))(me|te|se|nos|os|le|les)(l[oa]s?)?$"
)


# "OD'd", "OD'ed", "OD'ing": an overdose, read before the apostrophe goes ("odd" is a word)
_OD_SHORTHAND = re.compile("\\b(?i:od(?:['\u2019`](?:e?d|ing)|ed|ing))\\b")


def _drop_marks(match: re.Match[str]) -> str:
    return "".join(c for c in match.group() if not unicodedata.combining(c))


def _fold(word: str) -> str:
    """Look-alike letters folded in a word that also holds an ASCII letter."""
    if word.isascii() or not any("a" <= c <= "z" for c in word):
        return word
    return word.translate(_FOLD)


def normalize(text: str) -> str:
    """``text`` as the matcher sees it (module docstring): ``"Can't   BREATHE!!"`` →
    ``"cant breathe"``, ``"Náusea"`` → ``"nausea"``, ``"che\\u00ad\\u0455t"`` → ``"chest"``."""
    if not text:
        return ""
    text = protect_decimals(_OD_SHORTHAND.sub(_overdose, text))
    if text.isascii():
        text = _APOSTROPHE.sub("", text).lower()
    else:
        # Only the non-ASCII runs are looked at character by character (a 20,000-character
        # text of mostly ASCII stays fast; bench/red_flags.py).
        text = _INVISIBLE.sub("", text)
        text = _APOSTROPHE.sub("", text)
        text = unicodedata.normalize("NFKC", text).casefold()
        if not text.isascii():
            text = unicodedata.normalize("NFKD", text)
            text = _COMMON_MARKS.sub("", text)
            if not text.isascii():  # other scripts' combining marks
                text = _NON_ASCII.sub(_drop_marks, text)
            text = _APOSTROPHE.sub("", text)
    text = _NOT_WORD.sub(" ", text).strip()
    if POINT in text:
        text = text.replace(POINT, ".")
    if not text.isascii():  # look-alike letters inside Latin words
        text = " ".join(_fold(word) for word in text.split(" "))
    return text


def _overdose(match: re.Match[str]) -> str:
    return "overdosing" if match.group().lower().endswith("ing") else "overdosed"


def words(text: str) -> list[str]:
    """The words of ``normalize(text)``, Spanish enclitic pronouns split off."""
    result: list[str] = []
    for word in normalize(text).split():
        if len(word) > 5 and word[-1] in "eosa":
            match = _CLITIC.match(word)
            if match:
                result.extend(part for part in match.groups() if part)
                continue
        result.append(word)
    return result


# Spanish diminutive endings → what the base word ends in ("cito": dolorcito → dolor, corazoncito
# → corazon; "quito": boquita → boca; "ito": pechito → pecho, manita → mana/mano).
_DIMINUTIVES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("citos", ("", "es")),
    ("citas", ("", "es")),
    ("cito", ("", "e")),
    ("cita", ("", "e")),
    ("quitos", ("cos",)),
    ("quitas", ("cas",)),
    ("quito", ("co",)),
    ("quita", ("ca",)),
    ("guito", ("go",)),
    ("guita", ("ga",)),
    ("itos", ("os",)),
    ("itas", ("as", "os")),
    ("ito", ("o", "")),
    ("ita", ("a", "o", "")),
    ("illo", ("o",)),
    ("illa", ("a",)),
)
MIN_DIMINUTIVE_BASE = 2  # letters left before the base's ending


def diminutive_bases(word: str) -> list[str]:
    """The words a Spanish diminutive may stand for (the first ending that fits)."""
    for ending, bases in _DIMINUTIVES:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_DIMINUTIVE_BASE:
            root = word[: -len(ending)]
            return [root + base for base in bases]
    return []


# A temperature written as a number: 38.0 to 42.9 (Celsius) or 100.4 to 107.9 (Fahrenheit)
# with its decimal, or a whole number with its unit letter ("39c", "102f").
_TEMPERATURE = re.compile(r"^(\d{2,3}(?:\.\d{1,2})?)([cf]?)$")


def fever_temperature(word: str) -> bool:
    """Whether a normalised word is a fever temperature (``38.6``, ``101.2``, ``39c``)."""
    match = _TEMPERATURE.match(word)
    if not match or ("." not in word and not match.group(2)):
        return False
    value = float(match.group(1))
    unit = match.group(2)
    return (unit != "f" and 38.0 <= value < 43.0) or (unit != "c" and 100.4 <= value < 108.0)


# --- negation -----------------------------------------------------------------------------------

#: Normalised words that, among the :data:`NEGATION_WINDOW` words right before a match (or
#: between its words), mark a hit as possibly denied. They never silence it.
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
        "deny",
        "without",
        "nor",
        "isnt",
        "wasnt",
        "havent",
        "hasnt",
        "aint",
        # Spanish
        "sin",
        "niega",
        "nunca",
        "tampoco",
        "ni",
        "jamas",
    }
)
NEGATION_WINDOW = 3
