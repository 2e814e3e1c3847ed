"""The built-in red-flag concepts: what a clinician would call each flag, the pathway kind it goes
to, and the patterns of word classes (``vocabulary.py``) that recognise it.

A pattern is found when all its classes occur within ``window`` words (the words between the
first and the last matched word, an expression counting as one), in the given order when
``ordered``, in either order otherwise. A class on its own (``_p("STROKE")``) is a pattern of
one word. docs/architecture/escalations.md ("Detection") has the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from escalations.choices import PathwayKind

__all__ = ["CONCEPTS", "Concept", "Pattern"]

_NURSE = PathwayKind.NURSE_TRIAGE.value
_BEHAVIORAL = PathwayKind.BEHAVIORAL_HEALTH.value


@dataclass(frozen=True)
class Pattern:
    """Every class of ``classes`` within ``window`` words (first to last matched word), in this
    order when ``ordered``."""

    classes: tuple[str, ...]
    window: int = 0
    ordered: bool = False


@dataclass(frozen=True)
class Concept:
    """A red flag as a clinician names it, where it goes, and how it is recognised."""

    id: str
    label: str
    kind: str  # the PathwayKind it routes to
    patterns: tuple[Pattern, ...]


def _p(*classes: str, window: int = 0, ordered: bool = False) -> Pattern:
    return Pattern(classes=classes, window=window, ordered=ordered)


#: The built-in concepts (docs/architecture/escalations.md, "Detection", has the table).
CONCEPTS: tuple[Concept, ...] = (
    Concept(
        "cardiac",
        "Chest pain / heart attack",
        _NURSE,
        (
            _p("CHEST", "PAIN", window=8),
            _p("HEART", "ATTACK", window=3),
            _p("CARDIAC", "ATTACK", window=2),
            _p("HEART", "PAIN", window=5),
            _p("INFARCT"),
            _p("ARM_JAW", "PAIN", "SWEAT", window=10),
            _p("CHEST", "SWEAT", window=10),
            _p("LEFTRIGHT", "BREAST", "PAIN", window=5),
            _p("CHEST", "ARM_JAW", "PAIN", window=12),
            _p("CHEST", "PAIN", "URGENT", window=14),
            _p("ARM_JAW", "PAIN", "FAINTISH", window=12),
            # round 8: a weight sitting on the chest; the chest with a numb or tingling arm
            _p("SITTING", "CHEST", window=5),
            _p("CHEST", "ARM_JAW", "NUMB", window=14),
        ),
    ),
    Concept(
        "stroke",
        "Stroke",
        _NURSE,
        (
            _p("STROKE"),
            _p("FACE", "DROOP", window=5),
            _p("SPEECH", "SLUR", window=4),
            _p("SIDE", "NUMB", window=6),
            _p("SUDDEN", "NUMB", window=4),
            _p("WORST", "HEADACHE", window=4),
            _p("TROUBLE", "SPEECH", window=2),
            _p("CANT", "SPEECH", "PROPERLY", window=4, ordered=True),
            _p("SUDDEN", "CONFUSED", window=4),
            _p("CANT", "MOVE", "SIDE", window=5, ordered=True),
            _p("VISION", "VISION_LOSS", window=3),
            _p("CANT", "SEE", "EYE", window=6, ordered=True),
            _p("SLUR"),
            _p("NO_FEEL", "FACE", window=3, ordered=True),
            _p("NO_FEEL", "SIDE", window=5, ordered=True),
            _p("NO_FEEL", "LIMB", window=3, ordered=True),
            _p("LEFTRIGHT", "LIMB", "NUMB", window=5),
            _p("FACE", "CANT", "MOVE", window=5),
            _p("SPEECH", "ODD", window=4),
            _p("CANT", "FIND", "SPEECH", window=4, ordered=True),
            _p("SPEECH", "NOSENSE", window=4),
            _p("FACE", "ODD", "SIDE", window=6),
            _p("CANT", "LIFT", "LIMB", window=4, ordered=True),
            _p("SUDDEN", "VISION", window=6),
            _p("SUDDEN", "CANT", "WALK", window=4, ordered=True),
            _p("SUDDEN", "CANT", "SPEECH", window=5, ordered=True),
            _p("SUDDEN", "TROUBLE", "SEE", window=4, ordered=True),
            _p("VISION_DOUBLE"),
            _p("CANT", "FACE", "SIDE", window=5, ordered=True),
            _p("LIMB", "CANT", "WORK", window=3, ordered=True),
            _p("LIMB", "CANT", "LIFT", window=4, ordered=True),
            _p("THUNDERCLAP", "HEADACHE", window=10),
            _p("CANT", "MOVE", "LIMB", "LEFTRIGHT", window=6),
        ),
    ),
    Concept(
        "breathing",
        "Breathing difficulty",
        _NURSE,
        (
            _p("CANT", "BREATHE", window=4, ordered=True),
            _p("GRUNT", "BREATHE", window=4),
            _p("TROUBLE", "BREATHE", window=3),
            _p("SHORT", "BREATHE", window=3, ordered=True),
            _p("SHORT", "AIR", window=3, ordered=True),
            _p("CANT", "ENTER", "AIR", window=4, ordered=True),
            _p("CANT", "AIR", window=3, ordered=True),
            _p("CHOKE"),
            _p("BLUE", "SKIN", window=4),
            _p("RIBS", "SINK", window=4),
            _p("BREATHLESS"),
            _p("TURNING", "BLUE", window=2, ordered=True),
            _p("CANT", "SENTENCE", window=4, ordered=True),
            _p("TROUBLE", "AIR", window=5),
            _p("TROUBLE", "BREATHE_IN", window=5),
            _p("CANT", "BREATHE_IN", window=4, ordered=True),
            _p("BREATHE", "URGENT", window=8),
            _p("BREATHE", "STRAW", window=4),
            _p("BREATHE", "FAST", window=3, ordered=True),
            _p("WHEEZE", "SEVERE", window=3),
            _p("WHEEZE", "CANT", window=6),
            _p("WHEEZE", "THROAT", window=8),
            _p("WHEEZE", "CHEST", window=4),
            _p("ASTHMA", "ATTACK", window=2, ordered=True),
            _p("RESCUE", "NOT", "HELPING", window=5, ordered=True),
            _p("OXYGEN", "LOW_SAT", window=5),
        ),
    ),
    Concept(
        "suicide_self_harm",
        "Suicide or self-harm",
        _BEHAVIORAL,
        (
            _p("SUICIDE"),
            _p("KILL", "SELF", window=2, ordered=True),
            _p("MATAR", "SELF_ES", window=1, ordered=True),
            _p("SELF_ES", "MATAR", window=1, ordered=True),
            _p("SELF_ES", "WANT", "MATAR", window=4, ordered=True),
            _p("END", "MY", "LIFE", window=3, ordered=True),
            _p("END_ES", "VIDA", window=3, ordered=True),
            _p("END_ALL"),
            _p("WANT", "DIE", window=3, ordered=True),
            _p("WISH", "DIE", window=3, ordered=True),
            _p("BETTER", "DIE", window=5, ordered=True),
            _p("BETTER", "WITHOUT", "ME", window=4, ordered=True),
            _p("NOT", "WANT", "LIVE", window=4, ordered=True),
            _p("NOT", "REASON", "LIVE", window=6, ordered=True),
            _p("NOT", "REASON", "VIDA", window=6, ordered=True),
            _p("NOT", "REASON", "LIFE", window=5, ordered=True),
            _p("NOT", "WANT", "WAKE", window=4, ordered=True),
            _p("WANT", "NOT", "WAKE", window=5, ordered=True),
            _p("THINK", "NOT", "WAKE", window=6, ordered=True),
            _p("NOT", "WANT", "BE_HERE", window=4, ordered=True),
            _p("HARM", "SELF", window=2),
            _p("HARM", "WRIST", window=4),
            _p("SELF_ES", "DANO", window=2),
            _p("LASTIMAR", "SELF_ES", window=1, ordered=True),
            _p("WANT", "TOOK", "ALL", "PILLS", window=12),
            _p("WANT", "TAKE", "ALL", "PILLS", window=12),
            _p("OVERDOSE", "DOSE_INTENT", window=4),
            _p("PILLS", "END_IT", window=6),
            _p("WANT", "END_IT", window=2, ordered=True),
            _p("SLEEP", "FOREVER", window=3, ordered=True),
            _p("NOT", "LIVE_FOR", window=3, ordered=True),
            _p("WANT", "LEAVE_WORLD", window=3, ordered=True),
            _p("HOW_MANY", "PILLS", "LETHAL", window=6, ordered=True),
            _p("GIVEAWAY"),
            _p("PILLS", "NOT", "WAKE", window=5, ordered=True),
            _p("THINK", "TOOK", "ALL", "PILLS", window=8, ordered=True),
            _p("SAVED", "PILLS", window=2),
            _p("NOT", "WANT", "BE_HERE", "ANYMORE", window=7),
            _p("JUMP", "HEIGHT", window=4),
            _p("LIFE", "WORTH", "LIVE", window=5),
            _p("WORTH", "LIVE", window=4, ordered=True),
            _p("ENDV", "EVERYTHING", window=2, ordered=True),
            _p("WANT", "DISAPPEAR", window=5, ordered=True),
            _p("DISAPPEAR", "FOREVER", window=2, ordered=True),
            _p("NOBODY", "MISS", "ME", window=4, ordered=True),
            _p("TIRED", "LIVE", window=3, ordered=True),
            _p("POINTLESS", "LIVE", window=3, ordered=True),
            _p("TIRED", "EVERYTHING", window=2, ordered=True),
            _p("BETTER", "GONE", window=6),
            _p("WANT", "SLEEP", "NOT", "WAKE", window=9, ordered=True),
            _p("WANT", "EVERYTHING", "ENDV", window=4, ordered=True),
            _p("NOBODY", "SELF_ES", "MISS", window=5, ordered=True),
            # composed: a means of self-harm with a farewell or the end of the road
            _p("MEANS", "FINALITY", window=12),
            _p("PILLS", "FINALITY", window=6),
            _p("NOT", "REASON", "GO_ON", window=6, ordered=True),
            # round 8: can't go on, or a plan to do it, with a farewell
            _p("HOPELESS", "FAREWELL", window=14),
            _p("DO_IT", "FAREWELL", window=16),
            _p("FAREWELL", "FINALITY", window=10),
            _p("DO_IT", "HOPELESS", window=12),
            _p("DO_IT", "TONIGHT", "NOBODY", window=16),
        ),
    ),
    Concept(
        "overdose_poisoning",
        "Overdose or poisoning",
        _NURSE,
        (
            _p("OVERDOSE"),
            _p("POISONED"),
            _p("TOOK", "EXCESS", "PILLS", window=8),
            _p("TOOK", "COUNT", "PILLS", window=6, ordered=True),
            _p("PILLS", "TOOK", "COUNT", window=8, ordered=True),
            _p("TOOK", "ALL", "PILLS", window=6),
            _p("TOOK", "PILLS", "ACCIDENT", window=8),
            _p("ACCIDENT", "TOOK", window=3),
            _p("TOOK", "EXCESS", "ACCIDENT", window=10),
            _p("TOOK", "TOXIC", window=5),
            _p("GOT_INTO", "PILLS", window=4),
            _p("MIXED", "PILLS", "ALCOHOL", window=8),
            _p("CHILD", "INGESTED", "PILLS", window=8),
            _p("CHILD", "INGESTED", "TOXIC", window=8),
            _p("INGESTED", "TOXIC", window=3, ordered=True),
            _p("TOOK", "PILLS", "EXCESS_UNKNOWN", window=10),
            _p("TOOK", "PILLS", "ALCOHOL", window=8),
            _p("DOUBLED", "DOSE", window=5),
            _p("OVERDID", "PILLS", window=6),
            # round 8: household poisons, carbon monoxide, a doubled insulin or pill dose
            _p("GOT_INTO", "TOXIC", window=5),
            _p("INGESTED", "TOXIC", window=14, ordered=True),
            _p("CO_GAS", "CO_SIGN", window=16),
            _p("CO_SOURCE", "CO_CONTEXT", "CO_SIGN", window=20),
            _p("PILLS", "TWICE", "UNWELL", window=14),
            _p("PILLS", "EMPTY", "HARD_WAKE", window=20),
            _p("PILLS", "EMPTY", "UNCONSCIOUS", window=20),
        ),
    ),
    Concept(
        "severe_bleeding",
        "Severe bleeding",
        _NURSE,
        (
            _p("BLEED", "HEAVY", window=8),
            _p("HEMORRHAGE"),
            _p("VOMIT", "BLEED", window=8),
            _p("BLEED", "NOT", "STOPV", window=5, ordered=True),
            _p("NOT", "STOPV", "BLEED", window=5, ordered=True),
            _p("PAD", "EVERY", window=3),
            _p("BLEED", "THROUGH_ALL", window=2, ordered=True),
            _p("WOUND", "FLOW", window=10),
            _p("BLEED", "URGENT", window=10),
            _p("FLOW", "NOT", "STOPV", window=6, ordered=True),
            _p("BLEED", "FLOW", window=6),
            _p("STOOL", "BLACK_TARRY", window=4),
            # round 8: coffee-ground vomit, bleeding on a blood thinner or for an hour
            _p("VOMIT", "COFFEE", window=8),
            _p("BLEED", "THINNER", window=20),
            _p("BLEED", "LONG_BLEED", window=6),
        ),
    ),
    Concept(
        "anaphylaxis",
        "Anaphylaxis / severe allergic reaction",
        _NURSE,
        (
            _p("ANAPHYLAXIS"),
            _p("THROAT", "CLOSE", window=4),
            _p("MOUTH_PARTS", "SWELL", window=4),
            _p("SWELL", "HIVES", window=8),
            _p("ALLERGIC_REACTION", "SEVERE", window=3),
            _p("TROUBLE", "SWALLOW", window=3),
            _p("CANT", "SWALLOW", window=3, ordered=True),
            _p("SWELL", "TROUBLE", "BREATHE", window=10),
            _p("SWELL", "CANT", "BREATHE", window=10),
            _p("USED", "EPIPEN", window=3),
            _p("HIVES", "WHEEZE", window=6),
            _p("SWELL", "WHEEZE", window=6),
            _p("HIVES", "TROUBLE", "BREATHE", window=8),
            _p("HIVES", "CANT", "BREATHE", window=8),
            _p("ALLERGEN", "SWELL", window=10),
            _p("ALLERGEN", "PUFF", window=10),
            _p("ALLERGEN", "HIVES", "THROAT", window=12),
            _p("ALLERGEN", "HIVES", "BREATHE", window=12),
            # round 8: an allergen or allergy with the voice, the gut or fainting
            _p("ALLERGEN", "HOARSE", window=18),
            _p("HIVES", "HOARSE", window=12),
            _p("ALLERGEN", "HIVES", "VOMIT", window=16),
            _p("ALLERGEN", "FAINTISH", window=18),
            _p("ALLERGIC", "SWELL", "VOMIT", window=14),
            _p("ALLERGIC", "FACE", "SWELL", window=12),
            _p("ALLERGIC", "MOUTH_PARTS", "SWELL", window=12),
            _p("ALLERGEN", "WHEEZE", window=14),
        ),
    ),
    Concept(
        "pregnancy",
        "Pregnancy emergency",
        _NURSE,
        (
            _p("PREGNANT", "PREG_SIGN", window=12),
            _p("PREGNANT", "FETAL_STILL", window=12),
            _p("PREGNANT", "BLEED", window=12),
            _p("PREGNANT", "SEVERE", "PAIN", window=10),
            _p("PREGNANT", "SEVERE", "HEADACHE", window=12),
            _p("PREGNANT", "SWELL", "FACE_HANDS", window=12),
            _p("NO_FEEL", "INFANT", "MOVE", window=5, ordered=True),
            _p("INFANT", "NOT", "MOVE", window=4, ordered=True),
            _p("INFANT", "FETAL_STILL", window=3, ordered=True),
            _p("INFANT", "MOVE", "LESS", window=3, ordered=True),
            _p("PREGNANT", "HIGH_BP", window=12),
            _p("COUNT", "WEEKS", "PREG_SIGN", window=10, ordered=True),
            _p("COUNT", "WEEKS", "SEVERE", "HEADACHE", window=10, ordered=True),
            _p("COUNT", "WEEKS", "SWELL", "FACE_HANDS", window=10, ordered=True),
            _p("COUNT", "WEEKS", "FETAL_STILL", window=8, ordered=True),
            _p("PREG_SIGN", "COUNT", "WEEKS", window=10, ordered=True),
            _p("NOT", "FEEL", "INFANT", "MOVE", window=6, ordered=True),
            _p("MISCARRIAGE"),
            _p("WATER_BROKE"),
            _p("BROKE", "WATER", window=3),
            _p("PREGNANT", "PAIN", "FAINTISH", window=14),
            _p("COUNT", "WEEKS", "PAIN", "FAINTISH", window=14, ordered=True),
            # round 8: a hard belly, pain that won't ease, sudden or severe pain by weeks
            _p("PREGNANT", "BELLY", "HARD", window=16),
            _p("COUNT", "WEEKS", "BELLY", "HARD", window=18, ordered=True),
            _p("PREGNANT", "PAIN", "PERSIST", window=14),
            _p("COUNT", "WEEKS", "PAIN", "PERSIST", window=16, ordered=True),
            _p("COUNT", "WEEKS", "SEVERE", "PAIN", window=10, ordered=True),
            _p("COUNT", "WEEKS", "SUDDEN", "PAIN", window=10, ordered=True),
        ),
    ),
    Concept(
        "infant_fever",
        "Fever in an infant",
        _NURSE,
        (_p("INFANT", "FEVER", window=10),),
    ),
    Concept(
        "sepsis",
        "Possible sepsis",
        _NURSE,
        (
            _p("SEPSIS"),
            _p("FEVER", "SEPSIS_SIGN", window=10),
            _p("INFECTION", "SEPSIS_SIGN", window=10),
            _p("FEVER", "BREATHE_FAST", window=10),
            _p("FEVER", "HARD_WAKE", window=10),
            _p("FEVER", "BREATHE", "FAST", window=10),
            _p("FEVER", "HEART", "FAST", window=10),
            _p("INFECTION", "HEART", "FAST", window=10),
            _p("INFECTION", "SPREADING", "FEVER", window=14),
            _p("WOUND", "SPREADING", "FEVER", window=18),
            _p("FEVER", "CANT", "STAY", "WAKE", window=10, ordered=True),
            # round 8: fever on chemotherapy; a wound going bad; poor perfusion; a rash that
            # does not fade
            _p("IMMUNO", "FEVER", window=12),
            _p("WOUND", "WOUND_BAD", "FEVER", window=18),
            _p("WOUND", "SPREADING", "SEPSIS_SIGN", window=16),
            _p("FEVER", "BLUE", window=14),
            _p("FEVER", "NOFADE", window=16),
            _p("RASH", "NOFADE", window=6),
        ),
    ),
    Concept(
        "new_med_allergy",
        "Allergic reaction to a new medication",
        _NURSE,
        (
            _p("RASH", "MED", "NEW", window=16),
            _p("ALLERGIC_REACTION", "MED", window=6),
            _p("RASH", "WIDESPREAD", "MED", window=10),
            _p("STARTED", "RASH", window=14),
            _p("THROAT", "CLOSE", "MED", window=10),
        ),
    ),
    Concept(
        "seizure_unconscious",
        "Seizure or loss of consciousness",
        _NURSE,
        (
            _p("SEIZURE"),
            _p("EPILEPTIC", "ATTACK", window=2),
            _p("SHAKE", "JERK", window=4),
            _p("UNCONSCIOUS"),
            _p("PASSED_OUT"),
            _p("LOSE", "CONSCIOUS", window=3),
            _p("HARD_WAKE"),
            _p("WONT", "WAKE", window=3, ordered=True),
            _p("WONT", "RESPOND", window=3, ordered=True),
            _p("JERK", "STARE", window=4),
            _p("JERK", "JERK", window=4),
        ),
    ),
)


def _with_families(concepts: tuple[Concept, ...]) -> tuple[Concept, ...]:
    """``concepts`` with the families' patterns added after rounds 9 to 13 (families*.py,
    lay_signs.py, circumstances.py)."""
    from escalations.redflags.circumstances import CIRCUMSTANCE_PATTERNS
    from escalations.redflags.families import FAMILY_PATTERNS
    from escalations.redflags.families10 import ROUND10_PATTERNS
    from escalations.redflags.families12 import ROUND12_PATTERNS
    from escalations.redflags.families13 import ROUND13_PATTERNS
    from escalations.redflags.lay_signs import LAY_PATTERNS

    return tuple(
        Concept(
            concept.id,
            concept.label,
            concept.kind,
            concept.patterns
            + tuple(
                _p(*classes, window=window, ordered=ordered)
                for classes, window, ordered in FAMILY_PATTERNS.get(concept.id, ())
                + ROUND10_PATTERNS.get(concept.id, ())
                + LAY_PATTERNS.get(concept.id, ())
                + CIRCUMSTANCE_PATTERNS.get(concept.id, ())
                + ROUND12_PATTERNS.get(concept.id, ())
                + ROUND13_PATTERNS.get(concept.id, ())
            ),
        )
        for concept in concepts
    )


CONCEPTS = _with_families(CONCEPTS)
