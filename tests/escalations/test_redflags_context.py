"""escalations.redflags.context: the context layer. Each frame sets a match aside (and says
why), each exception keeps a real flag inside such a clause, and the reading of clauses and
sentences gives the same words the matcher reads. New wording, in no data file. Pure Python."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from escalations.redflags import CONCEPTS, Matcher
from escalations.redflags.context import FRAMES, SetAside, read
from escalations.redflags.normalize import words


@pytest.fixture(scope="module")
def concepts() -> Matcher:
    return Matcher(concepts={concept.id: concept.id for concept in CONCEPTS})


def scan(matcher: Matcher, text: str) -> tuple[set[str], list[SetAside]]:
    aside: list[SetAside] = []
    hits = matcher.find_in_messages([text], set_aside=aside)
    return {hit.concept for hit in hits}, aside


# --- reading: the same words, with clause and sentence numbers ---------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Temp 38,6 today. Fever (101.2F), also chest [pain] - bad; ok: $1,000 end",
        "¿Qué pasa? ¡Me duele el pecho!… y ahora no puedo respirar",
        "can't breathe—OD'd on pills, she's not waking up",
        "",
    ],
)
def test_the_reading_has_the_matchers_words(text):
    assert read([text]).tokens == words(text)


def test_the_reading_has_the_matchers_words_on_every_data_file():
    here = Path(__file__).resolve().parent
    texts = []
    data = here.parent.parent / "escalations" / "redflags" / "data"
    files = [*sorted((data / "red_flag_corpus").glob("*.tsv")), *data.glob("red_flag_*.tsv")]
    for path in [*files, *here.glob("red_flag_*.tsv")]:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            texts.extend(record["text"] for record in reader)
    assert len(texts) > 1500
    for text in texts:
        assert read([text]).tokens == words(text), text


def test_clauses_end_at_punctuation_and_before_a_connective():
    reading = read(["my cat is sick, my chest hurts. anyway the vet but also"])
    clause_of = dict(zip(reading.tokens, reading.clause, strict=False))
    assert clause_of["cat"] == clause_of["sick"] != clause_of["chest"]
    assert reading.sentence[reading.tokens.index("chest")] != reading.sentence[-1]
    assert clause_of["anyway"] != clause_of["but"] != clause_of["also"]


def test_a_clause_that_goes_on_after_a_comma_joins_the_one_before():
    reading = read(["la cuenta de marzo de 2019, fue por dolor de pecho"])
    assert reading.clause[0] == reading.clause[-1]


def test_each_text_starts_a_sentence_and_the_last_is_marked():
    reading = read(["my chest", "it hurts"])
    assert reading.last_text == 2
    assert reading.sentence[1] != reading.sentence[2]


# --- each frame sets a match aside ---------------------------------------------------------------

FRAME_CASES = [
    ("animal", "my dog keeps having seizures, which vet is open sunday"),
    ("animal", "a mi gata le dan convulsiones, conocen veterinario"),
    ("story", "in the film the hero has a heart attack on stage"),
    ("story", "en la telenovela el papa sufre un infarto"),
    ("information", "what are the warning signs of an overdose, for my nursing homework"),
    ("information", "que sintomas tiene una embolia? es para una tarea"),
    ("past_visit", "need a copy of the records from my 2016 seizure"),
    ("past_visit", "quiero la factura de urgencias de mayo por el dolor de pecho"),
    ("history", "my uncle passed away from a stroke, is that in my chart"),
    ("history", "en 2012 mi papa tuvo un infarto, necesito su expediente"),
    ("explained", "the chest pain last winter was just heartburn"),
    ("laughter", "im having a stroke over this spreadsheet lol"),
    ("laughing", "i was laughing so much i was gasping for air"),
    ("thing", "the rent is choking me, can i pay later"),
    ("thing", "el copago me esta desangrando"),
    ("sleep_sounds", "he snores and it sounds like he is choking, can we get a sleep study"),
    ("media", "saw a youtube video where a runner collapsed, what should bystanders do"),
    ("media", "un futbolista se desmayo en la cancha, es comun?"),
    ("dye", "his lips are blue from the slushie, he is fine"),
    ("dye", "tiene los labios morados por la paleta de uva"),
]


def test_every_frame_is_tried():
    assert {name for name, _ in FRAME_CASES} == {frame.name for frame in FRAMES}


@pytest.mark.parametrize(("frame", "text"), FRAME_CASES)
def test_each_frame_sets_its_match_aside_and_says_why(concepts, frame, text):
    found, aside = scan(concepts, text)
    assert found == set()
    assert aside and all(reason.frame == frame for reason in aside)
    assert aside[0].phrase and aside[0].cue and aside[0].why


# --- each exception keeps a real flag -----------------------------------------------------------

EXCEPTION_CASES = [
    # animal: an animal's bite or scratch is a human injury; a person named; the own body
    ("animal", "injury", "the dog bit my hand and it is bleeding a lot", "severe_bleeding"),
    (
        "animal",
        "person",
        "tripped over the cat and my grandma is unconscious",
        "seizure_unconscious",
    ),
    ("animal", "own_body", "walking the dog and my chest is crushing", "cardiac"),
    # story: the patient's own body, a cue that it is happening now, a call for help
    ("story", "own_body", "watching a movie and my chest is tight and heavy", "cardiac"),
    ("story", "present", "reading a novel and suddenly i cant breathe", "breathing"),
    ("story", "urgent", "the song stopped, he collapsed, call 911", "seizure_unconscious"),
    # information: now, a person of the patient's, the own body
    (
        "information",
        "present",
        "what are the signs of a stroke, her face droops right now",
        "stroke",
    ),
    (
        "information",
        "person_owned",
        "signs of an overdose? my son took 20 pills",
        "overdose_poisoning",
    ),
    ("information", "own_body", "is this the signs of a heart attack, my chest hurts", "cardiac"),
    # paperwork and history: now, again, since
    (
        "past_visit",
        "present",
        "bill from 2019 for chest pain and the chest pain is back today",
        "cardiac",
    ),
    ("history", "present", "had a heart attack in 2015 and again crushing chest pain", "cardiac"),
    ("history", "ongoing", "seizures since 2010 and still seizing", "seizure_unconscious"),
    # figures of speech: the own body, a call for help
    ("laughter", "own_body", "lol my chest hurts so bad", "cardiac"),
    ("laughter", "urgent", "haha i cant breathe help", "breathing"),
    ("thing", "own_body", "the deadline is killing me and my chest is crushing", "cardiac"),
    ("sleep_sounds", "urgent", "he snores but now he is choking, calling 911", "breathing"),
    # a person as the subject of the matched words: a real event, wherever it happened
    ("story", "subject", "in the movie theatre he collapsed", "seizure_unconscious"),
    ("story", "subject", "en la pelicula se desmayo mi abuela", "seizure_unconscious"),
    (
        "information",
        "subject",
        "my daughter fainted during her school project",
        "seizure_unconscious",
    ),
    ("media", "subject", "watching the news my husband collapsed", "seizure_unconscious"),
    ("thing", "someone", "in the rent office she is choking on something", "breathing"),
    ("laughing", "present", "we were laughing and now she cant breathe", "breathing"),
    (
        "dye",
        "urgent",
        "lips blue from the popsicle? no, he is not breathing, call 911",
        "breathing",
    ),
]


@pytest.mark.parametrize(("frame", "exception", "text", "concept"), EXCEPTION_CASES)
def test_each_exception_keeps_a_real_flag(concepts, frame, exception, text, concept):
    assert exception in next(f for f in FRAMES if f.name == frame).exceptions
    found, _ = scan(concepts, text)
    assert concept in found


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        # a frame's cue in another clause does not reach the flag
        ("my cat is at the vet. my chest hurts so bad", "cardiac"),
        ("watched a movie last night, anyway he is having a seizure", "seizure_unconscious"),
        ("i had a stroke 5 years ago, and now my arm is numb on one side", "stroke"),
        # figures of speech only take out their words: real flags in traffic or at a match
        ("stuck in traffic with crushing chest pain", "cardiac"),
        ("me dio un infarto en el partido", "cardiac"),
        # a match while playing, in a story-telling setting
        ("he had a seizure while playing a video game", "seizure_unconscious"),
        ("we were laughing at dinner then he grabbed his chest in pain", "cardiac"),
    ],
)
def test_flags_next_to_a_frame_still_fire(concepts, text, concept):
    assert concept in scan(concepts, text)[0]


def test_configured_phrases_are_not_set_aside():
    matcher = Matcher([("cat seizure", "vet-pathway", "en")])
    assert [hit.target for hit in matcher.find("my cat seizure again")] == ["vet-pathway"]


def test_a_set_aside_match_in_an_earlier_message_does_not_hide_a_real_one():
    matcher = Matcher(concepts={concept.id: concept.id for concept in CONCEPTS})
    texts = ["my dog had a seizure yesterday", "now my dad is seizing on the floor"]
    assert "seizure_unconscious" in {hit.concept for hit in matcher.find_in_messages(texts)}


# --- round 9: laughter sets aside only what is clearly figurative -------------------------------


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        # a first-person claim of an emergency, with laughter: it fires
        ("I think I'm having a heart attack lol", "cardiac"),
        ("cant breathe lol help", "breathing"),
        ("creo que me esta dando un infarto jaja", "cardiac"),
        ("pretty sure im having a stroke lmao my face feels weird on one side", "stroke"),
        ("jaja me tome todas las pastillas", "overdose_poisoning"),
        ("i took all my pills lol", "overdose_poisoning"),
    ],
)
def test_laughter_does_not_set_aside_a_claim(concepts, text, concept):
    assert concept in scan(concepts, text)[0]


@pytest.mark.parametrize(
    "text",
    [
        # a thing as the cause, or a figure of speech in the matched words
        "that game almost gave me a heart attack lol",
        "el partido me dio un infarto jaja",
        "im having a heart attack over these prices haha",
        "lol this deadline is killing me",
        "la peli de miedo me dejo sin aire jaja",
    ],
)
def test_laughter_sets_aside_a_thing_as_the_cause(concepts, text):
    assert scan(concepts, text)[0] == set()  # an idiom or a frame


# --- round 9: a frame's word used as a place, and a person's real event -------------------------


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("in the movie theatre he collapsed", "seizure_unconscious"),
        ("at the movies my dad passed out and wont wake up", "seizure_unconscious"),
        ("at the cinema my chest started hurting", "cardiac"),
        ("en el cine se desmayó", "seizure_unconscious"),
        ("my husband had a seizure at the book club", "seizure_unconscious"),
        ("at the pet store my son cant breathe", "breathing"),
        ("my dad collapsed at the vets office", "seizure_unconscious"),
        ("my husband is choking in the parking lot", "breathing"),
        ("estoy en el trafico y mi hijo se esta ahogando", "breathing"),
        ("i was doing my homework and i fainted", "seizure_unconscious"),
        ("estudiando para el examen me empezo a doler mucho el pecho", "cardiac"),
        ("haciendo la tarea mi hijo se desmayo", "seizure_unconscious"),
        ("viendo la peli me dio un dolor muy fuerte en el pecho", "cardiac"),
        ("my son was singing then collapsed", "seizure_unconscious"),
        # the explanation comes after the symptom, not before it
        ("I was just sitting watching tv and my chest started crushing", "cardiac"),
        # a snore sounds like choking; not breathing after a snore is not a sound
        ("he snored loudly then stopped breathing and wont wake up", "breathing"),
    ],
)
def test_a_place_or_a_persons_real_event_is_not_a_frame(concepts, text, concept):
    assert concept in scan(concepts, text)[0]


@pytest.mark.parametrize(
    "text",
    [
        "my daughter keeps singing achy breaky heart",
        "The song 'I can't breathe without you' is stuck in my head",
        "in the movie the hero has a heart attack",
        "the chest pain i had last week was just reflux, thanks",
        "vi un video de un señor que se desmayo en el super, que hay que hacer?",
        "me ahogo en un vaso de agua con tanto papeleo, me ayudan con el formulario?",
    ],
)
def test_the_frames_still_set_aside_their_own(concepts, text):
    assert scan(concepts, text)[0] == set()  # a frame, or an idiom
