"""Password validation beyond Django's own validators: predictable passwords that a list of
common passwords misses because a person dressed them up.

``PredictablePasswordValidator`` (registered in ``AUTH_PASSWORD_VALIDATORS``) refuses a password
that is
- one character or a short group of characters repeated, or one made of very few characters;
- mostly keyboard, alphabet or number sequences (``qwertyuiop``, ``abcdef``, ``1qaz2wsx``);
- a season, month or day name (English, Spanish and a few more) with a year, digits or symbols;
- a password of Django's bundled common-password list with letter substitutions (``p@ssw0rd``),
  case, or digits and symbols at either end (``Welcome2026!``);
- the product's or organisation's name, or words of the setting (``hospital``, ``clinic``), with
  digits or symbols (the organisation's own words: the ``words`` option).

The words are judged on the password's *base*: lower-cased, accents removed, digits and symbols
stripped from both ends, then leetspeak folded (``@`` → ``a``, ``0`` → ``o``, ``$`` → ``s``…).
Messages say what is wrong and never repeat the password.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from itertools import pairwise

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Sequences people type: the alphabet, digits (0 after 9), keyboard rows (QWERTY, QWERTZ, AZERTY,
# the letter rows run together) and keyboard columns. Read forwards and backwards.
SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    "`1234567890-=",
    "qwertyuiop[]\\",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertzuiopasdfghjklyxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    "!qaz@wsx#edc$rfv%tgb^yhn&ujm*ik<(ol>)p:?",
    "!@#$%^&*()_+",
)
# Each sequence's steps (pairs of neighbours), each direction on its own: a run follows one.
_STEPS = tuple(
    frozenset(pairwise(text)) for sequence in SEQUENCES for text in (sequence, sequence[::-1])
)

_SEASONS_AND_DATES = (
    # seasons: English, Spanish, French, German, Portuguese, Italian
    "spring summer autumn fall winter primavera verano otono invierno printemps ete automne "
    "hiver fruhling fruehling sommer herbst verao outono inverno estate autunno"
    # months: English, Spanish
    " january february march april may june july august september october november december"
    " enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre"
    " diciembre"
    # their abbreviations
    " jan feb mar apr jun jul aug sep sept oct nov dec ene abr ago dic"
    # days: English, Spanish
    " monday tuesday wednesday thursday friday saturday sunday lunes martes miercoles jueves"
    " viernes sabado domingo"
)
SEASONS_AND_DATES = _SEASONS_AND_DATES.split()
# Words of the deployment itself (common passwords such as "welcome" are in Django's list); the
# deployment adds its own (its organisation's name) with the validator's "words" option.
_CONTEXT_WORDS = "patientcare patient care hospital clinic health healthcare medical admin"
CONTEXT_WORDS = _CONTEXT_WORDS.split()

# Leetspeak, folded after the base is lower-cased; "1" and "|" may stand for "i" or "l".
_LEET = str.maketrans("@48(36905$7+2!", "aabceggosstzii")
_ONE_AS_I, _ONE_AS_L = str.maketrans("1|", "ii"), str.maketrans("1|", "ll")
_ENDS = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_TRAILING = re.compile(r"[\W\d_]+$")
_REPEATED = re.compile(r"(.+?)\1+", re.DOTALL)
MIN_DISTINCT_CHARACTERS = 5
PREDICTABLE_SHARE = 0.75  # a password this much made of runs of sequences or repeats is refused


@functools.cache
def _common_passwords() -> frozenset[str]:
    """Django's bundled list (20,000 common passwords, lower-cased), read once per process."""
    return frozenset(CommonPasswordValidator().passwords)


def _plain(text: str) -> str:
    """Lower-cased, accents removed (``otoño`` → ``otono``)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _bases(password: str) -> set[str]:
    """The password's base: stripped of digits and symbols at both ends (or at its end only, so
    a leading ``4`` or ``@`` can still read as ``a``), before and after folding leetspeak (each
    reading of ``1`` and ``|``), with inner separators removed."""
    plain = _plain(password)
    readings = set()
    for stripped in (_ENDS.sub("", plain), _TRAILING.sub("", plain)):
        if re.search(r"[^\W\d_]", stripped):
            folded = stripped.translate(_LEET)
            readings |= {stripped, folded.translate(_ONE_AS_I), folded.translate(_ONE_AS_L)}
    return readings | {re.sub(r"[\W_]+", "", reading) for reading in readings}


def _predictable_share(text: str) -> float:
    """The share of characters in runs of three or more that repeat one character or follow one
    sequence in one direction (``aaa``, ``abc``, ``cba``, ``qwe``, ``123``, ``1qaz``)."""
    covered = [False] * len(text)
    pairs = list(pairwise(text))
    for steps in (*_STEPS, frozenset((ch, ch) for ch in text)):
        start = 0  # pairs[k] links text[k] and text[k + 1]
        for index in range(len(pairs) + 1):
            if index < len(pairs) and pairs[index] in steps:
                continue
            if index - start >= 2:
                covered[start : index + 1] = [True] * (index + 1 - start)
            start = index + 1
    return sum(covered) / len(text) if text else 0.0


class PredictablePasswordValidator:
    """Refuses low-entropy passwords that Django's validators let through (see the module)."""

    def __init__(self, words: list[str] | tuple[str, ...] = ()):
        extra = [re.sub(r"[\W_]+", "", _plain(word)) for word in words]
        names = sorted({*CONTEXT_WORDS, *(word for word in extra if word)}, key=len, reverse=True)
        dates = sorted(SEASONS_AND_DATES, key=len, reverse=True)
        self._dates = re.compile("(?:{})+".format("|".join(map(re.escape, dates))))
        self._names = re.compile("(?:{})+".format("|".join(map(re.escape, names + dates))))

    def validate(self, password: str, user=None) -> None:
        plain = _plain(password)
        bases = _bases(password)
        if (
            _REPEATED.fullmatch(plain)
            or any(_REPEATED.fullmatch(base) for base in bases)
            or len(set(plain)) < MIN_DISTINCT_CHARACTERS
        ):
            raise ValidationError(
                _("This password repeats one character or a short group of characters."),
                code="password_repeated",
            )
        core = _ENDS.sub("", plain)
        if _predictable_share(plain) >= PREDICTABLE_SHARE or (
            len(core) >= 8 and _predictable_share(core) == 1  # all of a long base
        ):
            raise ValidationError(
                _("This password is mostly a keyboard, alphabet or number sequence."),
                code="password_sequence",
            )
        # Names are looked for in the letters alone too (``Summer-2026-Summer``, ``Patient26Care``).
        words = bases | {re.sub(r"[\W\d_]+", "", plain)}
        if any(self._dates.fullmatch(base) for base in words):
            raise ValidationError(
                _("This password is a season, month or day name with a year, digits or symbols."),
                code="password_season",
            )
        if any(len(base) >= 3 and base in _common_passwords() for base in bases):
            raise ValidationError(
                _(
                    "This password is a common password with letter substitutions, capitals, "
                    "digits or symbols added."
                ),
                code="password_common_variant",
            )
        if any(self._names.fullmatch(base) for base in words):
            raise ValidationError(
                _(
                    "This password is the product's or organisation's name (or a word of the "
                    "setting, like hospital or clinic) with digits or symbols."
                ),
                code="password_context_word",
            )

    def get_help_text(self) -> str:
        return _(
            "Your password can't be a repeated or keyboard pattern, a season or month with a "
            "year, the product's name, or a common password dressed up with substitutions, "
            "digits or symbols."
        )
