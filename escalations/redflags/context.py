"""The context layer: a match the patient's words hold but that is not about the patient now.

A pattern can match words that are about a pet ("my cat had a seizure"), a story ("a character
overdoses in the novel"), a question for information ("what are the signs of a stroke? school
project"), paperwork about a past visit ("an itemised bill for my ER visit in 2019 for chest
pain"), history ("passed away in 2015 from a stroke"), or a figure of speech marked by laughter
or aimed at a thing ("choking on these forms lol", "el seguro me está desangrando"). A **frame**
is a small list of cue words; a match is **set aside** when a frame's cue sits in the same
clause (or, for laughter, the same sentence) and none of the frame's **exceptions** does:

* a clause ends at sentence punctuation, commas, semicolons, colons, and before a connective
  ("also", "anyway", "but", "btw", "and now", "pero", "además", "y ahora");
* each frame keeps a real emergency inside its clause through its exceptions: the patient's own
  body named next to the matched words ("my chest", "mi pecho", "me duele"), a cue that it is
  happening now ("now", "right now", "today", "ahora", "hoy", "de repente", "again"), a person
  ("my son", "mi abuela"), an animal's bite or scratch (a human injury), a call for help (911,
  the ER).

A miss is worse than a false alarm: the frames are narrow (their cues are listed, not guessed)
and the reason is kept: :class:`SetAside` says which frame and which cue, and
``Matcher.find_in_messages(texts, set_aside=[])`` collects them (tests and
``bench/red_flags_eval.py`` print them). Pure Python, word look-ups only.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from escalations.redflags.asides import ASIDE_FRAMES
from escalations.redflags.asides13 import RECURRENCE, ROUND13_FRAMES
from escalations.redflags.frames import (
    BODY,
    FIGURE_VERBS,
    FRAMES,
    INJURY,
    ONGOING,
    OWNERS,
    PERSON,
    PRESENT,
    SOMEONE,
    SUBJECTS,
    TITLES,
    URGENT,
    Frame,
)
from escalations.redflags.mentions import MENTION_FRAMES
from escalations.redflags.normalize import protect_decimals, words

__all__ = ["FRAMES", "Frame", "Reading", "SetAside", "read"]

# Sentence ends ("¿" and "¡" open one); clause ends inside a sentence. Decimal numbers ("38.6",
# "1,000") are protected first (normalize.protect_decimals): their point is not an end.
_SENTENCE = re.compile("[.!?\n\r\u2026\u00bf\u00a1]+")
_CLAUSE = re.compile("[,;:()\\[\\]\u2014\u2013]+| - ")
# Words that continue the clause before them after a comma ("…, fue por dolor de pecho").
CONTINUATIONS: tuple[tuple[str, ...], ...] = tuple(
    tuple(run.split())
    for run in (
        "fue por",
        "era por",
        "was for",
        "it was for",
        "that was for",
        "which was for",
        # a past visit's reason: "la factura de urgencias de marzo, cuando fui por …"
        "cuando fui por",
        "cuando fue por",
        "cuando estuve por",
        "when i went in for",
        "when i went for",
        "when i was there for",
        "when i came in for",
    )
)
# Words that open a new clause (the connective belongs to the clause it opens).
CONNECTIVES: tuple[tuple[str, ...], ...] = tuple(
    tuple(run.split())
    for run in (
        "also",
        "anyway",
        "anyways",
        "but",
        "btw",
        "however",
        "and now",
        "pero",
        "ademas",
        "y ahora",
        "por cierto",
        "aparte",
    )
)


@dataclass(frozen=True)
class SetAside:
    """A match taken out by a frame: the concept, the matched words, the frame and its cue."""

    concept: str
    phrase: str
    frame: str
    why: str
    cue: str


@dataclass
class Reading:
    """The words of a case's texts and where each clause and sentence begins."""

    tokens: list[str]
    clause: list[int]  # clause number of each word
    sentence: list[int]  # sentence number of each word
    last_text: int = 0  # the index of the last text's first word
    text: list[int] = field(default_factory=list)  # text number of each word

    def span(self, kind: str, number: int) -> tuple[int, int]:
        """The first and last word of a clause, sentence or text (the numbers never go down)."""
        numbers = {"clause": self.clause, "text": self.text}.get(kind, self.sentence)
        return bisect_left(numbers, number), bisect_right(numbers, number) - 1


_SENTENCE_MARK = " qzsentencezq "  # put where a sentence ends, read back as a boundary
_CLAUSE_MARK = " qzclausezq "
_MARKS = {_SENTENCE_MARK.strip(): "sentence", _CLAUSE_MARK.strip(): "clause"}
_OPENERS = frozenset(run[0] for run in CONNECTIVES)
_CONTINUERS = frozenset(run[0] for run in CONTINUATIONS)


