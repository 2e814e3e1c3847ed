"""Input and output serializers of the API (docs/architecture/partner-api.md).

Input serializers parse and type-check; the services decide. They are strict: an unknown field
anywhere is refused (``unknown_field``, naming it), strings must be JSON strings, booleans JSON
booleans and priorities JSON integers. Category details are checked by the category app's own
serializer from ``cases.registry`` and then validated again, with the model's rules, by
``case_open``; both report ``details.<field>``.

Output serializers are those of ``cases/serializers.py`` (minimum necessary applied per field,
per role); rows always come from ``restrict()`` and are never fetched here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField as BasePhoneNumberField
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError

from accounts.models import User
from api.permissions import categories_for, is_partner
from cases.choices import Channel, ContactChannel, Language, Priority, Status, Visibility
from cases.models import MAX_TEXT_LENGTH, Category
from cases.registry import registry
from cases.serializers import CaseEventSerializer, CaseSerializer, PatientSerializer
from cases.sla_state import STATE_CHOICES, case_sla
from cases.validators import validate_birth_date

# --- strict fields ------------------------------------------------------------------------------


class StrictCharField(serializers.CharField):
    """A JSON string, never a number or a boolean turned into one."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictChoiceField(serializers.ChoiceField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class IntegerChoiceField(serializers.ChoiceField):
    """A JSON integer among the choices (``"20"`` and ``20.0`` are refused)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class PhoneNumberField(BasePhoneNumberField):
    """E.164 (``+12025550123``) or a national number of ``PHONENUMBER_DEFAULT_REGION``."""

    default_error_messages = {
        "invalid": "Not a valid string.",
        "invalid_phone_number": "Enter a valid phone number, e.g. +12025550123.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if data == "":
            return ""
        try:
            return super().to_internal_value(data)
        except ValidationError:
            self.fail("invalid_phone_number")


class StrictEmailField(serializers.EmailField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


# --- strict serializers ---------------------------------------------------------------------------


def unknown_field_errors(data: Any, known: set[str]) -> dict[str, list[ErrorDetail]]:
    if not isinstance(data, Mapping):
        return {}
    return {
        str(name): [ErrorDetail("Unknown field.", code="unknown_field")]
        for name in sorted(set(data) - known, key=str)
    }


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not declare, together with the other errors of the same body."""

    def to_internal_value(self, data):
        writable = {name for name, field in self.fields.items() if not field.read_only}
        unknown = unknown_field_errors(data, writable)
        try:
            value = super().to_internal_value(data)
        except ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                raise ValidationError({**exc.detail, **unknown}) from exc
            raise
        if unknown:
            raise ValidationError(unknown)
        return value


# --- intake ---------------------------------------------------------------------------------------


class PatientInputSerializer(StrictSerializer):
    """The patient an intake is about: matched by MRN (or name, birth date and phone/e-mail) or
    registered (``cases.services.patient_match_or_create``). Fields: ``Patient.INPUT_FIELDS``."""

    mrn = StrictCharField(
        max_length=32,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Medical record number from the EHR; omit for an unverified contact.",
    )
    given_name = StrictCharField(max_length=100)
    family_name = StrictCharField(max_length=100)
    date_of_birth = serializers.DateField(
        validators=[validate_birth_date],
        help_text="YYYY-MM-DD, from 1900-01-01 to today (in the deployment's time zone); a future "
        "date is refused (`future_date`), so is one before 1900 (`date_too_early`).",
    )
    phone = PhoneNumberField(required=False, allow_blank=True)
    email = StrictEmailField(required=False, allow_blank=True)
    preferred_language = StrictChoiceField(choices=Language.choices, required=False)
    preferred_contact_channel = StrictChoiceField(choices=ContactChannel.choices, required=False)
    sms_consent = StrictBooleanField(required=False)
    interpreter_needed = StrictBooleanField(required=False)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value.get("phone") is not None and value["phone"] != "":
            value["phone"] = str(value["phone"])  # E.164 text, as the model field takes it
        if value.get("mrn") == "":
            value["mrn"] = None
        return value


