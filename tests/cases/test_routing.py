"""Routing of new cases (``cases.routing.route`` through ``case_open``): rules in order, first
match wins, the default rule last; then language routing to a queue serving the case's language.

The ``category`` fixture is of kind general_information (no details) and routes to the ``queue``
fixture ("Billing", serving English). Every deployment has the default rule from migration 0005.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases import services
from cases.choices import Channel, Language, Priority
from cases.models import Queue, QueueKind, RoutingRule
from tests.factories import CategoryFactory, QueueFactory, make_patient

pytestmark = pytest.mark.django_db

SPANISH = Language("es").label
BILLING_DETAILS = {"inquiry_type": "statement_question"}


def open_case(actor, category, *, speaks="en", interpreter=False, **overrides):
    """Open a case for a new patient who ``speaks`` a language; ``overrides`` go to case_open."""
    arguments = {
        "actor": actor,
        "patient": make_patient(actor, preferred_language=speaks, interpreter_needed=interpreter),
        "category": category,
        "subject": "Directions",
        "description": "How do I get to the clinic?",
        "channel": Channel.VOICE,
    }
    if category.kind == "billing":
        arguments["details"] = BILLING_DETAILS
    arguments.update(overrides)
    return services.case_open(**arguments)


def opened_body(case) -> str:
    return case.events.get(kind="opened").body


def default_rule() -> RoutingRule:
    return RoutingRule.objects.get(is_default=True)


@pytest.fixture
def target(db):
    return QueueFactory(name="Rule target", slug="rule-target")


# --- the default rule ----------------------------------------------------------------------------


def test_the_default_rule_exists_after_migrate():
    rule = default_rule()
    assert rule.active is True
    assert rule.target_queue is None
    assert rule.set_priority is None
    conditions = (
        rule.category_id,
        rule.kind,
        rule.language,
        rule.channel,
        rule.min_priority,
        rule.interpreter_needed,
    )
    assert conditions == (None, "", "", "", None, None)
    assert RoutingRule.objects.count() == 1


def test_without_other_rules_a_case_goes_to_its_category_queue(actor, category, queue):
    case = open_case(actor, category)
    assert case.queue == queue
    assert case.priority == Priority.NORMAL
    assert (
        f"routed to Billing (category default queue, rule “{default_rule().name}”)"
        in opened_body(case)
    )


def test_there_is_only_one_default_rule():
    with pytest.raises(IntegrityError), transaction.atomic():
        RoutingRule.objects.create(name="Another default", is_default=True)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("active", False),
        ("kind", "general_information"),
        ("language", "es"),
        ("channel", "chat"),
        ("min_priority", Priority.HIGH),
        ("interpreter_needed", True),
        ("interpreter_needed", False),
    ],
)
def test_the_default_rule_stays_active_and_unconditional(field, value):
    rule = default_rule()
    setattr(rule, field, value)
    with pytest.raises(ValidationError, match="default rule catches every case"):
        rule.clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoutingRule.objects.filter(pk=rule.pk).update(**{field: value})
    rule.refresh_from_db()
    assert getattr(rule, field) != value


def test_the_default_rule_cannot_be_limited_to_a_category(category):
    rule = default_rule()
    rule.category = category
    with pytest.raises(ValidationError):
        rule.clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoutingRule.objects.filter(pk=rule.pk).update(category=category)


def test_the_default_rule_may_have_a_target_and_raise_priority(actor, category, target):
    # Not a condition: the default may send everything unmatched elsewhere.
    RoutingRule.objects.filter(is_default=True).update(target_queue=target, set_priority=30)
    case = open_case(actor, category)
    assert (case.queue, case.priority) == (target, Priority.HIGH)


def test_rule_clean_refuses_a_kind_other_than_the_categorys_and_an_inactive_target(category):
    rule = RoutingRule(name="Mismatch", category=category, kind="billing")
    with pytest.raises(ValidationError) as excinfo:
        rule.clean()
    assert "kind" in excinfo.value.message_dict
    closed = QueueFactory(active=False)
    rule = RoutingRule(name="Closed", target_queue=closed)
    with pytest.raises(ValidationError) as excinfo:
        rule.clean()
    assert "target_queue" in excinfo.value.message_dict


# --- order -------------------------------------------------------------------------------------


def test_rules_run_by_order_then_id_and_the_first_match_wins(actor, category):
    later = QueueFactory(name="Later")
    first = QueueFactory(name="First")
    tie_second = QueueFactory(name="Tie second")
    RoutingRule.objects.create(name="Order 20", order=20, channel="voice", target_queue=later)
    RoutingRule.objects.create(name="Order 10 chat", order=10, channel="chat", target_queue=later)
    RoutingRule.objects.create(name="Order 15 (a)", order=15, channel="voice", target_queue=first)
    RoutingRule.objects.create(
        name="Order 15 (b)", order=15, channel="voice", target_queue=tie_second
    )
    case = open_case(actor, category)
    assert case.queue == first
    assert "by rule “Order 15 (a)”" in opened_body(case)


def test_the_default_rule_runs_last_even_with_a_smaller_order(actor, category, target):
    RoutingRule.objects.filter(is_default=True).update(order=0)
    RoutingRule.objects.create(name="Voice", order=500, channel="voice", target_queue=target)
    assert open_case(actor, category).queue == target


def test_inactive_rules_are_skipped(actor, category, queue, target):
    RoutingRule.objects.create(name="Off", order=1, active=False, target_queue=target)
    assert open_case(actor, category).queue == queue


def test_a_rule_whose_target_queue_is_inactive_is_skipped(actor, category, queue, target):
    fallback = QueueFactory(name="Fallback")
    RoutingRule.objects.create(name="To target", order=1, target_queue=target, set_priority=40)
    RoutingRule.objects.create(name="To fallback", order=2, target_queue=fallback)
    Queue.objects.filter(pk=target.pk).update(active=False)
    case = open_case(actor, category)
    assert case.queue == fallback
    assert case.priority == Priority.NORMAL  # the skipped rule's priority does not apply
    assert "by rule “To fallback”" in opened_body(case)


# --- conditions ----------------------------------------------------------------------------------

CONDITIONS = [
    # (rule conditions, case arguments that match, case arguments that do not)
    pytest.param({"channel": "chat"}, {"channel": "chat"}, {"channel": "voice"}, id="channel"),
    pytest.param({"language": "es"}, {"speaks": "es"}, {"speaks": "en"}, id="language"),
    pytest.param(
        {"min_priority": Priority.HIGH},
        {"priority": Priority.HIGH},
        {"priority": Priority.NORMAL},
        id="min-priority-equal",
    ),
    pytest.param(
        {"min_priority": Priority.HIGH},
        {"priority": Priority.URGENT},
        {"priority": Priority.LOW},
        id="min-priority-above",
    ),
    pytest.param(
        {"interpreter_needed": True},
        {"interpreter": True},
        {"interpreter": False},
        id="interpreter-yes",
    ),
    pytest.param(
        {"interpreter_needed": False},
        {"interpreter": False},
        {"interpreter": True},
        id="interpreter-no",
    ),
    pytest.param(
        {"channel": "chat", "language": "es"},
        {"channel": "chat", "speaks": "es"},
        {"channel": "chat", "speaks": "en"},
        id="all-conditions-must-hold",
    ),
]


@pytest.mark.parametrize(("conditions", "matching", "other"), CONDITIONS)
def test_each_condition_matches_and_fails(
    actor, category, queue, target, conditions, matching, other
):
    queue.languages.create(language="es")  # keep language routing out of the way
    RoutingRule.objects.create(name="Rule", order=1, target_queue=target, **conditions)
    assert open_case(actor, category, **matching).queue == target
    assert open_case(actor, category, **other).queue == queue


def test_category_condition(actor, category, queue, target):
    other = CategoryFactory(default_queue=queue)
    RoutingRule.objects.create(name="Rule", order=1, category=category, target_queue=target)
    assert open_case(actor, category).queue == target
    assert open_case(actor, other).queue == queue


def test_kind_condition(actor, category, queue, target):
    billing = CategoryFactory(kind="billing", default_queue=queue)
    RoutingRule.objects.create(name="Rule", order=1, kind="billing", target_queue=target)
    assert open_case(actor, billing).queue == target
    assert open_case(actor, category).queue == queue


def test_the_language_condition_uses_an_explicit_case_language(actor, category, queue, target):
    queue.languages.create(language="es")
    RoutingRule.objects.create(name="Rule", order=1, language="es", target_queue=target)
    # the patient prefers English but the contact is in Spanish
    assert open_case(actor, category, speaks="en", language="es").queue == target
    assert open_case(actor, category, speaks="es", language="en").queue == queue


def test_interpreter_needed_on_the_patient_drives_a_rule(actor, category, queue):
    interpreters = QueueFactory(name="Interpreter services")
    RoutingRule.objects.create(
        name="Needs an interpreter", order=1, interpreter_needed=True, target_queue=interpreters
    )
    case = open_case(actor, category, interpreter=True)
    assert case.queue == interpreters
    assert "routed to Interpreter services by rule “Needs an interpreter”" in opened_body(case)
    assert open_case(actor, category, interpreter=False).queue == queue


# --- priority ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (Priority.LOW, Priority.HIGH),
        (Priority.NORMAL, Priority.HIGH),
        (Priority.HIGH, Priority.HIGH),
        (Priority.URGENT, Priority.URGENT),
    ],
)
def test_set_priority_raises_but_never_lowers(actor, category, queue, given, expected):
    RoutingRule.objects.create(name="Chat", order=1, channel="chat", set_priority=Priority.HIGH)
    case = open_case(actor, category, channel="chat", priority=given)
    assert case.priority == expected
    assert case.queue == queue  # no target: the category's queue


def test_set_priority_raises_the_category_default_priority(actor, queue):
    category = CategoryFactory(default_queue=queue, default_priority=Priority.LOW)
    RoutingRule.objects.create(name="Everything", order=1, set_priority=Priority.URGENT)
    assert open_case(actor, category).priority == Priority.URGENT


def test_an_explicit_queue_bypasses_the_rules(actor, category, target):
    chosen = QueueFactory(name="Chosen at intake")
    RoutingRule.objects.create(name="All", order=1, target_queue=target, set_priority=40)
    case = open_case(actor, category, speaks="es", queue=chosen)
    assert case.queue == chosen
    assert case.priority == Priority.NORMAL
    body = opened_body(case)
    assert "routed to Chosen at intake (queue chosen at intake)" in body
    assert "rule" not in body
    assert "speaker" not in body


# --- language routing ----------------------------------------------------------------------------


@pytest.fixture
def spanish_queues(db):
    """Queues serving Spanish, named so that the one to pick is never first by name."""
    billing_only = QueueFactory(name="A billing only (es)", languages=["es"])
    QueueKind.objects.create(queue=billing_only, kind="billing")
    inactive = QueueFactory(name="A inactive (es)", languages=["es"], active=False)
    QueueKind.objects.create(queue=inactive, kind="general_information")
    generalist = QueueFactory(name="B generalist (es)", languages=["es", "en"])
    specialist = QueueFactory(name="Z wayfinding (es)", languages=["es"])
    QueueKind.objects.create(queue=specialist, kind="general_information")
    QueueKind.objects.create(queue=specialist, kind="billing")
    return {
        "billing_only": billing_only,
        "inactive": inactive,
        "generalist": generalist,
        "specialist": specialist,
    }


def test_a_spanish_speaker_goes_to_a_queue_for_the_kind(actor, category, spanish_queues):
    case = open_case(actor, category, speaks="es")
    assert case.queue == spanish_queues["specialist"]
    assert case.language == "es"
    rule = default_rule().name
    assert opened_body(case) == (
        f"Opened via Voice; routed to Billing (category default queue, rule “{rule}”); "
        f"{SPANISH} speaker → Z wayfinding (es), a queue serving {SPANISH}; "
        "no SLA policy applies."
    )


def test_a_generalist_queue_comes_next(actor, category, spanish_queues):
    spanish_queues["specialist"].kinds.all().delete()
    case = open_case(actor, category, speaks="es")
    # both are generalists now: ties by name
    assert case.queue == spanish_queues["generalist"]


def test_a_specialist_for_another_kind_wins_for_that_kind(actor, queue, spanish_queues):
    billing = CategoryFactory(kind="billing", default_queue=queue)
    spanish_queues["specialist"].kinds.filter(kind="billing").delete()
    case = open_case(actor, billing, speaks="es")
    assert case.queue == spanish_queues["billing_only"]


def test_queues_for_other_kinds_only_and_inactive_queues_are_ignored(
    actor, category, queue, spanish_queues
):
    Queue.objects.filter(
        pk__in=[spanish_queues["generalist"].pk, spanish_queues["specialist"].pk]
    ).update(active=False)
    case = open_case(actor, category, speaks="es")
    assert case.queue == queue
    assert opened_body(case).endswith(
        f"; no active queue serves {SPANISH}: interpreter support needed; no SLA policy applies."
    )


def test_stays_put_when_no_queue_serves_the_language(actor, category, queue):
    case = open_case(actor, category, speaks="vi")
    assert case.queue == queue
    assert "no active queue serves Vietnamese: interpreter support needed" in opened_body(case)


def test_a_default_queue_serving_the_language_keeps_the_case(
    actor, category, queue, spanish_queues
):
    queue.languages.create(language="es")
    case = open_case(actor, category, speaks="es")
    assert case.queue == queue
    assert "speaker" not in opened_body(case)
    assert "interpreter" not in opened_body(case)


def test_a_queue_with_no_languages_serves_english(actor, spanish_queues):
    plain = Queue.objects.create(name="Plain", slug="plain")
    category = CategoryFactory(default_queue=plain)
    english = open_case(actor, category, speaks="en")
    assert english.queue == plain
    assert "speaker" not in opened_body(english)
    spanish = open_case(actor, category, speaks="es")
    assert spanish.queue == spanish_queues["specialist"]


def test_an_english_speaker_can_be_routed_to_a_queue_with_no_languages(actor):
    spanish_only = QueueFactory(name="Spanish only", languages=["es"])
    plain = Queue.objects.create(name="Plain", slug="plain")
    category = CategoryFactory(default_queue=spanish_only)
    case = open_case(actor, category, speaks="en")
    assert case.queue == plain


def test_an_english_speaker_leaves_a_spanish_only_queue(actor, queue):
    spanish_only = QueueFactory(name="Spanish only", languages=["es"])
    category = CategoryFactory(default_queue=spanish_only)
    case = open_case(actor, category, speaks="en")
    assert case.queue == queue  # "Billing" serves English (and is a generalist)
    assert "English speaker → Billing, a queue serving English" in opened_body(case)


def test_explicit_rule_targets_are_not_overridden_by_language(actor, category, target):
    RoutingRule.objects.create(name="Voice", order=1, channel="voice", target_queue=target)
    QueueFactory(name="Spanish", languages=["es"])
    case = open_case(actor, category, speaks="es")
    assert case.queue == target
    body = opened_body(case)
    assert "routed to Rule target by rule “Voice”" in body
    assert "speaker" not in body
    assert "interpreter" not in body


def test_a_rule_without_target_is_followed_by_language_routing(actor, category, spanish_queues):
    RoutingRule.objects.create(name="Voice is high", order=1, channel="voice", set_priority=30)
    case = open_case(actor, category, speaks="es")
    assert case.queue == spanish_queues["specialist"]
    assert case.priority == Priority.HIGH
    body = opened_body(case)
    assert "routed to Billing (category default queue, rule “Voice is high”)" in body
    assert f"{SPANISH} speaker → Z wayfinding (es)" in body
