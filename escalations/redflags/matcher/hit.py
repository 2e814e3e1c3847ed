"""A red flag found: :class:`Hit`, what the matcher returns and what
``Escalation.red_flags`` stores (``Hit.as_json``).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Hit:
    """A red flag found in the patient's words."""

    concept: str  # a built-in concept id (concepts.CONCEPTS) or "phrase" (configured)
    label: str  # the concept's name, or the configured phrase (normalised)
    target: Hashable  # where it routes: a pathway kind, a pathway's pk, "unrouted:<kind>"
    language: str  # the language of the matched vocabulary: "en" / "es"
    negated: bool  # a negation cue before (or inside) every occurrence: still a hit
    words: tuple[str, ...]  # the text's words that matched (normalised), in text order
    typo: bool = False  # a word matched as a one-edit typo of the vocabulary
    across_messages: bool = False  # completed by the last text, begun in an earlier one
    # The matched words as a clinician reads them: "chest pain", "hurts … chest" (… = words
    # left out between them).
    phrase: str = ""
    # "rules" (the concepts' patterns) or "model" (escalations.redflags.learned: a second opinion
    # when no rule fired; its phrase names the words that weighed most).
    source: str = "rules"
    start: int = field(default=0, compare=False, repr=False)  # word index, for ordering

    def as_json(self) -> dict:
        """The form stored on ``Escalation.red_flags`` (the console shows phrase and negation);
        a model's flag also carries ``"source": "model"`` (a rule's stays as it always was)."""
        stored = {
            "concept": self.concept,
            "label": self.label,
            "phrase": self.phrase,
            "words": list(self.words),
            "language": self.language,
            "negated": self.negated,
            "typo": self.typo,
            "across_messages": self.across_messages,
        }
        if self.source != "rules":
            stored["source"] = self.source
        return stored
