"""escalations.redflags: a flag's words mentioned, not suffered (``mentions.py``: frames and
idioms), and everyday words that are never typos (``common_words.py``), added after round 11.
Each frame sets its match aside and says why; a real flag next to the same cue still fires.
New wording, in no data file. Pure Python: no database."""

from __future__ import annotations

import pytest

from escalations.redflags import CONCEPTS, Matcher
from escalations.redflags.common_words import COMMON_WORDS
from escalations.redflags.context import SetAside, read
from escalations.redflags.mentions import MENTION_IDIOMS
from escalations.redflags.vocabulary import IDIOMS, NOT_TYPOS


@pytest.fixture(scope="module")
def concepts() -> Matcher:
    return Matcher(concepts={concept.id: concept.id for concept in CONCEPTS})


def scan(matcher: Matcher, text: str) -> tuple[set[str], list[SetAside]]:
    aside: list[SetAside] = []
    hits = matcher.find_in_messages([text], set_aside=aside)
    return {hit.concept for hit in hits}, aside


def test_the_idioms_and_common_words_are_merged():
    assert set(MENTION_IDIOMS) <= set(IDIOMS)
    assert COMMON_WORDS <= NOT_TYPOS


SET_ASIDE = [
    ("term", "the questionnaire asks if I ever had a stroke, my dad did, do I check it?"),
    ("term", "what does anafilaxia mean on my allergy paper?"),
    ("term", "¿qué significa convulsión febril en el informe del colegio?"),
    ("term", "our school nurse is giving a presentation on sepsis next week"),
    ("heredity", "are seizures hereditary? my cousin has them"),
    ("heredity", "mi tío tuvo un derrame. ¿Eso viene de familia?"),
    ("story", "the show had a guy overdose, is narcan sold over the counter?"),
    (
        "misdirected",
        "sorry, wrong number, that was about my sister's play: she can't breathe on stage",
    ),
    ("premises", "the waiting room was so stuffy yesterday, I was suffocating"),
    ("match", "our team left me breathless in the final, what a game, are you open tomorrow"),
    ("thing", "overdosed on christmas cookies and memes lol"),
    ("thing", "tengo sobredosis de trabajo esta semana, ¿me cambian la cita?"),
    ("second_language", "I get my words jumbled in english when I'm nervous, any spanish doctor?"),
    ("thing", "mi peor dolor de cabeza es el papeleo del seguro, ¿quién me ayuda?"),
]


@pytest.mark.parametrize(("frame", "text"), SET_ASIDE)
def test_each_mention_frame_sets_its_match_aside_and_says_why(concepts, frame, text):
    found, aside = scan(concepts, text)
    assert found == set()
    assert frame in {reason.frame for reason in aside}


STILL_FIRES = [
    # a person having it, now, or a call for help keeps the match
    ("my dad is having a stroke, what does FAST mean on the poster?", "stroke"),
    ("she is having a seizure right now, the action plan says rescue med", "seizure_unconscious"),
    ("creo que es anafilaxia, se le cerró la garganta", "anaphylaxis"),
    ("I have chest pain right now, does heart disease run in families?", "cardiac"),
    ("wrong chat, sorry. but my chest hurts a lot", "cardiac"),
    ("I'm in your waiting room and I can't breathe", "breathing"),
    ("my son choked on a hot dog at the game and can't breathe", "breathing"),
    ("me dio un infarto en el partido", "cardiac"),
    ("de repente se me traban las palabras en inglés y en español", "stroke"),
    ("I took an overdose of my sleeping pills after the show", "overdose_poisoning"),
]


@pytest.mark.parametrize(("text", "concept"), STILL_FIRES)
def test_a_real_flag_next_to_a_mention_cue_still_fires(concepts, text, concept):
    assert concept in scan(concepts, text)[0]


IDIOM_TEXTS = [
    "se me cae la cara de vergüenza, me equivoqué de chat",
    "no te ahogues en un vaso de agua, ya encontré la receta",
    "me estoy matando a trabajar esta semana, ¿me cambian la cita?",
    "killing myself studying for boards, can I move my physical?",
    "¿las tortas ahogadas pican mucho para la gastritis?",
    "watching the kids all day, what time do you close?",
    "tengo una pila de papeles del seguro",
    "hay que ponerse las pilas con la dieta",
    "the vice president of my company wants a flu clinic",
    "the baby has a fever of excitement for christmas lol",
    "I have baby fever after holding my niece lol",
    "¿la vacuna de la fiebre amarilla se la puedo poner a mi bebé de 9 meses?",
    "my son is obsessed with poison dart frogs, any books?",
    "cabin fever is real, when does the clinic gym open?",
]


@pytest.mark.parametrize("text", IDIOM_TEXTS)
def test_the_new_idioms_stay_quiet(concepts, text):
    assert scan(concepts, text)[0] == set()


@pytest.mark.parametrize(
    ("word", "not_read_as"),
    [("what", "ALLERGEN"), ("would", "WOUND"), ("waiting", "WROTE"), ("hasta", "TIRED")],
)
def test_everyday_words_are_not_read_as_typos(concepts, word, not_read_as):
    assert not_read_as not in {name for name, _, _ in concepts.classes_of(word)}


def test_a_flag_word_typo_is_still_read(concepts):
    assert "BREATHE" in {name for name, _, _ in concepts.classes_of("brething")}


def test_the_reading_numbers_each_text():
    reading = read(["my chest. hurts", "and now", "my arm"])
    assert reading.text == [0, 0, 0, 1, 1, 2, 2]
    assert reading.span("text", 1) == (3, 4)
