"""The PCI boundary: no card number is written to any row of the project's models
(docs/architecture/pci.md).

One ``pre_save`` receiver, :func:`guard_card_data`, connected in ``ComplianceConfig.ready`` for
every sender, looks at each save of every model — the project's apps, their simple-history rows,
the API's idempotency records, and the installed libraries' models too (the admin's change log,
guardian's grants) — before the row is written:

1. every free-text value (``CharField``, ``TextField``, and every string inside a ``JSONField``
   value, dictionary keys too, at any depth) passes :func:`compliance.pci.redact_card_data`;
2. fields that must stay exact are never masked: a card number there is refused with the house
   ``ValidationError`` (code ``card_number``) on the field. These are identifiers and
   machine-readable values — ``Patient.mrn``, ``Case.external_reference`` and the other
   partner- or payer-supplied identifiers in :data:`EXACT_FIELDS`, e-mail addresses, URLs,
   slugs, phone numbers, fields with choices, unique fields;
3. the guard: any other value that is text (a field type added later that is none of the above)
   and still holds a card number makes the save raise. So a new field cannot forget.

Exact fields refuse at the edges first: :func:`install_validators` gives each of them the
validator :func:`refuse_card_number`, which ``full_clean`` (the services, the admin's and the
console's model forms) runs before anything is written; the receiver's refusal is the backstop.
The validators are added to the field objects when the app is ready, not declared in the models,
so no migration carries them.

Exempt, narrowly and on purpose (:data:`EXEMPT_FIELDS`, each with its reason): machine-made
values that a mask would break and that hold no card by construction — password hashes, token
digests and keys, request fingerprints, signing secrets, hash-chain heads, channel names. The
audit trail (``compliance.AuditEntry``) is redacted where it is sealed, before its hash is
computed (``AuditEntry.prepare``): its PostgreSQL append does not go through ``save()``.

What bypasses ``Model.save()`` bypasses the receiver: ``QuerySet.update()``, ``bulk_create()``
and raw SQL. The write path uses none of them for text (convention 1: services save models).

Cost: a dictionary look-up per save for the plan; one regular-expression search per text value
(``\\d``), and the redactor only for values that hold a digit.
"""

from __future__ import annotations

import logging
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from compliance.pci import holds_card_number, redact_card_data, redact_json

logger = logging.getLogger(__name__)

CARD_NUMBER_CODE = "card_number"
CARD_NUMBER_MESSAGE = (
    "This looks like a payment card number, which may not be stored; enter the identifier "
    "without it."
)

# (model label, field name): why the value is machine-made and must not be touched.
EXEMPT_FIELDS: dict[tuple[str, str], str] = {
    ("accounts.User", "password"): "a salted password hash (Django's hashers)",
    ("partners.ServiceAccount", "password"): "a salted password hash (Django's hashers)",
    ("partners.ServiceToken", "digest"): "the SHA-256 digest of a bearer token",
    ("partners.ServiceToken", "token_key"): "the random look-up prefix of a bearer token",
    ("api.IdempotencyRecord", "fingerprint"): "the SHA-256 of a request (api.idempotency)",
    ("compliance.ChainVerification", "head_hash"): "the SHA-256 of an audit entry",
    ("webhooks.WebhookEndpoint", "secret"): "a random webhook signing secret",
    ("webhooks.WebhookEndpoint", "previous_secret"): "a random webhook signing secret",
    ("console.Presence", "channel_name"): "the channel layer's random name for a socket",
    ("knox.AuthToken", "digest"): "the SHA-512 digest of a bearer token",
    ("knox.AuthToken", "token_key"): "the random look-up prefix of a bearer token",
}
# Whole models of machine-made values.
EXEMPT_MODELS: dict[str, str] = {
    "sessions.Session": "a random key and signed, encoded session data",
}

