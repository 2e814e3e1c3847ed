"""Admin pages of the webhooks: endpoints (secret shown once, masked afterwards, rotation, test
event) and the outbox with its delivery log (read-only; replay). Every page and action needs the
model's permission; nobody can edit a payload."""

from __future__ import annotations

import copy
import json
import uuid

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html

from webhooks import services
from webhooks.models import (
    SUBSCRIBABLE_EVENT_TYPES,
    EventType,
    OutboxMessage,
    WebhookDelivery,
    WebhookEndpoint,
)

ONCE_PAGE_TEMPLATE = "admin/webhooks/webhookendpoint/secret_once.html"


def _secret_page(request, model_admin, endpoints_with_secrets, *, title: str, intro: str):
    """The only page that ever shows a secret: rendered in the response, stored nowhere, not
    cached."""
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "opts": model_admin.model._meta,
        "rows": endpoints_with_secrets,
    }
    response = TemplateResponse(request, ONCE_PAGE_TEMPLATE, context)
    add_never_cache_headers(response)
    response["Cache-Control"] += ", no-store"
    return response


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text="https; plain http only to a loopback address in development.",
    )
    event_types = forms.MultipleChoiceField(
        choices=[(value, EventType(value).label) for value in SUBSCRIBABLE_EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The events this endpoint receives.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["organisation", "description", "url", "event_types", "active"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("organisation", "description", "url", "subscriptions", "active", "created_at")
    list_filter = ("active", "organisation")
    list_select_related = ("organisation",)
    search_fields = ("organisation__name", "description", "url")
    readonly_fields = (
        "signing_secret",
        "secret_rotated_at",
        "previous_secret_expires_at",
        "created_at",
        "updated_at",
    )
    actions = ["rotate_secret", "send_test_event"]

    def get_fields(self, request, obj=None):
        fields = ["organisation", "description", "url", "event_types", "active"]
        if obj is not None:
            fields += list(self.readonly_fields)
        return fields

    @admin.display(description="events")
    def subscriptions(self, obj: WebhookEndpoint) -> str:
        return ", ".join(obj.event_types or []) or "—"

    @admin.display(description="signing secret")
    def signing_secret(self, obj: WebhookEndpoint) -> str:
        return f"{obj.masked_secret} (shown once when created or rotated)"

    def response_add(self, request, obj, post_url_continue=None):
        return _secret_page(
            request,
            self,
            [(obj, obj.secret)],
            title="Webhook endpoint created: its signing secret",
            intro="Give this secret to the partner now. It is not shown again; if it is lost, "
            "rotate it.",
        )

    def has_rotate_secret_permission(self, request) -> bool:
        return request.user.has_perm("webhooks.rotate_secret_webhookendpoint")

    def has_send_test_permission(self, request) -> bool:
        return request.user.has_perm("webhooks.send_test_webhookendpoint")

    @admin.action(description="Rotate the signing secret", permissions=["rotate_secret"])
    def rotate_secret(self, request, queryset):
        rows = []
        for endpoint in queryset:
            secret = services.endpoint_rotate_secret(actor=request.user, endpoint=endpoint)
            self.log_change(request, endpoint, "Rotated the signing secret.")
            rows.append((endpoint, secret))
        overlap = services.rotation_overlap()
        return _secret_page(
            request,
            self,
            rows,
            title="New signing secrets",
            intro="Give these secrets to the partner now; they are not shown again. The "
            f"previous secrets keep signing (a second v1) for {overlap}.",
        )

    @admin.action(description="Send a test event", permissions=["send_test"])
    def send_test_event(self, request, queryset):
        count = 0
        for endpoint in queryset:
            services.endpoint_send_test(actor=request.user, endpoint=endpoint)
            count += 1
        self.message_user(
            request,
            f"Test event queued for {count} endpoint(s); see the outbox for the delivery.",
            messages.SUCCESS,
        )


def redacted_payload(payload: dict) -> dict:
    """The payload as the admin shows it: the reply text (patient communication) is not shown;
    operators need the identifiers, the event and the delivery log, not the conversation."""
    shown = copy.deepcopy(payload or {})
    reply = shown.get("reply")
    if isinstance(reply, dict) and "body" in reply:
        reply["body"] = f"[reply text, {len(str(reply['body']))} characters, not shown]"
    return shown


class WebhookDeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    extra = 0
    max_num = 0
    can_delete = False
    fields = (
        "attempt",
        "started_at",
        "duration_ms",
        "response_status",
        "error",
        "response_body",
        "signature_timestamp",
        "url",
    )
    readonly_fields = fields
    ordering = ("started_at", "id")

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("webhooks.view_outboxmessage")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "event_type",
        "endpoint",
        "case_reference",
        "state",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "created_at",
    )
    list_filter = ("state", "event_type", "endpoint__organisation")
    list_select_related = ("endpoint__organisation",)
    search_fields = ("case__reference",)
    search_help_text = "A case reference (PC-…) or an event id."
    date_hierarchy = "created_at"
    fields = (
        "endpoint",
        "event_type",
        "event_id",
        "case_reference",
        "state",
        "attempts",
        "next_attempt_at",
        "enqueued_at",
        "delivered_at",
        "last_error",
        "created_at",
        "payload_shown",
    )
    readonly_fields = fields
    inlines = [WebhookDeliveryInline]
    actions = ["replay"]

    @admin.display(description="case")
    def case_reference(self, obj: OutboxMessage) -> str:
        return ((obj.payload or {}).get("case") or {}).get("reference") or "—"

    @admin.display(description="payload")
    def payload_shown(self, obj: OutboxMessage) -> str:
        return format_html(
            "<pre>{}</pre>", json.dumps(redacted_payload(obj.payload), indent=2, sort_keys=True)
        )

    def get_search_results(self, request, queryset, search_term):
        term = (search_term or "").strip()
        if not term:
            return queryset, False
        try:
            return queryset.filter(event_id=uuid.UUID(term)), False
        except ValueError:
            return queryset.filter(case__reference__iexact=term), False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # read-only: payloads and states change only through delivery and replay

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the outbox is the delivery record

    def has_replay_permission(self, request) -> bool:
        return request.user.has_perm("webhooks.replay_outboxmessage")

    @admin.action(description="Replay (send again now)", permissions=["replay"])
    def replay(self, request, queryset):
        selected = list(queryset)
        count = services.messages_replay(actor=request.user, messages=selected)
        for message in selected:
            self.log_change(request, message, "Replayed.")
        self.message_user(
            request, f"{count} message(s) queued for delivery again.", messages.SUCCESS
        )
