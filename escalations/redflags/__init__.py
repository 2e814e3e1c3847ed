"""Red-flag detection in a patient's own words (docs/architecture/escalations.md, "Detection").

Pure Python: no models, no database, no logging (the texts are PHI and are never logged, nor are
the words found in them). ``escalations.detection`` builds one :class:`Matcher` per configuration
(the built-in concepts routed to pathways, the pathways' configured phrases) and scans a case's
recent inbound texts together.

* ``normalize.py`` — one normal form (NFKC, case, accents, apostrophes and punctuation,
  zero-width and soft-hyphen characters, look-alike Cyrillic/Greek letters) and the words
  (Spanish enclitic pronouns split off: ``quitarme`` → ``quitar me``).
* ``vocabulary.py`` — word classes in English and Spanish, multi-word expressions, idioms
  whose words are not the symptom; ``concepts.py`` — the **concepts** a clinician names
  (chest pain, stroke, breathing, suicide and self-harm, overdose and poisoning, severe
  bleeding, anaphylaxis, pregnancy emergencies, fever in an infant, sepsis, a reaction to a new
  medication, seizure or loss of consciousness), each with the pathway kind it goes to and its
  patterns: classes within a window of words, in either order or in order.
* ``broadened.py`` — families of synonyms by kind of wording (skin reactions, altered mental
  state, household poisons, infant ages …), merged into the vocabulary;
* ``families.py`` — round 9's families (a curtain over an eye, a goodbye letter, wild
  mushrooms, a blood pressure as numbers …) with their idioms and patterns, merged the same way;
* ``families10.py`` — round 10's families (weeks as "33w", self-harm without "myself", a drug
  named by its use with a count, pesticides, edibles, drops or an injection with a breakout …),
  merged the same way;
* ``lay_signs.py`` — signs told in lay or broken words (a head that exploded, a side that
  belongs to someone else, cannot lie flat, a pain that goes up the neck with sweating, pupils
  tiny or huge, pains every few minutes before term …) and ``circumstances.py`` — flags told
  through their circumstances (someone else's pills, a spiked drink, a thinner named by its
  use, how it would be done told with calm, a pet given away, a quiet baby …): round 11's kinds,
  merged the same way; ``common_words.py`` — everyday words never read as typos;
* ``families12.py`` — round 12's families (a young infant by its age with a fever or a
  temperature, a farewell told as thanks or a last message, food stuck with no cough or
  speech, a gush of water in pregnancy, signs after surgery or with a line, "se me pasó la
  mano" …), merged the same way;
* ``families13.py`` — round 13's families (an older baby with a fever and a sign of serious
  illness, a farewell told as appointments no longer needed, a sedative with someone hard to
  keep awake, bleeding through a dressing, a tongue too big for the mouth, months of
  pregnancy with a fit …), merged the same way;
* ``context.py`` and ``frames.py`` — the context layer: clauses, and the frames (a pet, a story,
  a question for information, someone in the news, a past visit, history, laughter with a thing
  as its cause, a figure of speech aimed at a thing, a colour a food explains) that set a match
  aside unless an exception (the own body, now, a person as the subject …) keeps it;
  ``mentions.py`` — more frames (a condition's name as a term on a form or a poster, heredity,
  a wrong chat, the clinic's stuffy room, a match, an overdose of a thing, a second language)
  and idioms; ``asides.py`` — round 12's frames (schoolwork about a condition's name, a
  first-aid course or a drill, a show
  watched, a stranger seen collapsing in the past, a question told as not having happened, a
  vitamin's doubled dose, "used to" with a time long past); ``asides13.py`` — round 13's (a
  childhood episode with the age now, a condition's name with a past month, fainting at
  needles, a sleep study's question, a planned thing's bleeding asked about, appointments
  cancelled for a move, an overdose of a food);
* ``learned.py`` — the learned second opinion (scikit-learn, imported only when it is first
  asked): a linear model over the same words, asked by detection only when no rule fired; its
  one flag is marked ``source="model"`` and names the words that weighed most;
* ``matcher/`` — words to classes (exact form, Snowball stem in English or Spanish, or one
  typo in a word of five letters or more), classes to concepts, and the :class:`Hit`: which
  concept, which words matched, whether it "may be negated", whether a typo was read.

Negation policy: a negation cue ("no", "not", "denies", "sin", "nunca" …) among the three words
before a match, or between its words, does **not** silence it. A missed red flag is worse than a
false alarm and negation in free text is unreliable ("no, chest pain since this morning"); the
hit's ``negated`` flag tells the recipient to confirm with the patient. A concept is ``negated``
only when every occurrence is.
"""

from escalations.redflags.concepts import CONCEPTS, Concept, Pattern
from escalations.redflags.matcher import Hit, Matcher
from escalations.redflags.normalize import NEGATION_CUES, NEGATION_WINDOW, normalize, words

__all__ = [
    "CONCEPTS",
    "NEGATION_CUES",
    "NEGATION_WINDOW",
    "Concept",
    "Hit",
    "Matcher",
    "Pattern",
    "concept_kinds",
    "normalize",
    "words",
]


def concept_kinds() -> dict[str, str]:
    """Built-in concept id → the pathway kind it routes to."""
    return {concept.id: concept.kind for concept in CONCEPTS}
