"""Where a new case goes: routing rules first (first match wins), then language.

1. Active rules in order (the default rule last). The first whose conditions all hold decides the
   queue (its target, or the category's default queue) and may raise the priority.
2. Language: when the decision is the category's default queue (no explicit target) and that queue
   does not serve the case's language, the case goes to an active queue that does — one that
   handles the case's kind first, a generalist queue (no kinds listed) next; ties by name. When no
   queue serves the language the case stays put and the timeline says so.

A queue with no languages listed is taken to serve the deployment's default language (English).
The decision is written on the case's timeline by ``case_open``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from cases.choices import Language
from cases.models import Category, Queue, QueueKind, QueueLanguage, RoutingRule


@dataclass(frozen=True)
class RoutingDecision:
    queue: Queue
    priority: int
    rule: RoutingRule | None
    explanation: str


def serves_language(queue: Queue, language: str) -> bool:
    served = set(QueueLanguage.objects.filter(queue=queue).values_list("language", flat=True))
    return language in served if served else language == settings.LANGUAGE_CODE


def queue_for_language(*, language: str, kind: str) -> Queue | None:
    handles_kind = QueueKind.objects.filter(queue=OuterRef("pk"), kind=kind)
    handles_any = QueueKind.objects.filter(queue=OuterRef("pk"))
    serves = Exists(QueueLanguage.objects.filter(queue=OuterRef("pk"), language=language))
    if language == settings.LANGUAGE_CODE:  # a queue with no languages listed serves English
        serves = serves | ~Exists(QueueLanguage.objects.filter(queue=OuterRef("pk")))
    candidates = (
        Queue.objects.filter(serves, active=True)
        .annotate(for_kind=Exists(handles_kind), specialised=Exists(handles_any))
        .filter(Q(for_kind=True) | Q(specialised=False))
        .order_by("-for_kind", "name")
    )
    return next(iter(candidates[:1]), None)


def route(
    *, category: Category, language: str, channel: str, priority: int, interpreter: bool
) -> RoutingDecision:
    rules = RoutingRule.objects.filter(active=True).select_related("target_queue")
    rule = next(
        (
            candidate
            for candidate in rules
            if (candidate.target_queue is None or candidate.target_queue.active)
            and candidate.matches(
                category=category,
                language=language,
                channel=channel,
                priority=priority,
                interpreter=interpreter,
            )
        ),
        None,
    )
    if rule is not None and rule.set_priority is not None:
        priority = max(priority, rule.set_priority)
    if rule is not None and rule.target_queue is not None:
        return RoutingDecision(
            rule.target_queue,
            priority,
            rule,
            f"routed to {rule.target_queue.name} by rule “{rule.name}”",
        )
    queue = category.default_queue
    by = f"rule “{rule.name}”" if rule is not None else "the category default"
    explanation = f"routed to {queue.name} (category default queue, {by})"
    if not serves_language(queue, language):
        label = Language(language).label if language in Language.values else language
        other = queue_for_language(language=language, kind=category.kind)
        if other is not None:
            queue = other
            explanation += f"; {label} speaker → {other.name}, a queue serving {label}"
        else:
            explanation += f"; no active queue serves {label}: interpreter support needed"
    return RoutingDecision(queue, priority, rule, explanation)