def _starts(piece: list[str], index: int, runs) -> bool:
    return any(tuple(piece[index : index + len(run)]) == run for run in runs)


def read(texts: list[str]) -> Reading:
    """The words of ``texts`` (as :func:`normalize.words` reads each) with clause and sentence
    numbers; a new text starts a new sentence. The punctuation is marked before the text is
    normalised, so each text is normalised once (bench/red_flags.py)."""
    tokens: list[str] = []
    clause: list[int] = []
    sentence: list[int] = []
    text_of: list[int] = []
    clause_no = sentence_no = last_text = 0
    for text_no, text in enumerate(texts):
        last_text = len(tokens)
        marked = protect_decimals(text or "")
        marked = _CLAUSE.sub(_CLAUSE_MARK, _SENTENCE.sub(_SENTENCE_MARK, marked))
        piece = words(marked)
        fresh = True  # at the start of a clause
        for index, token in enumerate(piece):
            mark = _MARKS.get(token)
            if mark is not None:
                if not fresh:
                    clause_no += 1
                    fresh = True
                if mark == "sentence":
                    sentence_no += 1
                continue
            if (
                fresh
                and token in _CONTINUERS
                and clause
                and sentence[-1] == sentence_no
                and _starts(piece, index, CONTINUATIONS)
            ):
                clause_no -= 1  # "…, fue por dolor de pecho": the clause before goes on
            elif not fresh and token in _OPENERS and _starts(piece, index, CONNECTIVES):
                clause_no += 1
            fresh = False
            tokens.append(token)
            clause.append(clause_no)
            sentence.append(sentence_no)
            text_of.append(text_no)
        clause_no += 1
        sentence_no += 1
    return Reading(tokens, clause, sentence, last_text, text_of)


# the frames of frames.py, then those of mentions.py and asides.py
_FRAMES = FRAMES + MENTION_FRAMES + ASIDE_FRAMES + ROUND13_FRAMES

_INDEXES: dict[int, dict[str, list[tuple[str, ...]]]] = {}


def _index(runs) -> dict[str, list[tuple[str, ...]]]:
    """``runs`` by their first word (built once per list)."""
    found = _INDEXES.get(id(runs))
    if found is None:
        found = {}
        for run in runs:
            found.setdefault(run[0], []).append(run)
        _INDEXES[id(runs)] = found
    return found


def _find(tokens: list[str], runs, skip: frozenset[int] = frozenset(), offset: int = 0):
    """The first of ``runs`` in ``tokens`` and where it starts (``offset`` added), or None; a
    one-word run not at an index in ``skip`` (the matched words: "poison" is not its own cue,
    "poison control" is)."""
    index_of = _index(runs)
    if index_of.keys().isdisjoint(tokens):
        return None
    for index, token in enumerate(tokens):
        for run in index_of.get(token, ()):
            if tuple(tokens[index : index + len(run)]) == run:
                span = range(offset + index, offset + index + len(run))
                if len(run) > 1 or not skip.intersection(span):
                    return " ".join(run), offset + index
    return None


def _has(tokens: list[str], runs, skip: frozenset[int] = frozenset(), offset: int = 0):
    """The first of ``runs`` in ``tokens`` (:func:`_find`), or None."""
    found = _find(tokens, runs, skip, offset)
    return None if found is None else found[0]


def _own_body(tokens: list[str], matched: set[int], spanish: set[int]) -> bool:
    """An owner word right before a matched body word ("my chest", "mi pecho"), Spanish "me"
    right before a matched Spanish word ("me duele") that is not a figure of speech ("me
    ahogo", "me dejó sin aire"), or an owner within three words before a matched body word
    ("my left arm"), or a Spanish "me"/"le" among the six words before a match that names a
    body part ("me dio un dolor fuerte en el pecho")."""
    for index in matched:
        before = tokens[index - 1] if index else ""
        if (
            before in OWNERS
            and index - 1 not in matched
            and (
                tokens[index] in BODY
                or (before == "me" and index in spanish and tokens[index] not in FIGURE_VERBS)
            )
        ):
            return True
        if tokens[index] in BODY and OWNERS.intersection(tokens[max(0, index - 3) : index]):
            return True
    # a matched body word with a Spanish dative before the match: "me empezó a doler el pecho"
    first = min(matched)
    return bool(
        matched & spanish
        and any(tokens[index] in BODY for index in matched)
        and {"me", "le"}.intersection(tokens[max(0, first - 6) : first])
    )


def _owned_person(tokens: list[str], index: int) -> bool:
    """An owner word then a person at ``index`` ("my dad", "mi abuela", "my son's")."""
    token = tokens[index]
    person = token in PERSON or (token.endswith("s") and token[:-1] in PERSON)
    return person and index > 0 and tokens[index - 1] in OWNERS | {"our", "nuestro", "nuestra"}


