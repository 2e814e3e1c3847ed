from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "kind", "is_staff", "is_active")
    list_filter = ("kind", "is_staff", "is_superuser", "is_active", "groups")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Account kind", {"fields": ("kind",)}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Account kind", {"fields": ("kind",)}),
    )

    def get_readonly_fields(self, request, obj=None):
        # A person never becomes a service account here (nor the reverse): partner service
        # accounts are made by partners.credentials.service_account_create.
        readonly = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Only a superuser makes a superuser or gives permissions one by one: an
            # administrator gives roles (groups), so nobody raises their own rights (issue 17).
            readonly = (*readonly, "is_superuser", "user_permissions")
        return (*readonly, "kind") if obj is not None else readonly
