"""Minimum necessary, per field (45 CFR 164.502(b), 164.514(d)): which fields of Patient, Case,
CaseEvent and the category details each role sees, and which it sees masked.

``restrict()`` decides which *rows* a user reaches; this module decides which *fields* of a row
reach them. It is declared once here and enforced server-side by every output: DRF serializers
(``MinimumNecessaryMixin``) and the admin (``cases.admin``) both call ``field_view``; a hidden
field is not in the response at all, a masked one shows only its last four characters.

A person in several role groups gets, per field, the most open of their roles' rules. A superuser
is no exception (issue 17): they see what their roles see, nothing without one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from accounts.models import User
from accounts.roles import Role
from cases.models import Patient

FULL = "full"
LAST4 = "last4"
HIDDEN = "hidden"
_OPENNESS = {HIDDEN: 0, LAST4: 1, FULL: 2}
ALL = "__all__"  # every field of the model

PATIENT = "cases.patient"
CASE = "cases.case"
EVENT = "cases.caseevent"
DETAILS = "details"  # every category detail model, unless a model label is listed

_PATIENT_CONTACT = dict.fromkeys(("id", *Patient.INPUT_FIELDS, "sensitivity"), FULL)
# A record flagged at intake and the one it collided with: for who reconciles them only.
_RECONCILIATION = dict.fromkeys(("reconciliation", "reconcile_with", "submitted_mrn"), FULL)
_CASE_WORK = {ALL: FULL}
_EVENT_WORK = {ALL: FULL}

POLICY: dict[str, dict[str, dict[str, str]]] = {
    Role.AGENT: {
        PATIENT: _PATIENT_CONTACT,
        CASE: _CASE_WORK,
        EVENT: _EVENT_WORK,
        DETAILS: {ALL: FULL},
    },
    Role.SUPERVISOR: {
        PATIENT: {**_PATIENT_CONTACT, **_RECONCILIATION},
        CASE: _CASE_WORK,
        EVENT: _EVENT_WORK,
        DETAILS: {ALL: FULL},
    },
    # Portal and technology support: identity and contact, not the insurance identifiers beyond
    # what confirms them.
    Role.PORTAL_SUPPORT_AGENT: {
        PATIENT: _PATIENT_CONTACT,
        CASE: _CASE_WORK,
        EVENT: _EVENT_WORK,
        DETAILS: {ALL: FULL},
        "insurance_coverage.insuranceinquiry": {
            ALL: FULL,
            "member_id": LAST4,
            "group_number": LAST4,
            "claim_number": LAST4,
            "prior_authorization_number": LAST4,
        },
        "billing_inquiries.billinginquiry": {ALL: FULL, "account_number": LAST4},
    },
    Role.COMPLIANCE_OFFICER: {
        PATIENT: {ALL: FULL},
        CASE: {ALL: FULL},
        EVENT: {ALL: FULL},
        DETAILS: {ALL: FULL},
    },
    # Configures the system; reaches cases only through queue grants.
    Role.ADMINISTRATOR: {
        PATIENT: {
            "id": FULL,
            "mrn": LAST4,
            "given_name": FULL,
            "family_name": FULL,
            **_RECONCILIATION,
            "submitted_mrn": LAST4,
        },
        CASE: _CASE_WORK,
        EVENT: {ALL: FULL, "body": HIDDEN},
        DETAILS: {},
    },
    # A partner sees what it needs to follow the cases it submitted: no internal routing, no
    # staff names, no internal notes (restrict() already drops those events), no contact data.
    Role.PARTNER_SYSTEM: {
        PATIENT: {
            "id": FULL,
            "mrn": FULL,
            "given_name": FULL,
            "family_name": FULL,
            "date_of_birth": FULL,
            "preferred_language": FULL,
        },
        CASE: {
            name: FULL
            for name in (
                "id",
                "reference",
                "patient",
                "category",
                "channel",
                "status",
                "priority",
                "subject",
                "description",
                "language",
                "source_organisation",
                "external_reference",
                "first_response_at",
                "resolved_at",
                "closed_at",
                "created_at",
                "updated_at",
            )
        },
        EVENT: {"id": FULL, "case": FULL, "kind": FULL, "body": FULL, "created_at": FULL},
        DETAILS: {ALL: FULL},
    },
}


def roles_of(user) -> frozenset[str]:
    """The policy roles of ``user`` (cached on the user object for the request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_minimum_necessary_roles", None)
    if cached is not None:
        return cached
    if getattr(user, "kind", User.Kind.PERSON) == User.Kind.SERVICE:
        roles = frozenset({Role.PARTNER_SYSTEM})
    else:
        roles = frozenset(user.groups.filter(name__in=POLICY).values_list("name", flat=True))
    user._minimum_necessary_roles = roles
    return roles


def _rules(user, model_label: str) -> list[dict[str, str]]:
    # A superuser gets the policies of their roles like anybody (issue 17): the account's flag
    # is for configuration, not a way around minimum necessary.
    policies = [POLICY[role] for role in roles_of(user)]
    rules = []
    for policy in policies:
        if model_label in policy:
            rules.append(policy[model_label])
        elif model_label not in (PATIENT, CASE, EVENT) and DETAILS in policy:
            rules.append(policy[DETAILS])
    return rules


def field_view(user, model_label: str, field: str) -> str:
    """FULL, LAST4 or HIDDEN: how ``user`` sees ``field`` of ``model_label`` ("app.model")."""
    best = HIDDEN
    for rule in _rules(user, model_label):
        view = rule.get(field, rule.get(ALL, HIDDEN))
        if _OPENNESS[view] > _OPENNESS[best]:
            best = view
    return best


def visible_fields(user, model_label: str, fields: Iterable[str]) -> list[str]:
    return [name for name in fields if field_view(user, model_label, name) != HIDDEN]


def mask_last4(value: Any) -> str:
    text = "" if value is None else str(value)
    if not text:
        return ""
    return "••••" + text[-4:] if len(text) > 4 else "••••"


def apply(user, model_label: str, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` as ``user`` may see it: hidden fields dropped, masked ones masked."""
    shown = {}
    for name, value in data.items():
        view = field_view(user, model_label, name)
        if view == FULL:
            shown[name] = value
        elif view == LAST4:
            shown[name] = mask_last4(value)
    return shown


class MinimumNecessaryMixin:
    """For DRF serializers: the output keeps only what the requesting user's roles may see.
    The user comes from ``context["request"].user`` (or ``context["user"]``); without one,
    nothing is shown."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None) or self.context.get("user")
        return apply(user, instance._meta.label_lower, dict(data))
