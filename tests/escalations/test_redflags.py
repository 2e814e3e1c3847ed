"""escalations.redflags: normalisation, the matcher, negation, the built-in EN/ES lists and the
corpus (tests/escalations/redflag_corpus.py). Pure Python: no database."""

from __future__ import annotations

import unicodedata

import pytest

from escalations.choices import Language, PathwayKind
from escalations.redflags import (
    DEFAULT_PHRASES,
    NEGATION_CUES,
    Hit,
    Matcher,
    default_phrases,
    normalize,
)
from tests.escalations.redflag_corpus import BENIGN, HITS, KNOWN_FALSE_ALARMS

NURSE = PathwayKind.NURSE_TRIAGE.value
BEHAVIORAL = PathwayKind.BEHAVIORAL_HEALTH.value


@pytest.fixture(scope="module")
def defaults() -> Matcher:
    return Matcher(default_phrases())


def _ids(prefix: str, entries: tuple) -> list[str]:
    counts: dict[str, int] = {}
    ids = []
    for entry in entries:
        language = entry[0]
        counts[language] = counts.get(language, 0) + 1
        ids.append(f"{prefix}-{language}-{counts[language]:02d}")
    return ids


# --- the corpus ---------------------------------------------------------------------------------


def test_corpus_size():
    assert sum(1 for language, _, _ in HITS if language == "en") >= 30
    assert sum(1 for language, _, _ in HITS if language == "es") >= 30
    assert len(BENIGN) >= 30
    assert {language for language, _ in BENIGN} == {"en", "es"}
    texts = [text for _, text, _ in HITS] + [text for _, text in BENIGN]
    texts += [text for _, text, _ in KNOWN_FALSE_ALARMS]
    assert len(texts) == len(set(texts)), "a corpus text is listed twice"


@pytest.mark.parametrize(("language", "text", "kinds"), HITS, ids=_ids("hit", HITS))
def test_corpus_red_flag_is_found(defaults, language, text, kinds):
    hits = defaults.find(text)
    assert kinds <= {hit.target for hit in hits}, (text, hits)


@pytest.mark.parametrize(("language", "text"), BENIGN, ids=_ids("benign", BENIGN))
def test_corpus_benign_text_is_not_flagged(defaults, language, text):
    assert defaults.find(text) == []


@pytest.mark.parametrize(
    ("language", "text", "kind"), KNOWN_FALSE_ALARMS, ids=_ids("false-alarm", KNOWN_FALSE_ALARMS)
)
def test_corpus_known_false_alarm_still_escalates(defaults, language, text, kind):
    """Accepted by design: a missed red flag is worse than a false alarm."""
    assert kind in {hit.target for hit in defaults.find(text)}


# --- negation -----------------------------------------------------------------------------------


def _only(matcher: Matcher, text: str, phrase: str) -> Hit:
    found = [hit for hit in matcher.find(text) if hit.phrase == phrase]
    assert len(found) == 1, matcher.find(text)
    return found[0]


@pytest.mark.parametrize(
    ("text", "phrase", "negated"),
    [
        ("no chest pain", "chest pain", True),
        ("I have chest pain", "chest pain", False),
        ("Denies chest pain.", "chest pain", True),
        ("I do not have any chest pain", "chest pain", True),
        ("I don't have chest pain", "chest pain", True),
        ("No, chest pain since this morning", "chest pain", True),  # flagged, still a hit
        ("I don't know if it's chest pain", "chest pain", False),  # cue 4+ words before
        ("no chest pain yesterday, chest pain now", "chest pain", False),  # one occurrence isn't
        ("sin dolor de pecho", "dolor de pecho", True),
        ("no tengo dolor de pecho", "dolor de pecho", True),
        ("nunca he tenido dolor de pecho", "dolor de pecho", True),
        ("tengo dolor de pecho", "dolor de pecho", False),
        ("no puedo respirar", "no puedo respirar", False),  # the cue is part of the phrase
        ("ya no quiero vivir", "no quiero vivir", False),
        ("I don't want to live", "dont want to live", False),
        ("he is not breathing", "not breathing", False),
        ("I don't want to die", "want to die", True),
    ],
)
def test_negation_flags_but_never_silences(defaults, text, phrase, negated):
    hit = _only(defaults, text, phrase)
    assert hit.negated is negated


def test_negated_hit_still_routes_like_any_other(defaults):
    assert [(h.phrase, h.target) for h in defaults.find("no chest pain but my arm is numb")] == [
        ("chest pain", NURSE)
    ]
    assert defaults.find("I don't know if it's chest pain") != []


def test_negation_cues_are_normalised_words():
    for cue in NEGATION_CUES:
        assert normalize(cue) == cue and " " not in cue


