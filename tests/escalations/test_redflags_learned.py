"""The learned second opinion (escalations/redflags/learned.py): it adds a flag the rules miss,
marked as the model's with the words that weighed most, stays quiet on benign idioms, never
removes a rule's flag, and is the same model on every training. The texts are new wording,
in no data file."""

from __future__ import annotations

import numpy as np
import pytest
from django.test import override_settings

from escalations.detection import _compiled, _concept_targets
from escalations.models import Escalation
from escalations.redflags import Matcher, concept_kinds, learned

TARGETS = {concept: concept for concept in concept_kinds()}
# Emergencies the rules (as of this commit) do not flag and the model does.
MODEL_ONLY = (
    ("my son drank something from under the sink and is drooling", "overdose_poisoning"),
    ("i wrote letters to everyone i love tonight", "suicide_self_harm"),
)
IDIOMS = (
    "these bills are killing me",
    "dying to know how the game ended",
    "le dio un ataque de risa en la boda",
    "my chest of drawers fell over",
)


@pytest.fixture(scope="module")
def rules():
    return Matcher(concepts=TARGETS)


@pytest.fixture(scope="module")
def model():
    return learned.default_model()


@pytest.mark.parametrize(("text", "concept"), MODEL_ONLY)
def test_the_model_flags_an_emergency_the_rules_miss(rules, text, concept):
    assert rules.find(text) == []
    (hit,) = learned.second_opinion([text], TARGETS)
    assert (hit.concept, hit.source, hit.target) == (concept, "model", concept)
    assert hit.negated is False and hit.across_messages is False
    assert hit.as_json()["source"] == "model"
    assert hit.phrase.startswith("model (")


@pytest.mark.parametrize("text", IDIOMS)
def test_the_model_stays_quiet_on_a_benign_idiom(model, text):
    assert model.predict(text).p_emergency < learned.THRESHOLD
    assert learned.second_opinion([text], TARGETS) == []


@pytest.mark.parametrize(("text", "_concept"), MODEL_ONLY)
def test_the_explanation_names_words_of_the_text(model, text, _concept):
    prediction = model.predict(text)
    assert prediction.words
    for item in prediction.words:
        for word in item.split("' + '"):
            assert word in learned.words(text)
    assert all(f"'{item}'" in prediction.explanation for item in prediction.words)
    # Function words are not named on their own.
    assert not {"and", "i", "the", "is"} & set(prediction.words)


@pytest.mark.parametrize(
    "text", ["new", "Started.", "respond", "4111111111111111, 5555555555554444 and 378282246310005"]
)
def test_too_few_words_are_left_to_the_rules(text):
    assert not learned.enough_words(text)
    assert learned.second_opinion([text], TARGETS) == []


def test_a_long_number_is_never_named(model):
    text = "he took 30 of my pills 4111111111111111"  # without the rule, the card is named
    prediction = model.predict(text)
    assert prediction.p_emergency >= learned.THRESHOLD
    assert not any(
        sum(c.isdigit() for c in item) > learned.MAX_DIGITS_NAMED for item in prediction.words
    )
    assert "4111" not in prediction.explanation and "'30'" in prediction.explanation


def test_a_rule_flag_carries_no_source_and_the_model_is_not_asked(rules):
    (hit,) = rules.find("since this morning I have chest pain")
    assert hit.source == "rules" and "source" not in hit.as_json()


def test_a_concept_without_a_target_is_dropped():
    text, concept = MODEL_ONLY[0]
    targets = {key: value for key, value in TARGETS.items() if key != concept}
    assert learned.second_opinion([text], targets) == []


def test_over_messages_it_speaks_when_the_new_text_completes_it_and_only_once(model):
    first, second = "i sat down tonight", "and wrote letters to everyone i love"
    assert model.predict(first).p_emergency < learned.THRESHOLD
    (hit,) = learned.second_opinion([first, second], TARGETS)
    assert hit.concept == "suicide_self_harm"
    # The second text holds it alone: not marked as read across messages.
    assert hit.across_messages is False
    # A later message with nothing new: the earlier texts already gave it, quiet as the rules.
    assert learned.second_opinion([first, second, "please call me back"], TARGETS) == []


