"""The support-category registry: how category apps plug into the core without the core importing
them.

Each category app (``billing_inquiries``, ``complaints``, …) registers one *support kind* from its
``AppConfig.ready()``::

    from cases.registry import SupportKindSpec, registry

    registry.register(
        SupportKindSpec(
            slug="billing",
            label="Billing and financial",
            detail_model=BillingInquiry,          # one-to-one with Case (cases.details.CaseDetail)
            serializer=BillingInquirySerializer,  # DRF serializer of the details
            admin_inline=BillingInquiryInline,    # shown on the Case admin page
            sample_details=sample_details,        # synthetic demo data (optional)
            escalation_route=escalation_route,    # its own escalation rule (optional)
        )
    )

Administrators then create any number of categories of that kind in the admin ("Payment plan
request", "Statement question", … are all *billing*). ``Category.kind`` takes its choices from the
registry, ``case_open`` validates and stores the details through it, and the Case admin shows the
kind's inline. docs/architecture/adding-a-support-category.md is the checklist.

A kind's own escalation rule lives in its app too: ``escalation_route(case, detail)`` returns an
``EscalationRoute`` (the kind of pathway, the urgency, why, and the SBAR to hand over) when a new
case of the kind needs a clinician or an officer, else ``None`` — a refill request with a clinical
question goes to a pharmacist (``prescription_refills.escalation``), a privacy complaint to the
privacy officer (``complaints.escalation``). ``escalations.detection`` asks the registry; it knows
no category.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

from cases.subjects import via_case
from compliance.audit import register_audited

if TYPE_CHECKING:
    from django.contrib.admin.options import InlineModelAdmin
    from rest_framework import serializers

    from cases.details import CaseDetail
    from cases.models import Case


@dataclass(frozen=True)
class EscalationRoute:
    """Where a new case of a kind must be escalated, and the handoff (SBAR) that goes with it.

    The values are ``escalations``' stored choices, named as strings because a category app sits
    below ``escalations`` and does not import it: ``pathway_kind`` one of ``PathwayKind``
    (``pharmacist``, ``privacy_officer``, …), ``urgency`` one of ``Urgency`` (``routine``,
    ``urgent``, ``emergent``), ``source`` one of ``Source`` (``clinical_refill``,
    ``privacy_complaint``). ``escalations.detection`` refuses any other value loudly. The texts are
    safe to show every recipient: no patient data beyond what the case page already shows them."""

    pathway_kind: str
    urgency: str
    source: str
    reason: str
    situation: str
    assessment: str
    recommendation: str


@dataclass(frozen=True)
class SupportKindSpec:
    slug: str
    label: str
    detail_model: type[CaseDetail] | None = None
    serializer: type[serializers.Serializer] | None = None
    admin_inline: type[InlineModelAdmin] | None = None
    # (rng, language) -> detail field values for the synthetic demo data
    sample_details: Callable[[random.Random, str], dict[str, Any]] | None = None
    description: str = ""
    # (case, its detail) -> where a new case of the kind is escalated, or None (see the module)
    escalation_route: Callable[[Case, Any], EscalationRoute | None] | None = None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z0-9_]{1,32}", self.slug or ""):
            raise ImproperlyConfigured(f"Support kind slug {self.slug!r}: 1-32 of [a-z0-9_].")
        if self.detail_model is not None and self.serializer is None:
            raise ImproperlyConfigured(f"Support kind {self.slug!r} has details but no serializer.")


class SupportKindRegistry:
    def __init__(self) -> None:
        self._specs: dict[str, SupportKindSpec] = {}

    def register(self, spec: SupportKindSpec) -> SupportKindSpec:
        existing = self._specs.get(spec.slug)
        if existing is not None and existing != spec:
            raise ImproperlyConfigured(f"Support kind {spec.slug!r} is already registered.")
        self._specs[spec.slug] = spec
        detail = getattr(spec, "detail_model", None)
        if detail is not None:
            # A kind's details are in the audit trail with their case as subject, from the moment
            # the kind is registered (its app's ready()).
            register_audited(detail, subject=via_case())
        return spec

    def unregister(self, slug: str) -> None:
        """For tests that register a throwaway kind."""
        self._specs.pop(slug, None)

    def get(self, slug: str) -> SupportKindSpec | None:
        return self._specs.get(slug)

    def __contains__(self, slug: object) -> bool:
        return slug in self._specs

    def __iter__(self) -> Iterator[SupportKindSpec]:
        return iter(sorted(self._specs.values(), key=lambda spec: spec.label))

    def slugs(self) -> list[str]:
        return [spec.slug for spec in self]

    def choices(self) -> list[tuple[str, str]]:
        return [(spec.slug, spec.label) for spec in self]

    def label(self, slug: str) -> str:
        spec = self._specs.get(slug)
        return spec.label if spec else slug


registry = SupportKindRegistry()


def support_kind_choices() -> list[tuple[str, str]]:
    """Choices of ``Category.kind`` (a callable, so new kinds need no migration of cases/)."""
    return registry.choices()
