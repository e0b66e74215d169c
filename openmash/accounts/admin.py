from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from openmash.accounts.models import ApiClient, RoleAssignment, User


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "organisation", "is_active", "is_staff"]
    list_filter = ["organisation__kind", "is_active", "is_staff"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("OpenMASH", {"fields": ("organisation", "job_title", "team")}),
    )
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, ("OpenMASH", {"fields": ("organisation", "email")}))
    inlines = [RoleInline]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["token_prefix", "token_digest"]