class CaseCreateSerializer(StrictSerializer):
    """``POST /api/v1/cases/``. Partners: the category must be one their organisation may use;
    ``channel`` defaults to ``partner_api``; ``priority`` is decided by routing, not by them."""

    patient = PatientInputSerializer()
    category = StrictCharField(max_length=64, help_text="A category slug (GET /categories/).")
    subject = StrictCharField(max_length=200)
    description = StrictCharField(max_length=MAX_TEXT_LENGTH)
    channel = StrictChoiceField(
        choices=Channel.choices,
        required=False,
        help_text="Where the contact arrived. Partners: default `partner_api`; staff: required.",
    )
    language = StrictChoiceField(
        choices=Language.choices,
        required=False,
        help_text="Default: the patient's preferred language.",
    )
    priority = IntegerChoiceField(
        choices=Priority.choices,
        required=False,
        help_text="Staff only (10 low … 40 urgent); default: the category's, then routing.",
    )
    external_reference = StrictCharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="The partner's own identifier; unique per organisation (409 on reuse).",
    )
    details = serializers.DictField(
        required=False,
        allow_null=True,
        help_text="The category kind's details (see each kind's fields in GET /categories/).",
    )

    def validate_category(self, slug: str) -> Category:
        user = self.context["request"].user
        # With its default queue: routing's usual answer, read here rather than by a query of
        # its own.
        category = categories_for(user).filter(slug=slug).select_related("default_queue").first()
        if category is not None:
            return category
        if Category.objects.filter(slug=slug).exists():
            raise ValidationError(
                "This organisation may not open cases in this category.", code="not_allowed"
            )
        raise ValidationError(f"No category with the slug {slug!r}.", code="does_not_exist")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = self.context["request"].user
        errors: dict[str, list[ErrorDetail]] = {}
        if is_partner(user):
            attrs.setdefault("channel", Channel.PARTNER_API)
            if "priority" in attrs:
                errors["priority"] = [
                    ErrorDetail(
                        "Partners may not set the priority; routing decides it.",
                        code="not_permitted",
                    )
                ]
        elif "channel" not in attrs:
            errors["channel"] = [ErrorDetail("This field is required.", code="required")]
        if errors:
            raise ValidationError(errors)
        attrs["details"] = validated_details(attrs["category"], attrs.get("details") or {})
        return attrs


def validated_details(category: Category, data: Mapping[str, Any]) -> dict[str, Any]:
    """The details typed by the kind's own serializer (``cases.registry``); errors keyed by field
    (reported as ``details.<field>``). Kinds without details, and unknown kinds, are left to
    ``case_open``, which refuses details they do not take."""
    spec = registry.get(category.kind)
    if spec is None or spec.serializer is None:
        return dict(data)
    serializer = spec.serializer(data=dict(data))
    writable = {name for name, field in serializer.fields.items() if not field.read_only}
    errors: dict[str, Any] = dict(unknown_field_errors(data, writable))
    if not serializer.is_valid():
        errors = {**serializer.errors, **errors}
    if errors:
        raise ValidationError({"details": errors})
    return dict(serializer.validated_data)


# --- messages and actions -------------------------------------------------------------------------


class StaffMessageSerializer(StrictSerializer):
    """A message on a case. Staff choose its visibility; partners send ``body`` only (the
    patient's own message, relayed)."""

    body = StrictCharField(max_length=MAX_TEXT_LENGTH)
    visibility = StrictChoiceField(
        choices=Visibility.choices,
        default=Visibility.PATIENT,
        help_text="`patient`: a reply the patient sees (default); `internal`: a note for staff.",
    )


class PartnerMessageSerializer(StrictSerializer):
    """A message from the patient, relayed by a partner system."""

    body = StrictCharField(
        max_length=MAX_TEXT_LENGTH, help_text="What the patient wrote or said, as received."
    )


class EmptySerializer(StrictSerializer):
    """No fields: the body may be omitted or ``{}``."""


class AssignSerializer(StrictSerializer):
    """Whom to assign the case to (``null``: nobody)."""

    assignee = StrictIntegerField(
        allow_null=True, help_text="The id of the person to assign; null unassigns."
    )

    def validate_assignee(self, value: int | None):
        if value is None:
            return None
        assignee = User.objects.filter(pk=value, kind=User.Kind.PERSON).first()
        if assignee is None:
            raise ValidationError(f"No person with the id {value}.", code="does_not_exist")
        return assignee


class TransitionSerializer(StrictSerializer):
    """The status to move to, and why (shown on the timeline)."""

    to_status = StrictChoiceField(choices=Status.choices)
    reason = StrictCharField(max_length=MAX_TEXT_LENGTH, required=False, allow_blank=True)


class ResolveSerializer(StrictSerializer):
    """Why the case is resolved (optional; shown on the timeline)."""

    reason = StrictCharField(max_length=MAX_TEXT_LENGTH, required=False, allow_blank=True)


# --- output ---------------------------------------------------------------------------------------


