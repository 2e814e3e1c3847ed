"""Escalations nobody has to remember to open (docs/architecture/escalations.md, "Detection").

``on_case_event`` is subscribed to ``cases.events.case_hooks``: it runs inside the transaction of
the service that recorded the patient's words, so the escalation commits — or rolls back — with
them, and before the change is announced:

* every inbound text — a new case's subject and description (``case.opened``), a message from
  the patient (``case.message_added`` of an ``inbound`` event) — is scanned for red flags
  (``escalations.redflags``) together with the case's other inbound texts of the last 24 hours
  (one query), so a flag split over two messages is found once, when its second half arrives:
  a hit opens an **emergent** escalation to the concept's (or configured phrase's) pathway,
  which raises the case to Urgent and puts the emergency script on the case page. When no
  rule fires, the learned second opinion (``escalations.redflags.learned``, unless the setting
  ``RED_FLAG_MODEL`` is False) may add one flag, marked as the model's, with the words that
  weighed most; it never replaces or removes a rule's flag;
* a new case of a kind whose app registered an escalation rule (``SupportKindSpec
  .escalation_route`` in ``cases.registry``) goes where the rule says: a refill request with a
  clinical question to the pharmacist pathway (``prescription_refills.escalation``), a privacy
  complaint to the privacy officer pathway (``complaints.escalation``). This module asks the
  registry and knows no category.

The automatic rules pick a pathway by kind: the first active one (``EscalationPathway.objects
.for_kind``). A red flag with no active pathway to take it still raises the case to Urgent and
writes a timeline event saying so, and logs an error (ids only): it is never silent.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from cases.choices import EventKind
from cases.events import CaseEventName, publish_case_event
from cases.models import CaseEvent
from cases.sla_changes import SLA_FIELDS
from escalations.choices import PathwayKind, Source, Urgency
from escalations.models import EscalationPathway
from escalations.redflags import Hit, Matcher, concept_kinds, learned

if TYPE_CHECKING:
    from cases.models import Case

logger = logging.getLogger(__name__)

EMERGENCY_ASSESSMENT = (
    "Detected automatically in the patient's own words; not yet assessed by a person. Treat it "
    "as an emergency until a clinician has spoken to the patient."
)
EMERGENCY_RECOMMENDATION = (
    "Call the patient now. If they may be in danger, tell them to call 911 (or the 988 Suicide "
    "& Crisis Lifeline for thoughts of suicide or self-harm) and stay on the line until help is "
    "there."
)


#: How far back a new message is read together with the case's earlier inbound texts, and at
#: most how many of them and how many characters (the newest kept): a flag split over messages
#: is written within minutes, and the scan stays bounded whatever the case's history.
LOOK_BACK = timedelta(hours=24)
LOOK_BACK_TEXTS = 10
LOOK_BACK_CHARACTERS = 20_000


def on_case_event(case: Case, name: str, event: CaseEvent | None) -> None:
    if name == CaseEventName.OPENED:
        _red_flags(case, [f"{case.subject}\n{case.description}"], where="the new case")
        _category_rules(case)
    elif (
        name == CaseEventName.MESSAGE_ADDED
        and event is not None
        and event.kind == EventKind.INBOUND
    ):
        if not event.body or not event.body.strip():
            return
        _red_flags(
            case, [*_earlier_texts(case, event), event.body], where="a message from the patient"
        )


def _earlier_texts(case: Case, event: CaseEvent) -> list[str]:
    """The case's inbound texts of the last 24 hours before ``event``, oldest first: the new
    case's subject and description (when the case is that recent) and the patient's earlier
    messages. One query."""
    since = (event.created_at or timezone.now()) - LOOK_BACK
    bodies = list(
        CaseEvent.objects.filter(case=case, kind=EventKind.INBOUND, created_at__gte=since)
        .exclude(pk=event.pk)
        .order_by("-created_at", "-pk")
        .values_list("body", flat=True)[:LOOK_BACK_TEXTS]
    )
    if case.created_at and case.created_at >= since and len(bodies) < LOOK_BACK_TEXTS:
        bodies.append(f"{case.subject}\n{case.description}")
    kept: list[str] = []
    budget = LOOK_BACK_CHARACTERS
    for body in bodies:  # newest first
        if budget <= 0:
            break
        kept.append(body[-budget:])
        budget -= len(body)
    kept.reverse()
    return kept


# --- red flags ----------------------------------------------------------------------------------


def _configuration() -> tuple[tuple, tuple]:
    """The red flags in force: each active pathway's configured phrases (target: its id) and
    the built-in concepts, each for the first active pathway of its kind that uses them. One
    query (active pathways LEFT JOIN their phrases); the compiled matcher is cached per
    distinct configuration."""
    rows = (
        EscalationPathway.objects.active()
        .order_by("pk", "red_flag_phrases__pk")
        .values_list(
            "pk",
            "kind",
            "use_default_red_flags",
            "red_flag_phrases__phrase",
            "red_flag_phrases__language",
            "red_flag_phrases__active",
        )
    )
    pathways: dict[int, tuple] = {}
    configured = []
    for pk, kind, use_defaults, phrase, language, active in rows:
        pathways.setdefault(pk, (pk, kind, use_defaults))
        if phrase and active:
            configured.append((phrase, pk, language))
    return tuple(pathways.values()), tuple(configured)


def _matcher() -> Matcher:
    return _compiled(*_configuration())


@lru_cache(maxsize=8)
def _compiled(pathways: tuple, configured: tuple) -> Matcher:
    return Matcher(configured, concepts=_concept_targets(pathways))


@lru_cache(maxsize=8)
def _concept_targets(pathways: tuple) -> dict[str, Hashable]:
    """Built-in concept id → its target: the first active pathway of its kind that uses the
    built-in concepts, ``"unrouted:<kind>"`` when no active pathway has the kind; a kind whose
    pathways all opted out has no target (their configured phrases count)."""
    first_of_kind: dict[str, int] = {}
    kinds_configured = set()
    for pk, kind, use_defaults in pathways:
        kinds_configured.add(kind)
        if use_defaults:
            first_of_kind.setdefault(kind, pk)
    targets: dict[str, Hashable] = {}
    for concept, kind in concept_kinds().items():
        if kind in first_of_kind:
            targets[concept] = first_of_kind[kind]
        elif kind not in kinds_configured:
            # No active pathway of the kind at all: the built-in concepts still count. They
            # raise the case and say that nobody takes them (never silent).
            targets[concept] = f"unrouted:{kind}"
        # else: the kind's pathways opted out of the built-in concepts (their phrases count).
    return targets


def _red_flags(case: Case, texts: list[str], *, where: str) -> None:
    if not texts or not texts[-1] or not texts[-1].strip():
        return
    pathways, configured = _configuration()
    hits = _compiled(pathways, configured).find_in_messages(texts)
    if not hits and getattr(settings, "RED_FLAG_MODEL", True):
        # The rules are silent: the learned second opinion may add one flag (never removes one).
        try:
            hits = learned.second_opinion(texts, _concept_targets(pathways))
        except Exception as error:  # the model must never stop the patient's words
            # Its training files missing from a deployment, scikit-learn absent …: the rules
            # alone, as before, and an error (no text: PHI).
            logger.error("red-flag model unavailable (%s): rules only", type(error).__name__)
            hits = []
    if not hits:
        return
    by_target: dict[Hashable, list[Hit]] = {}
    for hit in hits:
        by_target.setdefault(hit.target, []).append(hit)
    for target, found in by_target.items():
        if isinstance(target, str):  # no active pathway of the kind
            _unrouted(case, target.removeprefix("unrouted:"), found, where)
            continue
        pathway = EscalationPathway.objects.select_related("calendar").get(pk=target)
        _escalate(
            case,
            pathway,
            urgency=Urgency.EMERGENT,
            source=Source.RED_FLAG,
            reason=f"Red flag in {where}: " + _summary(found),
            situation=_situation(found, where),
            red_flags=[hit.as_json() for hit in found],
            assessment=EMERGENCY_ASSESSMENT,
            recommendation=EMERGENCY_RECOMMENDATION,
        )


def _summary(hits: list[Hit]) -> str:
    """``Chest pain / heart attack (“hurts … chest”), Stroke (“face … drooping”)``."""
    return ", ".join(
        f"“{hit.phrase}”" if hit.concept == "phrase" else f"{hit.label} (“{hit.phrase}”)"
        for hit in hits
    )


def _situation(hits: list[Hit], where: str) -> str:
    """Why it fired, for the clinician: each concept and the patient's words that matched."""
    text = f"Red flag in {where}: {_summary(hits)}."
    across = [hit for hit in hits if hit.across_messages]
    if across:
        text += (
            " Read together with the patient's earlier messages of the last 24 hours: "
            + ", ".join(f"“{hit.phrase}”" for hit in across)
            + " spans more than one message."
        )
    model = [hit for hit in hits if hit.source == learned.SOURCE]
    if model:
        text += (
            " Suggested by the learned model, not by a rule (no rule fired): "
            + ", ".join(
                f"{hit.label} from the words {hit.phrase.partition(': ')[2]}" for hit in model
            )
            + ". A clinician judges whether it is one."
        )
    typos = [hit for hit in hits if hit.typo]
    if typos:
        text += (
            " Matched despite a spelling slip: " + ", ".join(f"“{h.phrase}”" for h in typos) + "."
        )
    negated = [hit.phrase for hit in hits if hit.negated]
    if negated:
        text += (
            " The patient may have denied "
            + ", ".join(f"“{p}”" for p in negated)
            + " (may be negated: a negation came just before): confirm with them — it still "
            "counts as a red flag."
        )
    return text