def _subject(
    tokens: list[str], matched: set[int], spanish: set[int], pronouns, cue_at: int = -1
) -> bool:
    """A person as the subject of the matched words: a pronoun among the three words before
    them or an owned person among the five ("in the movie theatre he collapsed", "my dad
    fainted at the vet"), or, in Spanish, an owned person among the three after ("se desmayó
    mi abuela"). A pronoun right after "song", "titled" … opens a title; matched words right
    after the frame's cue are its object, so a subject before is the cue's ("my daughter keeps
    singing achy breaky heart"; "my son was singing, then collapsed" keeps the son)."""
    first, last = min(matched), max(matched)
    # the matched words right after the cue are its object, and the subject before is the cue's
    floor = cue_at + 1 if first == cue_at + 1 else 0
    before = range(max(0, first - 5, floor), first)
    if any(
        (i >= first - 3 and tokens[i] in pronouns and (i == 0 or tokens[i - 1] not in TITLES))
        or _owned_person(tokens, i)
        for i in before
    ):
        return True
    if matched & spanish:
        after = range(last + 1, min(len(tokens), last + 4))
        return any(tokens[i] in pronouns or _owned_person(tokens, i) for i in after)
    return False


def _urgent(scope: list[str]) -> bool:
    """A call for help or fear in the clause; "de miedo" names a genre ("una peli de miedo")."""
    return any(
        word in URGENT and not (word in _GENRES and index and scope[index - 1] == "de")
        for index, word in enumerate(scope)
    )


_GENRES = frozenset({"miedo"})
# happening now, without "tonight" (a plan: "babysitting tonight")
_NOW = tuple(run for run in PRESENT if run != ("tonight",))


def _excepted(
    frame: Frame,
    scope: list[str],
    tokens: list[str],
    matched: set[int],
    spanish: set[int],
    cue_at: int,
) -> bool:
    present = set(scope)
    for exception in frame.exceptions:
        if exception == "own_body" and _own_body(tokens, matched, spanish):
            return True
        if exception == "present" and _has(scope, PRESENT):
            return True
        if exception == "now" and _has(scope, _NOW):
            return True
        if exception == "ongoing" and present & ONGOING:
            return True
        if exception == "recurrence" and _has(scope, RECURRENCE):
            return True
        if exception == "urgent" and _urgent(scope):
            return True
        if exception == "person" and present & PERSON:
            return True
        if exception == "injury" and present & INJURY:
            return True
        if exception == "subject" and _subject(tokens, matched, spanish, SUBJECTS, cue_at):
            return True
        if exception == "someone" and _subject(tokens, matched, spanish, SOMEONE, cue_at):
            return True
        if exception == "person_owned" and any(
            token in PERSON and scope[index - 1] in OWNERS | {"our", "nuestro", "nuestra", "su"}
            for index, token in enumerate(scope[1:], start=1)
        ):
            return True
    return False


def _unplaced(scope: list[str], places) -> list[str]:
    """``scope`` with the words of a place blanked ("movie theatre": the movie is a place)."""
    if not places or _has(scope, places) is None:
        return scope
    blanked = list(scope)
    for index in range(len(scope)):
        for run in places:
            if tuple(scope[index : index + len(run)]) == run:
                blanked[index : index + len(run)] = [""] * len(run)
    return blanked


def set_aside(reading: Reading, positions, concept: str, phrase: str) -> SetAside | None:
    """The frame that takes this match out, or None (it counts)."""
    matched: set[int] = set()
    spanish: set[int] = set()
    for start, end, language, _ in positions:
        matched.update(range(start, end + 1))
        if language == "es":
            spanish.update(range(start, end + 1))
    skip = frozenset(matched)
    first, last = min(matched), max(matched)
    tokens = reading.tokens
    for frame in _FRAMES:
        if frame.only and not frame.only.intersection(tokens[i] for i in matched):
            continue
        numbers = {getattr(reading, frame.scope)[index] for index in (first, last)}
        spans = [reading.span(frame.scope, number) for number in numbers]
        low = min(span[0] for span in spans)
        high = max(span[1] for span in spans)
        scope = tokens[low : high + 1]
        cues_in = _unplaced(scope, frame.places)
        start = low
        if frame.after_match:  # only the words after the match
            start = last + 1
            cues_in = cues_in[start - low :]
        found = _find(cues_in, frame.cues, skip, start)
        if found is None:
            continue
        cue, cue_at = found
        if (
            frame.needs
            and not frame.enough.intersection(tokens[i] for i in matched)
            and _has(scope, frame.needs) is None
        ):
            continue
        if _excepted(frame, scope, tokens, matched, spanish, cue_at):
            continue
        return SetAside(concept, phrase, frame.name, frame.why, cue)
    return None
