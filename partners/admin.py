"""Partner organisations (BAA dates, allowed categories), their service accounts and API tokens.

Credentials are managed with the organisation's permissions: ``partners.view_partnerorganisation``
shows accounts and tokens, ``partners.change_partnerorganisation`` creates accounts and issues,
rotates and revokes tokens — always through ``partners.credentials`` with the request's user as
the actor. A token's plaintext is shown once, on the page the action answers with (never in a
message: messages are stored in the session or a cookie); its digest and look-up key are never
shown.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html, format_html_join

from partners import credentials
from partners.models import PartnerOrganisation, ServiceAccount, ServiceToken

VIEW_PARTNERS = "partners.view_partnerorganisation"
CHANGE_PARTNERS = "partners.change_partnerorganisation"


def _messages_of(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(
            message for messages_ in error.message_dict.values() for message in messages_
        )
    return "; ".join(error.messages)


class CredentialPermissions:
    """Accounts and tokens follow the organisation's permissions; nothing is deleted here, and
    an object's own page is read-only (changes are the actions, through the services)."""

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(VIEW_PARTNERS) or request.user.has_perm(CHANGE_PARTNERS)

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            return False
        return request.user.has_perm(CHANGE_PARTNERS)

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- intermediate pages ---------------------------------------------------------------------------


def _action_form_page(modeladmin, request, queryset, *, form, title, intro, button):
    """The page between choosing an action and running it (like Django's delete confirmation):
    the selection travels in hidden fields, ``apply`` runs it."""
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "button": button,
        "form": form,
        "objects": list(queryset),
        "action": request.POST.get("action", ""),
        "opts": modeladmin.model._meta,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/partners/credential_action.html", context)


def _plaintext_page(modeladmin, request, *, title, issued, refused):
    """The one page that shows token plaintexts: not cached, not stored anywhere."""
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "issued": issued,
        "refused": refused,
        "opts": modeladmin.model._meta,
        "tokens_url": reverse("admin:partners_servicetoken_changelist"),
    }
    response = TemplateResponse(request, "admin/partners/token_plaintext.html", context)
    add_never_cache_headers(response)
    response["Pragma"] = "no-cache"
    return response


class IssueTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What the token is for, e.g. “production EHR interface”."
    )
    days = forms.IntegerField(
        min_value=1,
        max_value=credentials.MAX_TOKEN_DAYS,
        required=False,
        help_text="How long it is valid (days). Leave empty for the default.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].widget.attrs["placeholder"] = str(settings.PARTNER_TOKEN_DAYS)


class RotateTokenForm(forms.Form):
    grace_minutes = forms.IntegerField(
        min_value=0,
        max_value=credentials.MAX_GRACE_MINUTES,
        initial=60,
        help_text="How long the old token keeps working, so the partner can deploy the new one "
        "(0: it stops now).",
    )


class RevokeTokenForm(forms.Form):
    confirm = forms.BooleanField(
        label="Yes, revoke: the partner's requests with these tokens are refused from now on."
    )


# --- partner organisations ------------------------------------------------------------------------


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "active", "baa_effective_on", "baa_expires_on", "api_access")
    list_filter = ("kind", "active")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("allowed_categories",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "active")}),
        (
            "Business Associate Agreement",
            {
                "fields": ("baa_effective_on", "baa_expires_on", "api_access"),
                "description": "A partner uses the API only while it is active and today (in "
                f"{settings.TIME_ZONE}) lies between these dates, both included.",
            },
        ),
        ("Cases", {"fields": ("allowed_categories",)}),
        ("Credentials", {"fields": ("service_account_list",)}),
    )
    readonly_fields = ("api_access", "service_account_list")

    @admin.display(description="API access")
    def api_access(self, organisation: PartnerOrganisation) -> str:
        if organisation.pk is None:
            return "—"
        refusal = organisation.refusal_reason()
        if refusal is None:
            return "Allowed (BAA in force)"
        return f"Refused — {refusal.message} [{refusal.code}]"

    @admin.display(description="service accounts")
    def service_account_list(self, organisation: PartnerOrganisation):
        """Links to the organisation's service accounts and their usable tokens (read-only: a
        list, not an inline, so the organisation's form posts nothing about accounts)."""
        if organisation.pk is None:
            return "—"
        accounts = (
            ServiceAccount.objects.filter(organisation=organisation)
            .annotate(
                usable=Count(
                    "service_tokens",
                    filter=Q(
                        service_tokens__revoked_at__isnull=True,
                        service_tokens__expiry__gt=timezone.now(),
                    ),
                )
            )
            .order_by("username")
        )
        rows = format_html_join(
            "",
            '<li><a href="{}">{}</a>{} — <a href="{}">{} usable token(s)</a></li>',
            (
                (
                    reverse("admin:partners_serviceaccount_change", args=[account.pk]),
                    account.username,
                    "" if account.is_active else " (deactivated)",
                    reverse("admin:partners_servicetoken_changelist")
                    + f"?user__id__exact={account.pk}",
                    account.usable,
                )
                for account in accounts
            ),
        )
        add = reverse("admin:partners_serviceaccount_add") + f"?organisation={organisation.pk}"
        return format_html('<ul>{}</ul><a href="{}">Add a service account</a>', rows, add)