def _unrouted(case: Case, kind: str, hits: list[Hit], where: str) -> None:
    from accounts.services import system_user
    from cases.services import lock_case
    from escalations.services import raise_priority

    actor = system_user()
    locked = lock_case(case)
    label = PathwayKind(kind).label if kind in PathwayKind.values else kind
    changed = raise_priority(
        locked, Urgency.EMERGENT, actor, because="Raised for a red flag no pathway takes."
    )
    if changed:
        locked._history_user = actor
        locked.save(update_fields=[*changed, "updated_at"])
        for name in changed:  # the priority and the SLA fields that follow it (issue 15)
            setattr(case, name, getattr(locked, name))
    timeline = CaseEvent.objects.create(
        case=locked,
        kind=EventKind.RED_FLAG_UNROUTED,
        actor=actor,
        new_value=label[:200],
        body=f"Red flag in {where} ("
        + _summary(hits)
        + f"), but no active {label} escalation pathway takes it: escalate by hand now, and "
        "ask an administrator to configure one.",
    )
    logger.error("case %s: red flag with no active %s pathway", case.pk, kind)
    # The case page's banner refreshes on this announcement (console live.js).
    publish_case_event(locked, CaseEventName.ESCALATED, event=timeline)


# --- category rules -----------------------------------------------------------------------------


