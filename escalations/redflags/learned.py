"""A learned second opinion on red flags: a linear model over the detector's own words.

The rules (``concepts.py`` and the context layer) decide; this model only speaks when they are
silent (docs/architecture/escalations.md, "The learned second opinion"). It is:

* **features**: TF-IDF of word 1-2-grams and of character 2-5-grams inside words, on the
  words of :func:`escalations.redflags.normalize.words` (the normal form the rules read:
  accents, case, zero-width characters and look-alike letters already folded);
* **classifier**: multinomial logistic regression over the concept ids and ``none``
  (scikit-learn, ``lbfgs``: deterministic, no random state involved);
* **trained from** the labelled files that ship with the code (:func:`training_files`), lazily
  once per process (:func:`default_model`), in a few seconds;
* **explained** by the words that weighed most for the concept against ``none``: each word's
  weight is its own word feature plus the character n-grams inside it, and a two-word
  feature is named as the pair ("'no puedo' + 'respirar'").

Pure Python plus scikit-learn; no database, no logging (the texts are PHI).
"""

from __future__ import annotations

import csv
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from escalations.redflags.concepts import CONCEPTS
from escalations.redflags.matcher import Hit
from escalations.redflags.normalize import words

logger = logging.getLogger(__name__)

__all__ = [
    "THRESHOLD",
    "Model",
    "Prediction",
    "default_model",
    "enough_words",
    "load_examples",
    "second_opinion",
    "train",
    "training_files",
    "warm_up",
]

NONE = "none"
SEPARATOR = " ||| "  # several messages of one case in one labelled text
# The labelled files ship with the code (the tests and benchmarks read them from here too).
DATA = Path(__file__).resolve().parent / "data"
C = 10.0  # inverse regularisation, chosen on the leave-one-round-out folds (bench/README.md)
EXPLAIN_TOP = 4  # words or pairs named in an explanation
#: The model flags when P(any emergency) = 1 - P(none) reaches this: chosen on the blind rounds
#: left out one at a time (bench/red_flags_model_eval.py: the lowest threshold adding at most
#: 2 points of false alarms to the rules), not on the round it was then measured on.
THRESHOLD = 0.6
#: The model reads at most the last this many characters of a case's recent texts (the rules
#: read them all): a long text costs it time, not signal.
MODEL_CHARACTERS = 4_000
#: The model speaks only on texts of at least this many content words (letters, not function
#: words): one or two words ("new", "respond", three card numbers and "and") give it nothing to
#: read but a single feature, and it can be confidently wrong on them; the rules read them.
MIN_CONTENT_WORDS = 3
#: A word with more digits than this is never named in an explanation (a card number, a phone
#: number: the explanation is stored on the escalation).
MAX_DIGITS_NAMED = 4
SOURCE = "model"  # Hit.source of the model's flags (the rules' are "rules")


def training_files() -> list[Path]:
    """The labelled files the model learns from: the ONE place that names them (the team
    corpus, the blind rounds appended so far — a new round's file is not trained on until it
    is appended to the blind set — and everyday messages: the other files hold mostly
    emergencies and their look-alikes, so without them a bare "hi" or "tonight" read as one)."""
    return [
        *sorted((DATA / "red_flag_corpus").glob("*.tsv")),
        DATA / "red_flag_blind.tsv",
        DATA / "red_flag_routine.tsv",
    ]


def load_examples(paths: Iterable[Path]) -> list[tuple[str, str]]:
    """(text, concept id or ``none``) of each row of the TSV files (columns text, language,
    expected, optional mention; an empty label is benign; a negated mention keeps its concept:
    the policy is that it fires)."""
    examples = []
    for path in paths:
        with Path(path).open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            examples.extend((row["text"], row["expected"] or NONE) for row in reader)
    return examples


def _read(text: str) -> str:
    return " ".join(words(text.replace(SEPARATOR, " ")))


@dataclass(frozen=True)
class Prediction:
    concept: str  # the most likely concept id other than "none"
    p_emergency: float  # 1 - P(none)
    probability: float  # P(concept)
    explanation: str  # "'no puedo' + 'respirar', 'aire'" — the words that weighed most
    words: tuple[str, ...]  # those words (normalised), in order of weight