# --- service accounts -----------------------------------------------------------------------------


class ServiceAccountCreateForm(forms.ModelForm):
    class Meta:
        model = ServiceAccount
        fields = ("organisation", "username")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.kind = ServiceAccount.Kind.SERVICE
        self.fields["organisation"].required = True
        self.fields["organisation"].queryset = PartnerOrganisation.objects.filter(active=True)
        self.fields["username"].help_text = "e.g. svc-riverbend-ehr. It never logs in to pages."


class ServiceTokenInline(CredentialPermissions, admin.TabularInline):
    model = ServiceToken
    fk_name = "user"
    extra = 0
    can_delete = False
    fields = ("name", "created", "expiry", "last_used_at", "token_status", "revoked_at")
    readonly_fields = fields
    ordering = ("-created",)

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="status")
    def token_status(self, token: ServiceToken) -> str:
        return token.status()


@admin.register(ServiceAccount)
class ServiceAccountAdmin(CredentialPermissions, admin.ModelAdmin):
    list_display = ("username", "organisation", "is_active", "usable_tokens", "date_joined")
    list_filter = ("is_active", "organisation")
    list_select_related = ("organisation",)
    search_fields = ("username", "organisation__name", "organisation__slug")
    fields = ("username", "organisation", "is_active", "date_joined", "last_login")
    readonly_fields = fields
    inlines = [ServiceTokenInline]
    actions = ["issue_token"]

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm(CHANGE_PARTNERS)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                usable_token_count=Count(
                    "service_tokens",
                    filter=Q(
                        service_tokens__revoked_at__isnull=True,
                        service_tokens__expiry__gt=timezone.now(),
                    ),
                )
            )
        )

    @admin.display(description="usable tokens", ordering="usable_token_count")
    def usable_tokens(self, account) -> int:
        return account.usable_token_count

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ServiceAccountCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ServiceAccountCreateForm.Meta.fields if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def save_model(self, request, obj, form, change):
        account = credentials.service_account_create(
            actor=request.user,
            organisation=form.cleaned_data["organisation"],
            username=form.cleaned_data["username"],
        )
        obj.pk = obj.id = account.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        """Nothing else to save: the service wrote the account and its group."""

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            "Service account created. Select it and choose “Issue token” to give it a token.",
            messages.SUCCESS,
        )
        return super().response_add(request, obj, post_url_continue)

    @admin.action(
        description="Issue a token to the selected service accounts", permissions=["change"]
    )
    def issue_token(self, request, queryset):
        form = IssueTokenForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return _action_form_page(
                self,
                request,
                queryset,
                form=form,
                title="Issue API tokens",
                intro="Each selected service account gets a new token. The token is shown once, "
                "on the next page.",
                button="Issue tokens",
            )
        issued, refused = [], []
        for account in queryset.order_by("username"):
            try:
                token, plaintext = credentials.token_issue(
                    actor=request.user,
                    account=account,
                    name=form.cleaned_data["name"],
                    days=form.cleaned_data["days"],
                )
            except ValidationError as error:
                refused.append(f"{account.username}: {_messages_of(error)}")
                continue
            issued.append({"token": token, "account": account, "plaintext": plaintext})
        return _plaintext_page(
            self, request, title="API tokens issued", issued=issued, refused=refused
        )


