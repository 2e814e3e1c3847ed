"""Where a concept's pattern matches among the classes found in a text: one occurrence per
class on distinct words within the pattern's window (``_matches``), the occurrences of one
part of the texts (``_restrict``), a long-past time right after a match (``_long_past``), a
negation cue before or inside it (``_negated``), and the matched words as a clinician reads
them (``_phrase``). Pure functions over word indexes.
"""

from __future__ import annotations

import bisect

from escalations.redflags.concepts import Pattern
from escalations.redflags.normalize import NEGATION_CUES, NEGATION_WINDOW

_Occ = tuple[int, int, str, bool]  # (first word, last word, language, typo) of a class

PAST_WINDOW = 4


def _phrase(tokens: list[str], ordered) -> str:
    parts: list[str] = []
    previous_end = None
    for start, end, *_ in ordered:
        if previous_end is not None:
            parts.append(" " if start == previous_end + 1 else " … ")
        parts.append(" ".join(tokens[start : end + 1]))
        previous_end = end
    return "".join(parts)


def _restrict(occurrences: dict[str, list[_Occ]], keep) -> dict[str, list[_Occ]]:
    """The occurrences whose start ``keep`` accepts (lists stay sorted)."""
    restricted = {}
    for name, entries in occurrences.items():
        kept = [entry for entry in entries if keep(entry[0])]
        if kept:
            restricted[name] = kept
    return restricted


def _matches(pattern: Pattern, occurrences: dict[str, list[_Occ]]):
    """Each match of ``pattern``: a tuple of occurrences, one per class, on distinct words,
    spanning at most ``window`` words (in class order when ``ordered``). Anchored on each
    occurrence of the first class; the others are the nearest fitting occurrences."""
    lists = []
    for name in pattern.classes:
        entries = occurrences.get(name)
        if not entries:
            return
        lists.append(entries)
    starts_of = [[entry[0] for entry in entries] for entries in lists]
    window = pattern.window
    for anchor in lists[0]:
        chosen = [anchor]
        used = set(range(anchor[0], anchor[1] + 1))
        ok = True
        for entries, starts in zip(lists[1:], starts_of[1:], strict=True):
            if pattern.ordered:
                previous_end = chosen[-1][1]
                low = bisect.bisect_right(starts, previous_end)
                candidates = entries[low : low + 3]
            else:
                middle = bisect.bisect_left(starts, anchor[0])
                candidates = sorted(
                    entries[max(0, middle - 3) : middle + 3], key=lambda e: abs(e[0] - anchor[0])
                )
            pick = None
            for candidate in candidates:
                span = set(range(candidate[0], candidate[1] + 1))
                if used & span:
                    continue
                # the words between the matched words (an expression counts as one word)
                spread = max(c[0] for c in (*chosen, candidate)) - min(
                    c[1] for c in (*chosen, candidate)
                )
                if spread <= window:
                    pick = candidate
                    break
            if pick is None:
                ok = False
                break
            chosen.append(pick)
            used.update(range(pick[0], pick[1] + 1))
        if ok:
            yield tuple(chosen)


def _long_past(positions: tuple[_Occ, ...], past: list[int]) -> bool:
    """A long-past time ("5 years ago", "last year", "hace años") starting within PAST_WINDOW
    words after the match: the patient tells their history ("my dad had a stroke 5 years ago"),
    not what happens now. The same words elsewhere (before it, or after it: "… years ago, and
    now chest pain") still count."""
    if not past:
        return False
    last = max(position[1] for position in positions)
    after = bisect.bisect_right(past, last)
    return after < len(past) and past[after] <= last + PAST_WINDOW


def _negated(tokens: list[str], positions: tuple[_Occ, ...]) -> bool:
    """A negation cue among the NEGATION_WINDOW words before the match, or between its words,
    that is not itself one of the matched words."""
    matched = set()
    for start, end, *_ in positions:
        matched.update(range(start, end + 1))
    first = min(matched)
    last = max(matched)
    for index in range(max(0, first - NEGATION_WINDOW), last + 1):
        if index not in matched and tokens[index] in NEGATION_CUES:
            return True
    return False