# Identifiers that must stay exact besides those found by type (e-mail, URL, slug, phone,
# choices, unique): masked they would point at nothing, or at someone else.
EXACT_FIELDS: frozenset[tuple[str, str]] = frozenset(
    {
        ("cases.Patient", "mrn"),
        ("cases.Case", "external_reference"),
        ("cases.Case", "reference"),
        ("insurance_coverage.InsuranceInquiry", "member_id"),
        ("insurance_coverage.InsuranceInquiry", "group_number"),
        ("insurance_coverage.InsuranceInquiry", "claim_number"),
        ("insurance_coverage.InsuranceInquiry", "prior_authorization_number"),
        ("care_navigation.NavigationRequest", "referral_id"),
        ("portal_support.PortalIssue", "portal_username"),
        ("billing_inquiries.BillingInquiry", "account_number"),
        ("api.IdempotencyRecord", "key"),
        ("api.IdempotencyRecord", "method"),
        ("api.IdempotencyRecord", "object_id"),
    }
)
# Exact fields that refuse card numbers with a message of their own: the boundary's validator
# runs only when theirs accept the value.
OWN_REFUSAL: frozenset[tuple[str, str]] = frozenset(
    {("billing_inquiries.BillingInquiry", "account_number")}
)
# Types whose values are exact by nature.
_EXACT_TYPES: tuple[type, ...] = (models.EmailField, models.URLField, models.SlugField)
# Not text: numbers, times, flags, addresses and UUIDs, which their fields convert or validate.
# (A number column holds no card in these tables: keys, counts, amounts, durations.) The guard
# looks at the values of every other field type that are strings.
_NOT_TEXT_TYPES: tuple[type, ...] = (
    models.IntegerField,
    models.AutoField,
    models.FloatField,
    models.DecimalField,
    models.DateField,
    models.TimeField,
    models.DurationField,
    models.BooleanField,
    models.UUIDField,
    models.GenericIPAddressField,
)


class CardDataRefused(ValidationError):
    """A save refused because a field would store a card number (code ``card_number``)."""


def refuse_card_number(value: Any) -> None:
    """Validator of the exact fields: refuses a value holding a card number, without echoing it."""
    if value is not None and holds_card_number(str(value)):
        raise ValidationError(CARD_NUMBER_MESSAGE, code=CARD_NUMBER_CODE)


refuse_card_number.refuses_card_numbers = True  # type: ignore[attr-defined]


# --- which models and fields ----------------------------------------------------------------------


def _original(model: type[models.Model]) -> type[models.Model]:
    """The model a simple-history row model records (``instance_type``), or the model."""
    return getattr(model, "instance_type", None) or model


def _is_exact(label: str, field: models.Field) -> bool:
    if (label, field.name) in EXACT_FIELDS or isinstance(field, _EXACT_TYPES):
        return True
    if field.choices or field.unique:
        return True
    try:
        from phonenumber_field.modelfields import PhoneNumberField
    except ImportError:  # pragma: no cover - a dependency of the project
        return False
    return isinstance(field, PhoneNumberField)


class _Plan:
    """What the receiver does with one model's fields: (attname, name) pairs."""

    __slots__ = ("exact", "json", "label", "other", "text")

    def __init__(self, model: type[models.Model]) -> None:
        original = _original(model)
        self.label = original._meta.label
        self.text: list[tuple[str, str]] = []
        self.json: list[tuple[str, str]] = []
        self.exact: list[tuple[str, str]] = []
        self.other: list[tuple[str, str]] = []
        for field in model._meta.concrete_fields:
            if (self.label, field.name) in EXEMPT_FIELDS:
                continue
            pair = (field.attname, field.name)
            # A history row's field is a copy without ``unique``: judge the original field.
            try:
                judged = original._meta.get_field(field.name) if original is not model else field
            except Exception:  # a history row's own fields (history_type, history_date …)
                judged = field
            if isinstance(field, models.JSONField):
                self.json.append(pair)
            elif isinstance(field, models.CharField | models.TextField):
                (self.exact if _is_exact(self.label, judged) else self.text).append(pair)
            elif not isinstance(field, _NOT_TEXT_TYPES) and not field.is_relation:
                self.other.append(pair)


_PLANS: dict[type, _Plan | None] = {}