# --- service tokens -------------------------------------------------------------------------------


class TokenStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "active":
            return queryset.usable(now)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expiry__lte=now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ServiceToken)
class ServiceTokenAdmin(CredentialPermissions, admin.ModelAdmin):
    """Tokens on record (active, expired, revoked). Never the digest or the look-up key."""

    list_display = (
        "name",
        "user",
        "organisation",
        "created",
        "expiry",
        "last_used_at",
        "token_status",
        "revoked_at",
    )
    list_filter = (TokenStatusFilter, "user__organisation")
    list_select_related = ("user__organisation",)
    search_fields = ("name", "user__username", "user__organisation__name")
    fields = (
        "name",
        "user",
        "organisation",
        "token_status",
        "created",
        "created_by",
        "expiry",
        "last_used_at",
        "rotated_from",
        "revoked_at",
        "revoked_by",
    )
    readonly_fields = fields
    actions = ["rotate_tokens", "revoke_tokens"]

    @admin.display(description="organisation", ordering="user__organisation__name")
    def organisation(self, token: ServiceToken):
        return token.user.organisation

    @admin.display(description="status")
    def token_status(self, token: ServiceToken) -> str:
        return token.status()

    @admin.action(
        description="Rotate the selected tokens (new token; old one after a grace period)",
        permissions=["change"],
    )
    def rotate_tokens(self, request, queryset):
        form = RotateTokenForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return _action_form_page(
                self,
                request,
                queryset,
                form=form,
                title="Rotate API tokens",
                intro="Each selected token is replaced by a new one with the same name; the old "
                "one keeps working for the grace period. The new tokens are shown once, on the "
                "next page.",
                button="Rotate tokens",
            )
        issued, refused = [], []
        for token in queryset.select_related("user").order_by("pk"):
            try:
                new, plaintext = credentials.token_rotate(
                    actor=request.user,
                    token=token,
                    grace_minutes=form.cleaned_data["grace_minutes"],
                )
            except ValidationError as error:
                refused.append(f"{token}: {_messages_of(error)}")
                continue
            issued.append({"token": new, "account": token.user, "plaintext": plaintext})
        return _plaintext_page(
            self, request, title="API tokens rotated", issued=issued, refused=refused
        )

    @admin.action(description="Revoke the selected tokens now", permissions=["change"])
    def revoke_tokens(self, request, queryset):
        form = RevokeTokenForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return _action_form_page(
                self,
                request,
                queryset,
                form=form,
                title="Revoke API tokens",
                intro="The selected tokens are refused from the next request on. They stay on "
                "record as revoked.",
                button="Revoke tokens",
            )
        done, refused = 0, []
        for token in queryset.order_by("pk"):
            try:
                credentials.token_revoke(actor=request.user, token=token)
                done += 1
            except ValidationError as error:
                refused.append(f"{token}: {_messages_of(error)}")
        if done:
            self.message_user(request, f"{done} token(s) revoked.", messages.SUCCESS)
        if refused:
            self.message_user(request, "Refused — " + " | ".join(refused), messages.ERROR)
        return None
