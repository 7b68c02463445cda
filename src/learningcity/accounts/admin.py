"""Admin for people and their roles."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from learningcity.accounts.models import FamilyMember, Membership, User


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    ordering = ["email"]
    list_display = ["email", "display_name", "is_staff", "is_active"]
    search_fields = ["email", "display_name"]
    fieldsets = (
        (None, {"fields": ("email", "email_verified_at", "password")}),
        ("Profile", {"fields": ("display_name", "preferred_language", "year_of_birth", "sex", "district")}),
        ("Roles", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "coordinated_cities")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = [MembershipInline]
    filter_horizontal = ["groups", "coordinated_cities"]


@admin.register(FamilyMember)
class FamilyMemberAdmin(admin.ModelAdmin[FamilyMember]):
    list_display = ["name", "year_of_birth", "account", "removed_at"]
    search_fields = ["name", "account__email"]
    raw_id_fields = ["account"]