class Model:
    """The fitted vectorisers and classifier; :meth:`predict` reads one text (or a case's
    texts joined)."""

    def __init__(self, word_vectorizer, char_vectorizer, classifier):
        self._word = word_vectorizer
        self._char = char_vectorizer
        self._classifier = classifier
        self._classes = list(classifier.classes_)
        self._none = self._classes.index(NONE)
        self._word_names = word_vectorizer.get_feature_names_out()
        self._char_index = char_vectorizer.vocabulary_
        self._n_word = len(self._word_names)

    @property
    def concepts(self) -> list[str]:
        return [c for c in self._classes if c != NONE]

    def _features(self, texts: list[str]):
        from scipy.sparse import hstack

        read = [_read(text) for text in texts]
        return hstack([self._word.transform(read), self._char.transform(read)]).tocsr(), read

    def predict(self, text: str, *, explain: bool = True) -> Prediction:
        """The model's reading of ``text``; ``explain=False`` skips the explanation (faster)."""
        features, (read,) = self._features([text])
        probabilities = self._classifier.predict_proba(features)[0]
        order = sorted(
            (i for i in range(len(self._classes)) if i != self._none),
            key=lambda i: (-probabilities[i], self._classes[i]),
        )
        best = order[0]
        explained = self._explain(features, read, best) if explain else []
        return Prediction(
            concept=str(self._classes[best]),
            p_emergency=float(1.0 - probabilities[self._none]),
            probability=float(probabilities[best]),
            explanation=", ".join(f"'{item}'" for item in explained) or "(no word stood out)",
            words=tuple(explained),
        )

    def _explain(self, features, read: str, best: int) -> list[str]:
        """The words (and word pairs) of ``read`` that weighed most for class ``best`` against
        ``none``: a word's weight is its word feature plus the character n-grams inside it
        (shared equally by the words that hold one). Function words ("the", "and", "y" …) are
        not named alone; a pair is named unless both its words are function words."""
        coef = self._classifier.coef_
        row = features[0]
        weight: dict[str, float] = {}
        tokens = read.split()
        char_weight = {}
        for index, value in zip(row.indices, row.data, strict=True):
            delta = value * (coef[best, index] - coef[self._none, index])
            if index < self._n_word:
                name = self._word_names[index]
                weight[name.replace(" ", "' + '")] = weight.get(name, 0.0) + delta
            else:
                char_weight[index - self._n_word] = delta
        if char_weight:
            low, high = self._char.ngram_range
            holders: dict[int, set[str]] = {}
            for token in set(tokens):
                padded = f" {token} "
                for size in range(low, high + 1):
                    for start in range(len(padded) - size + 1):
                        index = self._char_index.get(padded[start : start + size])
                        if index is not None:
                            holders.setdefault(index, set()).add(token)
            for index, delta in char_weight.items():
                for token in holders.get(index, ()):
                    weight[token] = weight.get(token, 0.0) + delta / len(holders[index])
        ranked = sorted(
            (
                (w, name)
                for name, w in weight.items()
                if w > 0
                and not all(part in _FUNCTION_WORDS for part in name.split("' + '"))
                and sum(char.isdigit() for char in name) <= MAX_DIGITS_NAMED
            ),
            key=lambda item: (-item[0], item[1]),
        )
        return [name for _, name in ranked[:EXPLAIN_TOP]]


def train(examples: Iterable[tuple[str, str]], *, c: float = C) -> Model:
    """A model fitted on (text, concept id or ``none``) pairs; the same pairs give the same
    model (no randomness: lbfgs, fixed order)."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    pairs = list(examples)
    read = [_read(text) for text, _ in pairs]
    labels = [label for _, label in pairs]
    word = TfidfVectorizer(
        analyzer="word",
        token_pattern=r"\S+",  # noqa: S106 (a regular expression)
        ngram_range=(1, 2),
        lowercase=False,
        sublinear_tf=True,
    )
    char = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 5),
        lowercase=False,
        sublinear_tf=True,
        min_df=2,
    )
    features = hstack([word.fit_transform(read), char.fit_transform(read)]).tocsr()
    classifier = LogisticRegression(C=c, max_iter=3000, random_state=0)
    # One BLAS thread: faster on a shared host (no oversubscription) and the same sums in the
    # same order on every run.
    with threadpool_limits(limits=1):
        classifier.fit(features, labels)
    return Model(word, char, classifier)


_lock = threading.Lock()
_model: Model | None = None


def default_model() -> Model:
    """The model trained from :func:`training_files`, once per process (thread-safe)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = train(load_examples(training_files()))
    return _model


