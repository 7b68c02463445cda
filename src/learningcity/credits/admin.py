"""Admin views of the voucher scheme: read-only, since every write goes through the services and the ledger."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from learningcity.credits import models


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Shows rows of the city's scheme without letting anyone add, change or delete them here."""

    city_path = "city"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        user: Any = request.user
        if user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.city_path}__in": user.coordinated_cities.all()})

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.Scheme)
class SchemeAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "city", "amount", "budget", "committed", "valid_from", "valid_until"]


@admin.register(models.Account)
class AccountAdmin(ReadOnlyAdmin):
    city_path = "scheme__city"
    list_display = ["user", "scheme", "balance"]
    raw_id_fields = ["user"]


@admin.register(models.Entry)
class EntryAdmin(ReadOnlyAdmin):
    city_path = "account__scheme__city"
    list_display = ["created_at", "account", "kind", "amount", "balance_after", "registration_id"]
    list_filter = ["kind"]


@admin.register(models.IdentityCheck)
class IdentityCheckAdmin(ReadOnlyAdmin):
    list_display = ["user", "city", "document_kind", "checked_by", "checked_at"]


@admin.register(models.JobSeekerDeclaration)
class JobSeekerDeclarationAdmin(ReadOnlyAdmin):
    list_display = ["user", "city", "status", "valid_until", "checked_by"]


@admin.register(models.AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "scheme", "subject_email"]