def test_two_trainings_give_the_same_model(model):
    again = learned.train(learned.load_examples(learned.training_files()))
    assert np.array_equal(again._classifier.coef_, model._classifier.coef_)
    assert np.array_equal(again._classifier.intercept_, model._classifier.intercept_)
    for text, _ in MODEL_ONLY:
        assert again.predict(text) == model.predict(text)


def test_the_training_files_exist_and_cover_every_concept():
    paths = learned.training_files()
    assert paths and all(path.exists() for path in paths)
    labels = {label for _, label in learned.load_examples(paths)}
    assert labels == {*concept_kinds(), learned.NONE}


# --- in detection -------------------------------------------------------------------------------


@pytest.fixture
def _fresh_matcher():
    _compiled.cache_clear()
    _concept_targets.cache_clear()
    yield
    _compiled.cache_clear()
    _concept_targets.cache_clear()


@pytest.mark.django_db
@pytest.mark.usefixtures("_fresh_matcher")
def test_detection_escalates_a_model_flag_marked_as_the_models(esc_world):
    w = esc_world
    case = w.case(subject="Question", description=MODEL_ONLY[0][0])
    escalation = Escalation.objects.get(case=case)
    (flag,) = escalation.red_flags
    assert flag["source"] == "model" and flag["concept"] == "overdose_poisoning"
    assert flag["phrase"].startswith("model (")
    assert "Suggested by the learned model, not by a rule" in escalation.situation
    assert escalation.pathway == w.nurse_triage


@pytest.mark.django_db
@pytest.mark.usefixtures("_fresh_matcher")
def test_the_model_can_be_switched_off(esc_world):
    with override_settings(RED_FLAG_MODEL=False):
        case = esc_world.case(subject="Question", description=MODEL_ONLY[0][0])
    assert not Escalation.objects.filter(case=case).exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("_fresh_matcher")
def test_a_rule_flag_is_kept_as_it_was(esc_world):
    case = esc_world.case(subject="Question", description="Since this morning I have CHEST-PAIN!!")
    (flag,) = Escalation.objects.get(case=case).red_flags
    assert flag["phrase"] == "chest pain" and "source" not in flag


@pytest.mark.django_db
@pytest.mark.usefixtures("_fresh_matcher")
def test_a_model_that_cannot_train_leaves_the_rules_alone(esc_world, monkeypatch, caplog):
    def missing():
        raise FileNotFoundError("escalations/redflags/data/red_flag_blind.tsv")

    monkeypatch.setattr(learned, "default_model", missing)
    case = esc_world.case(subject="Question", description=MODEL_ONLY[0][0])
    assert not Escalation.objects.filter(case=case).exists()
    assert "red-flag model unavailable (FileNotFoundError): rules only" in caplog.text
    assert "sink" not in caplog.text
    chest = esc_world.case(subject="Question", description="Since this morning I have chest pain")
    assert Escalation.objects.filter(case=chest).exists()


def test_warm_up_trains_in_the_background_and_can_be_turned_off(monkeypatch, settings):
    trained = []
    monkeypatch.setattr(learned, "default_model", lambda: trained.append(True))
    settings.RED_FLAG_MODEL_WARM_UP = True
    thread = learned.warm_up()
    assert thread is not None and thread.daemon
    thread.join(timeout=10)
    assert trained == [True]
    settings.RED_FLAG_MODEL_WARM_UP = False
    assert learned.warm_up() is None
    settings.RED_FLAG_MODEL_WARM_UP, settings.RED_FLAG_MODEL = True, False
    assert learned.warm_up() is None
    assert trained == [True]


def test_a_warm_up_that_fails_is_logged_without_stopping_anything(monkeypatch, settings, caplog):
    def broken():
        raise FileNotFoundError("escalations/redflags/data/red_flag_blind.tsv")

    monkeypatch.setattr(learned, "default_model", broken)
    settings.RED_FLAG_MODEL_WARM_UP = True
    learned.warm_up().join(timeout=10)
    assert "could not be trained" in caplog.text