def test_negation_window_is_three_words(defaults):
    assert _only(defaults, "no one two chest pain", "chest pain").negated
    assert not _only(defaults, "no one two three chest pain", "chest pain").negated


def test_negation_window_in_a_long_text(defaults):
    long_word = "x" * 500
    assert _only(defaults, f"{long_word} no {long_word} chest pain", "chest pain").negated
    assert not _only(defaults, f"no {long_word} a b chest pain", "chest pain").negated
    filler = "word " * 100
    assert _only(defaults, f"{filler}not chest pain", "chest pain").negated


# --- normalisation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dolor de PÉCHO", "dolor de pecho"),
        ("está", "esta"),
        ("náusea", "nausea"),
        ("niño, año", "nino ano"),
        ("ÜBER Çava", "uber cava"),
        ("can't", "cant"),
        ("can\u2019t", "cant"),
        ("can\u2018t", "cant"),
        ("can`t", "cant"),
        ("can\u00b4t", "cant"),
        ("cant", "cant"),
        ("won't wake up", "wont wake up"),
        ("chest-pain!!!", "chest pain"),
        ("  chest\n\tpain\r\n", "chest pain"),
        ("chest...pain???", "chest pain"),
        ("chest_pain", "chest pain"),
        ("since 2am, 10/10 pain", "since 2am 10 10 pain"),
        ("took too many pills 😢😢", "took too many pills"),
        ("¿Qué? ¡Sí!", "que si"),
        (
            "\uff23\uff28\uff25\uff33\uff34\u3000\uff30\uff21\uff29\uff2e",
            "chest pain",
        ),  # full-width
        ("", ""),
        ("!!! ... 😢", ""),
    ],
)
def test_normalize(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize(
    "text", ["STRASSE ß", "İstanbul", "ǅ ﬁ ﷺ", "\u0301\u0301", "\U0001d520\U0001d525"]
)
def test_normalize_odd_unicode_does_not_crash(text):
    result = normalize(text)
    assert result == result.strip()
    assert not any(unicodedata.combining(c) for c in result)
    assert normalize(result) == result


def test_normalize_casefold_specials():
    assert normalize("ß") == "ss"
    assert normalize("İ") == "i"


def test_normalize_keeps_other_scripts_as_words():
    assert normalize("Привет, мир") == "привет мир"
    assert normalize("हिन्दी") == normalize("हिन्दी").strip() != ""


# --- the matcher --------------------------------------------------------------------------------


def test_whole_words_only():
    matcher = Matcher([("pain", 1, "en"), ("overdose", 2, "en")])
    assert matcher.find("painting class") == []
    assert matcher.find("spain") == []
    assert matcher.find("I overdosed") == []
    assert [h.target for h in matcher.find("pain in my knee")] == [1]
    assert [h.target for h in matcher.find("knee-pain")] == [1]
    assert [h.target for h in matcher.find("Pain.")] == [1]


def test_overlapping_and_adjacent_phrases_are_all_found(defaults):
    phrases = [h.phrase for h in defaults.find("chest pain shortness of breath")]
    assert phrases == ["chest pain", "shortness of breath"]
    matcher = Matcher([("chest pain", 1, "en"), ("pain shortness", 2, "en"), ("chest", 3, "en")])
    assert [(h.phrase, h.target) for h in matcher.find("chest pain shortness")] == [
        ("chest pain", 1),
        ("chest", 3),
        ("pain shortness", 2),
    ]


def test_phrases_sharing_a_start_are_all_found():
    matcher = Matcher(
        [("chest pain", 7, "en"), ("chest pain radiating", 9, "en"), ("chest", 7, "en")]
    )
    hits = matcher.find("chest pain radiating to my arm")
    assert {(h.phrase, h.target) for h in hits} == {
        ("chest pain radiating", 9),
        ("chest pain", 7),
        ("chest", 7),
    }
    assert [h.phrase for h in matcher.find("chest pain")] == ["chest pain", "chest"]


def test_hits_are_deduplicated_in_order_of_first_occurrence(defaults):
    hits = defaults.find("Quiero morir. chest pain, QUIERO MORIR, chest pain!! quiero morir")
    assert [(h.phrase, h.target, h.language) for h in hits] == [
        ("quiero morir", BEHAVIORAL, "es"),
        ("chest pain", NURSE, "en"),
    ]


def test_custom_matcher_routes_to_pathway_targets():
    matcher = Matcher(
        [
            ("Dolor de pecho", 7, "es"),
            ("chest pain", 7, "en"),
            ("quiero morir", 9, "es"),
            ("chest pain", 9, "en"),  # the same phrase for two pathways: both are told
        ]
    )
    hits = matcher.find("tengo DOLOR DE PÉCHO y quiero morir")
    assert [(h.phrase, h.target, h.language, h.negated) for h in hits] == [
        ("dolor de pecho", 7, "es", False),
        ("quiero morir", 9, "es", False),
    ]
    assert [(h.target) for h in matcher.find("chest pain")] == [7, 9]


def test_repeated_phrase_and_target_keeps_the_first_language():
    matcher = Matcher([("infarto", 1, "es"), ("Infarto", 1, "en")])
    assert matcher.find("infarto") == [Hit("infarto", 1, "es", False)]
    assert len(matcher) == 1


def test_phrase_variants_normalise_together():
    matcher = Matcher([("can't breathe", 1, "en")])
    for text in ("can't breathe", "can\u2019t breathe", "CANT BREATHE", "can\u00b4t  breathe!!"):
        assert [h.phrase for h in matcher.find(text)] == ["cant breathe"]


def test_empty_matcher():
    for matcher in (Matcher([]), Matcher([("", 1, "en"), ("  !! ", 2, "es"), ("😢", 3, "en")])):
        assert not matcher
        assert len(matcher) == 0
        assert matcher.find("chest pain") == []
    assert Matcher([("chest pain", 1, "en")])


def test_empty_and_blank_texts(defaults):
    assert defaults.find("") == []
    assert defaults.find("   \n\t ") == []
    assert defaults.find("!!! 😢") == []


def test_regex_metacharacters_in_phrases_are_literal():
    matcher = Matcher([("a.b (c)", 1, "en"), ("x+", 2, "en")])
    assert [h.phrase for h in matcher.find("a b c")] == ["a b c"]
    assert matcher.find("axb c") == []
    assert [h.phrase for h in matcher.find("x")] == ["x"]


def test_hit_is_frozen():
    hit = Hit("chest pain", NURSE, "en", False)
    with pytest.raises(AttributeError):
        hit.negated = True  # type: ignore[misc]


def test_a_long_text_finds_the_phrase_at_the_end(defaults):
    """The longest text a case takes (20,000 characters), the phrase at its very end. (How fast:
    bench/red_flags.py; timing is not asserted in unit tests.)"""
    filler = "please call me back about my bill and the portal password. " * 400
    text = filler[:19_989] + " chest pain"
    assert len(text) == 20_000
    emoji_text = text.replace("bill", "bíll 😢", 50)[-20_000:]
    assert not emoji_text.isascii()
    for sample in (text, emoji_text):
        assert [h.phrase for h in defaults.find(sample)] == ["chest pain"]


def test_default_lists_cover_both_kinds_and_languages():
    assert set(DEFAULT_PHRASES) == {NURSE, BEHAVIORAL}
    for kind in (NURSE, BEHAVIORAL):
        assert set(DEFAULT_PHRASES[kind]) == {Language.ENGLISH.value, Language.SPANISH.value}
        for phrases in DEFAULT_PHRASES[kind].values():
            assert len(phrases) >= 20


def test_default_phrases_are_clean_and_unique():
    seen: dict[tuple[str, str], set[str]] = {}
    for phrase, kind, language in default_phrases():
        assert kind in PathwayKind.values and language in Language.values
        normalized = normalize(phrase)
        assert normalized, phrase
        assert normalize(normalized) == normalized
        assert normalized == " ".join(normalized.split())
        assert all(word.isascii() and word.isalnum() for word in normalized.split()), phrase
        assert phrase.casefold().strip() == phrase, f"{phrase!r}: write phrases in lower case"
        bucket = seen.setdefault((kind, language), set())
        assert normalized not in bucket, f"duplicate {normalized!r} in {kind}/{language}"
        bucket.add(normalized)


def test_default_phrases_match_themselves(defaults):
    for phrase, kind, _ in default_phrases():
        assert kind in {hit.target for hit in defaults.find(phrase)}, phrase


def test_figurative_phrases_are_not_defaults():
    """These would silence nothing real and page the nurse for 'me muero de risa'."""
    normalized = {normalize(phrase) for phrase, _, _ in default_phrases()}
    for figurative in ("me muero", "dying", "killing me", "me va a matar", "matarme", "pain"):
        assert figurative not in normalized


def test_the_issue_examples_are_defaults(defaults):
    examples = {
        "chest pain": NURSE,
        "dolor de pecho": NURSE,
        "can't breathe": NURSE,
        "want to kill myself": BEHAVIORAL,
        "quiero morir": BEHAVIORAL,
        "overdose": NURSE,
        "sobredosis": NURSE,
    }
    for text, kind in examples.items():
        assert [h.target for h in defaults.find(text) if h.phrase == normalize(text)] == [kind]