class PatientOutputSerializer(PatientSerializer):
    """The case's patient. Fields your role may not see are left out (minimum necessary)."""

    # Declared so the schema says what the API sends: an address, or "" when there is none (a
    # read-only model field loses ``allow_blank`` in DRF).
    email = serializers.EmailField(read_only=True, allow_blank=True)

    class Meta(PatientSerializer.Meta):
        read_only_fields = PatientSerializer.Meta.fields


class SlaTargetOutputSerializer(serializers.Serializer):
    """One SLA target's state, as the console shows it (``cases.sla_state``)."""

    state = serializers.ChoiceField(
        choices=STATE_CHOICES,
        help_text="running, warning (due soon), breached (not met, due time reached), paused "
        "(clock stopped while waiting), met (on time), met_late (met after its due time: a "
        "breach), none (no target).",
    )
    label = serializers.CharField(help_text="The state in words.")
    detail = serializers.CharField(
        allow_blank=True,
        help_text='Its time detail as of the response ("due in 12 min"), or empty.',
    )
    due_at = serializers.DateTimeField(allow_null=True)
    met_at = serializers.DateTimeField(allow_null=True)
    changes_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the state changes by itself if nothing else happens (running to "
        "warning, warning to breached); null when it does not.",
    )


class CaseSlaOutputSerializer(serializers.Serializer):
    first_response = SlaTargetOutputSerializer()
    resolution = SlaTargetOutputSerializer()


class CaseOutputSerializer(CaseSerializer):
    """A case as your role may see it: fields your role may not see are left out (minimum
    necessary; a partner sees no queue, assignee, sensitivity, due times or SLA states)."""

    patient = PatientOutputSerializer(read_only=True)
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    queue = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    sla = serializers.SerializerMethodField(
        help_text="The state of each SLA target at the time of the response, decided as the "
        "console decides it."
    )

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "sla"]
        read_only_fields = fields

    @extend_schema_field(CaseSlaOutputSerializer)
    def get_sla(self, case) -> dict:
        # One instant for every case of a response (the context is shared by a list's items).
        now = self.context.setdefault("sla_now", timezone.now())
        return CaseSlaOutputSerializer(case_sla(case, now)).data


class CaseDetailOutputSerializer(CaseOutputSerializer):
    """A case with its category details, as your role may see it (minimum necessary)."""

    details = serializers.SerializerMethodField(
        help_text="The category kind's details (see `detail_fields` of GET /categories/)."
    )

    class Meta(CaseOutputSerializer.Meta):
        fields = [*CaseOutputSerializer.Meta.fields, "details"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_details(self, case) -> dict:
        """``context["details"]``: the detail row the view read through ``restrict()``; the
        kind's own serializer applies minimum necessary to it."""
        detail = self.context.get("details")
        spec = registry.get(case.category.kind)
        if detail is None or spec is None or spec.serializer is None:
            return {}
        return spec.serializer(detail, context=self.context).data

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if "details" not in data:  # the case-level policy knows no "details": the kind's does
            data["details"] = self.get_details(instance)
        return data


class MessageOutputSerializer(CaseEventSerializer):
    """A timeline event as your role may see it: a partner sees the patient-visible ones only,
    without staff names; fields your role may not see are left out (minimum necessary)."""

    class Meta(CaseEventSerializer.Meta):
        read_only_fields = CaseEventSerializer.Meta.fields


class CategoryOutputSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(read_only=True)
    detail_fields = serializers.SerializerMethodField(
        help_text="The fields `details` takes for this category's kind."
    )

    class Meta:
        model = Category
        fields = ["slug", "name", "kind", "kind_label", "description", "default_priority"]
        fields += ["detail_fields"]

    def get_detail_fields(self, category: Category) -> list[str]:
        spec = registry.get(category.kind)
        if spec is None or spec.detail_model is None:
            return []
        return list(spec.detail_model.input_fields())


class QueueOutputSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    description = serializers.CharField()
    active = serializers.BooleanField()
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=Language.choices), source="language_codes"
    )
    can_work = serializers.BooleanField(help_text="The requesting user works this queue.")
    can_supervise = serializers.BooleanField(help_text="The requesting user supervises this queue.")


__all__ = [
    "AssignSerializer",
    "CaseCreateSerializer",
    "CaseDetailOutputSerializer",
    "CaseOutputSerializer",
    "CategoryOutputSerializer",
    "EmptySerializer",
    "MessageOutputSerializer",
    "PartnerMessageSerializer",
    "PatientInputSerializer",
    "QueueOutputSerializer",
    "ResolveSerializer",
    "StaffMessageSerializer",
    "TransitionSerializer",
]