def warm_up() -> threading.Thread | None:
    """Train the model now, in a background thread (a server or a worker starting:
    patientcare/wsgi.py, asgi.py, celery.py), so that the first message the rules are silent on
    does not wait the few seconds of training. Off when ``RED_FLAG_MODEL`` or
    ``RED_FLAG_MODEL_WARM_UP`` is False (the test suite trains when it asks). A failure is
    logged (no text) and detection then tries again, or runs the rules alone."""
    from django.conf import settings

    if not getattr(settings, "RED_FLAG_MODEL", True):
        return None
    if not getattr(settings, "RED_FLAG_MODEL_WARM_UP", True):
        return None
    thread = threading.Thread(target=_train_quietly, name="red-flag-model-warm-up", daemon=True)
    thread.start()
    return thread


def _train_quietly() -> None:
    try:
        default_model()
    except Exception:
        logger.exception("the red-flag model could not be trained: the rules run alone")


# Words frequent in one language and rare in the other: the language of a model flag (the rules
# take it from the vocabulary that matched).
_SPANISH_WORDS = (
    "el la los las que de del y en mi me se es esta estoy muy pero con por para su lo le al "
    "tengo siento hace desde"
)
_ENGLISH_WORDS = (
    "the and my is it i im to of in on with for but have has was this that me been he she "
    "feel feels"
)
_OTHER_FUNCTION_WORDS = (
    "a an at be being are like so just as or if its un una o ya les te nos ha were um"
)
_SPANISH = frozenset(_SPANISH_WORDS.split())
_ENGLISH = frozenset(_ENGLISH_WORDS.split())
# Words an explanation does not name on their own (they carry weight in the model, but a
# clinician reads the content words).
_FUNCTION_WORDS = _SPANISH | _ENGLISH | frozenset(_OTHER_FUNCTION_WORDS.split())


def enough_words(text: str) -> bool:
    """Whether ``text`` holds :data:`MIN_CONTENT_WORDS` content words for the model to read."""
    count = 0
    for word in words(text.replace(SEPARATOR, " ")):
        if word not in _FUNCTION_WORDS and any(char.isalpha() for char in word):
            count += 1
            if count >= MIN_CONTENT_WORDS:
                return True
    return False


def _language(text: str) -> str:
    tokens = words(text)
    spanish = sum(token in _SPANISH for token in tokens)
    english = sum(token in _ENGLISH for token in tokens)
    return "es" if spanish > english else "en"


def second_opinion(
    texts: list[str],
    targets: dict[str, object],
    *,
    model: Model | None = None,
    threshold: float = THRESHOLD,
) -> list[Hit]:
    """The model's flag for the last of ``texts`` read with the ones before it (a case's recent
    inbound texts, oldest first; :data:`MIN_CONTENT_WORDS` at least), as at most one
    :class:`Hit` with ``source="model"``: its
    concept, the target ``targets`` gives that concept (a concept with no target is dropped),
    and as ``phrase`` the words that weighed most. Call it only when the rules found nothing:
    it never replaces a rule's flag. When the earlier texts alone already gave the same concept
    (said when they came in), it stays quiet, as the rules do."""
    if not texts or not texts[-1] or not texts[-1].strip():
        return []
    read = SEPARATOR.join(texts)[-MODEL_CHARACTERS:]
    if not enough_words(read):
        return []
    model = model or default_model()
    window = model.predict(read)
    if window.p_emergency < threshold or window.concept not in targets:
        return []
    across = False
    if len(texts) > 1:
        earlier = model.predict(SEPARATOR.join(texts[:-1])[-MODEL_CHARACTERS:], explain=False)
        if earlier.p_emergency >= threshold and earlier.concept == window.concept:
            return []
        last = model.predict(texts[-1][-MODEL_CHARACTERS:], explain=False)
        across = last.p_emergency < threshold
    labels = {concept.id: concept.label for concept in CONCEPTS}
    return [
        Hit(
            concept=window.concept,
            label=labels.get(window.concept, window.concept),
            target=targets[window.concept],
            language=_language(texts[-1]),
            negated=False,
            words=window.words,
            across_messages=across,
            phrase=f"model ({window.p_emergency:.0%}): {window.explanation}",
            source=SOURCE,
        )
    ]