def _plan_for(model: type[models.Model]) -> _Plan | None:
    try:
        return _PLANS[model]
    except KeyError:
        pass
    from compliance.models import AuditEntry

    label = _original(model)._meta.label
    protected = model is not AuditEntry and label not in EXEMPT_MODELS
    plan = _PLANS[model] = _Plan(model) if protected else None
    return plan


def protected_models() -> list[type[models.Model]]:
    """The models the boundary looks at (for the docs and the tests)."""
    return [model for model in apps.get_models() if _plan_for(model) is not None]


# --- the receiver ---------------------------------------------------------------------------------


def redact_fields(instance: models.Model, update_fields=None) -> list[str]:
    """Mask the card numbers of ``instance``'s free-text and JSON fields in place, as the save
    will; return the names of the fields that changed. For a service that compares an unsaved
    instance with stored rows (a patient matched by name) before saving it."""
    plan = _plan_for(type(instance))
    if plan is None:
        return []
    return _redact(plan, instance.__dict__, update_fields)


def _redact(plan: _Plan, values: dict, update_fields) -> list[str]:
    only = frozenset(update_fields) if update_fields is not None else None
    masked: list[str] = []
    for attname, name in plan.text:
        value = values.get(attname)
        if value.__class__ is str and (only is None or name in only):
            redacted, found = redact_card_data(value)
            if found:
                values[attname] = redacted
                masked.append(name)
    for attname, name in plan.json:
        value = values.get(attname)
        if value is not None and (only is None or name in only):
            redacted, found = redact_json(value)
            if found:
                values[attname] = redacted
                masked.append(name)
    return masked


def guard_card_data(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """``pre_save`` receiver: redact, refuse, guard (module documentation)."""
    plan = _plan_for(sender)
    if plan is None:
        return
    values = instance.__dict__
    masked = _redact(plan, values, update_fields)
    only = frozenset(update_fields) if update_fields is not None else None
    refused: dict[str, list[ValidationError]] = {}
    for pairs in (plan.exact, plan.other):
        for attname, name in pairs:
            value = values.get(attname)
            if value is None or (only is not None and name not in only):
                continue
            if pairs is plan.other and not isinstance(value, str):
                continue  # numbers, dates, booleans: not text
            if holds_card_number(value if isinstance(value, str) else str(value)):
                refused[name] = [ValidationError(CARD_NUMBER_MESSAGE, code=CARD_NUMBER_CODE)]
    if refused:
        logger.warning(
            "save of %s refused: card number in field(s) %s", plan.label, ", ".join(refused)
        )
        raise CardDataRefused(refused)
    if masked:
        # Ids and field names only: which values, never what they held.
        logger.warning(
            "card number masked at the storage boundary: %s field(s) %s",
            plan.label,
            ", ".join(masked),
        )


# --- set-up ---------------------------------------------------------------------------------------


def install_validators() -> None:
    """Give every exact text field of the project's models :func:`refuse_card_number`, once."""
    for model in protected_models():
        if _original(model) is not model:
            continue  # history rows copy values already validated
        plan = _plan_for(model)
        for _attname, name in plan.exact:
            field = model._meta.get_field(name)
            if field.choices:
                continue  # a choice is one of a fixed list: validated as such
            validators = field.validators  # the field's list, built once; not its migration state
            if any(getattr(v, "refuses_card_numbers", False) for v in validators):
                continue
            if (plan.label, name) in OWN_REFUSAL:
                validators.append(_after_own_validators(list(validators)))
            else:
                validators.append(refuse_card_number)


def _after_own_validators(own: list) -> Any:
    """For a field with a card check of its own: refuse what that check lets through, and only
    when the field's own validators all accept the value (theirs is the one message shown)."""

    def validator(value: Any) -> None:
        for check in own:
            try:
                check(value)
            except ValidationError:
                return
        refuse_card_number(value)

    validator.refuses_card_numbers = True  # type: ignore[attr-defined]
    return validator


def connect() -> None:
    from django.db.models.signals import pre_save

    pre_save.connect(guard_card_data, dispatch_uid="compliance.boundary.guard_card_data")
    install_validators()
