"""The :class:`Matcher`: the built-in vocabulary's index (exact forms, Snowball stems, the
one-typo neighbours, the expressions' and idioms' word trie; built once per process by
``_base``), words to classes (``classes_of``), the rules (concepts' patterns, configured
phrases) and finding them in texts (``find``, ``find_in_messages``).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from rapidfuzz.distance import OSA

from escalations.redflags import context
from escalations.redflags.concepts import CONCEPTS, Concept, Pattern
from escalations.redflags.families13 import ROUND13_UNVETOED
from escalations.redflags.matcher.hit import Hit
from escalations.redflags.matcher.patterns import (
    _long_past,
    _matches,
    _negated,
    _Occ,
    _phrase,
    _restrict,
)
from escalations.redflags.normalize import (
    diminutive_bases,
    fever_temperature,
    normalize,
    words,
)
from escalations.redflags.vocabulary import CLASSES, EXPRESSIONS, IDIOMS, NOT_TYPOS

LANGUAGES = ("en", "es")
_STEMMERS = {"en": "english", "es": "spanish"}
MIN_STEM = 4  # shorter stems are too ambiguous: the class lists those forms
MIN_TYPO_WORD = 5  # a text word this long or longer may hold one typo …
MIN_TYPO_VOCABULARY = 5  # … of a vocabulary word this long or longer
# A shorter text word (four letters) may be a vocabulary word of five letters or more with one
# letter left out ("ches" for "chest", "fevr" for "fever", "dolr" for "dolor"); only a left-out
# letter, not a changed or added one, and never a common word (NOT_TYPOS: "hear" is not "heart").
MIN_TYPO_DROPPED = 4
_CACHE_LIMIT = 100_000
LONG_PAST = "LONG_PAST"  # the expression class of a long-past time (vocabulary.EXPRESSIONS)
FEVER = "FEVER"  # the class a temperature written as a number takes (normalize.fever_temperature)


@dataclass(frozen=True)
class _Rule:
    concept: str
    label: str
    target: Hashable
    language: str | None  # configured phrases: their language; concepts: from the words
    pattern: Pattern


class Matcher:
    """Finds red-flag concepts (and configured phrases) in texts."""

    def __init__(
        self,
        phrases: Iterable[tuple[str, Hashable, str]] = (),
        *,
        concepts: Mapping[str, Hashable] | None = None,
    ) -> None:
        """``phrases``: configured (phrase text, target, language) triples, normalised and stemmed
        like the text; one that normalises to nothing is ignored. ``concepts``: built-in concept
        id → target (``None``: no built-in concepts). Targets are opaque to the matcher."""
        phrases = list(phrases)
        self._stemmers = _stemmers()
        # The built-in vocabulary's index is built once per process and shared; configured
        # phrases add to copies of it (each configuration is its own Matcher).
        base = _base()
        self._runs = base._runs
        self._rules: list[_Rule] = []
        self._cache: dict[str, tuple[tuple[str, str, bool], ...]] = {}
        self._longest_typo_key = base._longest_typo_key
        if not phrases:
            self._forms = base._forms
            self._stems = base._stems
            self._prefixes = base._prefixes
            self._typo_keys = base._typo_keys
        else:
            self._forms = {key: set(value) for key, value in base._forms.items()}
            self._stems = {
                lang: {key: set(value) for key, value in stems.items()}
                for lang, stems in base._stems.items()
            }
            self._prefixes = {lang: set(value) for lang, value in base._prefixes.items()}
            self._typo_keys = {key: set(value) for key, value in base._typo_keys.items()}
        for concept in CONCEPTS if concepts else ():
            if concept.id in concepts:
                self._add_concept(concept, concepts[concept.id])
        seen: set[tuple[tuple[str, ...], Hashable]] = set()
        for text, target, language in phrases:
            tokens = tuple(words(text))
            if not tokens or (tokens, target) in seen:
                continue
            seen.add((tokens, target))
            self._add_phrase(tokens, target, language if language in LANGUAGES else "en")

    @classmethod
    def _vocabulary_index(cls) -> Matcher:
        """A matcher holding only the built-in vocabulary's index (no rules): the base every
        Matcher shares."""
        index = cls.__new__(cls)
        index._stemmers = _stemmers()
        # word index: exact forms; stems per language; the typo index (one-deletion neighbours)
        index._forms = {}
        index._stems = {lang: {} for lang in LANGUAGES}
        index._prefixes = {lang: set() for lang in LANGUAGES}
        index._typo_keys = {}
        index._longest_typo_key = 0
        index._runs = {}  # a word trie; "" at a node lists the expressions (None: an idiom) ending
        index._rules = []
        index._cache = {}
        for name, per_language in CLASSES.items():
            for lang, entries in zip(LANGUAGES, per_language, strict=True):
                for entry in entries.split():
                    index._add_word(entry, name, lang)
        for name, runs in EXPRESSIONS.items():
            for run in runs:
                index._add_run(words(run), name)
        for idiom in IDIOMS:
            for tokens in _expand(idiom):
                index._add_run(tokens, None)
        return index

    # --- building ------------------------------------------------------------------------------

    def _add_word(self, entry: str, name: str, lang: str) -> None:
        exact_only = entry.startswith("=")
        form = normalize(entry.lstrip("="))
        self._forms.setdefault(form, set()).add((name, lang))
        if len(form) >= MIN_TYPO_VOCABULARY and form.isalpha():
            self._longest_typo_key = max(self._longest_typo_key, len(form))
            for key in {form, *_deletions(form)}:
                self._typo_keys.setdefault(key, set()).add(form)
        if exact_only:
            return
        stem = self._stemmers[lang].stemWord(form)
        if len(stem) >= MIN_STEM:
            self._stems[lang].setdefault(stem, set()).add((name, lang))
            self._prefixes[lang].add(stem[:MIN_STEM])

    def _add_run(self, tokens: list[str], name: str | None) -> None:
        node = self._runs
        for token in tokens:
            node = node.setdefault(token, {})
        node.setdefault("", []).append(name)

    def _add_concept(self, concept: Concept, target: Hashable) -> None:
        for pattern in concept.patterns:
            self._rules.append(_Rule(concept.id, concept.label, target, None, pattern))

    def _add_phrase(self, tokens: tuple[str, ...], target: Hashable, language: str) -> None:
        classes = []
        for token in tokens:
            name = f"phrase:{language}:{token}"
            self._add_word(token, name, language)
            classes.append(name)
        # In order, at most one other word between two of the phrase's words.
        window = 2 * (len(tokens) - 1)
        pattern = Pattern(classes=tuple(classes), window=window, ordered=True)
        self._rules.append(_Rule("phrase", " ".join(tokens), target, language, pattern))

    def __bool__(self) -> bool:
        return bool(self._rules)

    def __len__(self) -> int:
        """How many rules (patterns of concepts, configured phrases)."""
        return len(self._rules)

    # --- words ---------------------------------------------------------------------------------

    def classes_of(self, word: str) -> tuple[tuple[str, str, bool], ...]:
        """The (class, language, typo) a normalised ``word`` belongs to. Cached per word."""
        found = self._cache.get(word)
        if found is not None:
            return found
        result = self._exact_or_stem(word)
        if word[0].isdigit() and fever_temperature(word):
            result.add((FEVER, "", False))  # "38.6", "101.2": a fever written as a number
        if not result:
            # a Spanish diminutive: "dolorcito" is "dolor", "pechito" "pecho", "boquita" "boca"
            for base in diminutive_bases(word):
                result |= {(name, lang, False) for name, lang, _ in self._exact_or_stem(base)}
        if not result and len(word) >= MIN_TYPO_DROPPED and word not in NOT_TYPOS:
            for form in self._typo_candidates(word):
                for name, lang in self._forms[form]:
                    result.add((name, lang, True))
        found = tuple(sorted(result))
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[word] = found
        return found

    def _exact_or_stem(self, word: str) -> set[tuple[str, str, bool]]:
        result: set[tuple[str, str, bool]] = set()
        for name, lang in self._forms.get(word, ()):
            result.add((name, lang, False))
        for lang in LANGUAGES:
            if word[:MIN_STEM] in self._prefixes[lang]:
                stem = self._stemmers[lang].stemWord(word)
                for name, stem_lang in self._stems[lang].get(stem, ()):
                    result.add((name, stem_lang, False))
        return result

    def clear_cache(self) -> None:
        """Forget the classes of the words seen so far (benchmarks measure the cold case)."""
        self._cache.clear()

    def _typo_candidates(self, word: str) -> list[str]:
        """The vocabulary forms one edit (OSA distance 1) away from ``word`` and starting with
        the same letter: those sharing a one-deletion neighbour with it (the index), checked
        with rapidfuzz."""
        if len(word) > self._longest_typo_key + 1:
            return []
        keys = self._typo_keys
        candidates: set[str] = set()
        found = keys.get(word)
        if found:
            candidates.update(found)
        for index in range(len(word)):
            found = keys.get(word[:index] + word[index + 1 :])
            if found:
                candidates.update(found)
        # Typos rarely touch a word's first letter; a common word differing there ("right" for
        # "tight", "lives" for "hives") is another word, so the first letters must agree.
        return [
            form
            for form in candidates
            if form != word
            and form[0] == word[0]
            and (len(word) >= MIN_TYPO_WORD or len(form) == len(word) + 1)
            and OSA.distance(word, form, score_cutoff=1) <= 1
        ]

    # --- finding -------------------------------------------------------------------------------

    def find(self, text: str) -> list[Hit]:
        """The red flags in one text."""
        return self.find_in_messages([text])

    def find_in_messages(
        self, texts: Sequence[str], set_aside: list[context.SetAside] | None = None
    ) -> list[Hit]:
        """The red flags of the LAST of ``texts`` read together with the ones before it (a
        case's recent inbound texts, oldest first), so that a flag split over two messages is
        found when its second half arrives. A concept (or configured phrase) counts when the
        last text holds it on its own, or when a match reaching into the last text completes
        it and the earlier texts did not already hold it (they were scanned when they came in).
        One hit per (concept or phrase, target), in order of first occurrence; ``negated`` only
        when every counted occurrence is. A match the context layer sets aside (a pet, a story,
        a question for information, a past visit, history, a figure of speech: ``context.py``)
        does not count; ``set_aside``, when given, collects why (for tests and the bench)."""
        if not self._rules or not texts:
            return []
        reading = context.read(list(texts))
        tokens = reading.tokens
        first_new = reading.last_text
        if first_new == len(tokens):
            return []
        occurrences = self._occurrences(tokens)
        # The last text alone, the earlier texts alone, and matches reaching across.
        # "years ago", "el año pasado" next to a match: a history, not a symptom now
        past = [start for start, *_ in occurrences.get(LONG_PAST, ())]
        new_only = _restrict(occurrences, lambda start: start >= first_new)
        old_only = _restrict(occurrences, lambda start: start < first_new) if first_new else {}
        found: dict[tuple[str, Hashable], dict] = {}
        old: set[tuple[str, Hashable]] = set()
        for rule in self._rules:
            key = (rule.label if rule.concept == "phrase" else rule.concept, rule.target)
            entry = found.setdefault(key, {})
            if key not in old and old_only and next(_matches(rule.pattern, old_only), None):
                old.add(key)
            if "new" in entry and not entry["new"][2]:
                continue  # already a match in the new text that is not negated
            for positions in _matches(rule.pattern, new_only):
                if _long_past(positions, past) or self._aside(reading, rule, positions, set_aside):
                    continue
                negated = _negated(tokens, positions)
                if "new" not in entry or (entry["new"][2] and not negated):
                    entry["new"] = (rule, positions, negated)
                if not negated:
                    break
            if "new" in entry or key in old or not first_new:
                continue
            for positions in _matches(rule.pattern, occurrences):
                if max(position[1] for position in positions) < first_new:
                    continue  # entirely in the earlier texts
                if _long_past(positions, past) or self._aside(reading, rule, positions, set_aside):
                    continue
                negated = _negated(tokens, positions)
                current = entry.get("spanning")
                if current is None or (current[2] and not negated):
                    entry["spanning"] = (rule, positions, negated)
                if not negated:
                    break
        hits = []
        for key, entry in found.items():
            chosen = entry.get("new")
            spanning = entry.get("spanning")
            if (
                spanning is not None
                and key not in old
                and (chosen is None or (chosen[2] and not spanning[2]))
            ):
                chosen = spanning
            if chosen is None:
                continue
            rule, positions, negated = chosen
            hits.append(self._hit(rule, positions, negated, tokens, first_new))
        hits.sort(key=lambda hit: hit.start)
        return hits

    @staticmethod
    def _aside(reading, rule: _Rule, positions, collected) -> bool:
        """Whether the context layer takes this match out (configured phrases are kept: a
        pathway's own wording)."""
        if rule.concept == "phrase":
            return False
        reason = context.set_aside(
            reading, positions, rule.concept, _phrase(reading.tokens, sorted(positions))
        )
        if reason is not None and collected is not None:
            collected.append(reason)
        return reason is not None

    @staticmethod
    def _hit(rule: _Rule, positions, negated: bool, tokens: list[str], first_new: int) -> Hit:
        ordered = sorted(positions)
        languages = [lang for *_, lang, _ in ordered if lang]
        return Hit(
            concept=rule.concept,
            label=rule.label,
            target=rule.target,
            language=rule.language or (languages[0] if languages else "en"),
            negated=negated,
            words=tuple(" ".join(tokens[start : end + 1]) for start, end, *_ in ordered),
            typo=any(typo for *_, typo in ordered),
            across_messages=ordered[0][0] < first_new,
            phrase=_phrase(tokens, ordered),
            start=ordered[0][0],
        )

    def _occurrences(self, tokens: list[str]) -> dict[str, list[_Occ]]:
        """class → sorted (start, end, language, typo) of its occurrences in ``tokens``; the
        words inside an idiom take no class. One pass over the words, dictionary look-ups only
        (bench/red_flags.py)."""
        cache = self._cache
        runs = self._runs
        count = len(tokens)
        per_token = []
        vetoed: set[int] = set()
        expressions = []
        for index, token in enumerate(tokens):
            classes = cache.get(token)
            if classes is None:
                classes = self.classes_of(token)
            per_token.append(classes)
            node = runs.get(token)
            following = index + 1
            while node:
                for name in node.get("", ()):
                    if name is None:
                        vetoed.update(range(index, following))
                    else:
                        expressions.append((name, index, following - 1))
                node = node.get(tokens[following]) if following < count else None
                following += 1
        found: dict[str, list[_Occ]] = {}
        for index, classes in enumerate(per_token):
            if classes and index not in vetoed:
                for name, lang, typo in classes:
                    found.setdefault(name, []).append((index, index, lang, typo))
        if expressions:
            for name, start, end in expressions:
                # an idiom takes its words' classes, not those of ROUND13_UNVETOED (an older
                # baby's age stays an age; families13.py)
                if name in ROUND13_UNVETOED or not vetoed.intersection(range(start, end + 1)):
                    found.setdefault(name, []).append((start, end, "", False))
            for entries in found.values():
                entries.sort()
        return found


def _expand(idiom: str) -> list[list[str]]:
    """Every run of words an idiom stands for (vocabulary.IDIOMS has the syntax)."""
    runs: list[list[str]] = [[]]
    for slot in idiom.split():
        optional = slot.endswith("?")
        choices = [normalize(choice) for choice in slot.rstrip("?").split("|")]
        grown = [[*run, choice] for run in runs for choice in choices]
        runs = grown + runs if optional else grown
    return [run for run in runs if run]


@lru_cache(maxsize=1)
def _stemmers() -> dict:
    return {lang: snowballstemmer.stemmer(name) for lang, name in _STEMMERS.items()}


@lru_cache(maxsize=1)
def _base() -> Matcher:
    return Matcher._vocabulary_index()


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}
