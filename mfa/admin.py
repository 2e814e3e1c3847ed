"""The administrator's view of second factors: who has an authenticator or a passkey, since
when, last used, wrong codes in a row, and the reset (a lost phone). Passkeys are listed without
any credential data (no credential id, public key or attestation).

django-otp's own device admins are replaced: they let an administrator read a person's secret
and QR code, add devices for others and edit recovery codes. Here nothing is added or changed
by hand; deleting a person's authenticator or passkey (one, or the selected ones) is
``mfa.services.second_factor_reset`` — every authenticator, passkey and recovery code of them,
audited as ``mfa_reset`` with the administrator as the actor.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnAttestation, WebAuthnCredential, WebAuthnUserHandle

from mfa import services

for _model in (
    TOTPDevice,
    StaticDevice,
    WebAuthnCredential,
    WebAuthnAttestation,
    WebAuthnUserHandle,
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "name",
        "confirmed",
        "created_at",
        "last_used_at",
        "throttling_failure_count",
    )
    list_filter = ("confirmed",)
    search_fields = ("user__username", "user__first_name", "user__last_name")
    fields = list_display
    readonly_fields = list_display
    list_select_related = ("user",)
    actions = ["reset_second_factor"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a reset, never a plain delete
        return actions

    @admin.action(
        description="Reset the second factor of the selected people (they enrol again)",
        permissions=["delete"],
    )
    def reset_second_factor(self, request, queryset) -> None:
        people = {device.user for device in queryset.select_related("user")}
        for person in people:
            services.second_factor_reset(actor=request.user, user=person, request=request)
        self.message_user(
            request,
            f"Second factor reset for {len(people)} "
            f"{'person' if len(people) == 1 else 'people'}: "
            "all their authenticators, passkeys and recovery codes were removed.",
            messages.SUCCESS,
        )

    def delete_model(self, request, obj) -> None:
        services.second_factor_reset(actor=request.user, user=obj.user, request=request)

    def delete_queryset(self, request, queryset) -> None:
        for person in {device.user for device in queryset.select_related("user")}:
            services.second_factor_reset(actor=request.user, user=person, request=request)


@admin.register(WebAuthnCredential)
class PasskeyAdmin(AuthenticatorAdmin):
    """Passkeys, read-only, with the same reset."""

    list_display = (
        "user",
        "name",
        "confirmed",
        "created_at",
        "last_used_at",
        "discoverable",
        "backup_state",
    )
    fields = list_display
    readonly_fields = list_display