def _category_rules(case: Case) -> None:
    """The new case's kind's own escalation rule, asked through the registry (``cases.registry``:
    each category app registers its ``escalation_route``); this module knows no category."""
    from cases.registry import registry

    spec = registry.get(case.category.kind)
    if spec is None or spec.escalation_route is None:
        return
    from cases.details import detail_for

    detail = _cached_detail(case) or detail_for(case)
    if detail is None:
        return
    route = spec.escalation_route(case, detail)
    if route is None:
        return
    _escalate_to_kind(
        case,
        PathwayKind(route.pathway_kind),  # a value not among the choices is a programming error
        urgency=Urgency(route.urgency),
        source=Source(route.source),
        reason=route.reason,
        situation=route.situation,
        assessment=route.assessment,
        recommendation=route.recommendation,
    )


def _cached_detail(case: Case):
    """The detail ``case_open`` just saved, from the case's reverse cache (no query)."""
    from cases.registry import registry

    spec = registry.get(case.category.kind)
    if spec is None or spec.detail_model is None:
        return None
    accessor = spec.detail_model._meta.get_field("case").remote_field.get_accessor_name()
    return case._state.fields_cache.get(accessor)


def _escalate_to_kind(case: Case, kind: str, **options) -> None:
    pathway = EscalationPathway.objects.for_kind(kind)
    if pathway is None:
        logger.warning("case %s: no active %s pathway for an automatic escalation", case.pk, kind)
        return
    _escalate(case, pathway, **options)


def _escalate(
    case: Case,
    pathway: EscalationPathway,
    *,
    urgency: str,
    source: str,
    reason: str,
    situation: str,
    assessment: str,
    recommendation: str,
    red_flags: list[dict] | None = None,
) -> None:
    from accounts.services import system_user
    from escalations.services import escalate_automatically

    background = (
        f"Case {case.reference}: {case.category.name}, via {case.get_channel_display()}, "
        f"language {case.get_language_display()}."
    )
    escalation = escalate_automatically(
        actor=system_user(),
        case=case,
        pathway=pathway,
        urgency=urgency,
        source=source,
        reason=reason,
        sbar={
            "situation": situation,
            "background": background,
            "assessment": assessment,
            "recommendation": recommendation,
        },
        red_flags=red_flags,
    )
    if escalation is not None:
        # The caller's instance announces the change next: it must carry the raised priority
        # and the SLA due times that follow it (cases.sla_changes, issue 15).
        for name in ("priority", *SLA_FIELDS):
            setattr(case, name, getattr(escalation.case, name))
