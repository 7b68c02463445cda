"""Django admin for coordinators: curate the network of providers and the catalogue."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from learningcity.catalogue import models


class CityScopedAdmin(admin.ModelAdmin[Any]):
    """A coordinator sees and edits only the cities they coordinate; admins see every city."""

    city_path = "city"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        user: Any = request.user
        if user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.city_path}__in": user.coordinated_cities.all()})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        user: Any = request.user
        if db_field.name == "city" and not user.is_superuser:
            kwargs["queryset"] = user.coordinated_cities.all()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(models.City)
class CityAdmin(CityScopedAdmin):
    city_path = "id"
    list_display = ["name", "slug", "country_code"]


class PopulationInline(admin.TabularInline[models.PopulationCount, models.District]):
    model = models.PopulationCount
    extra = 0


@admin.register(models.District)
class DistrictAdmin(CityScopedAdmin):
    list_display = ["code", "name", "city"]
    list_filter = ["city"]
    inlines = [PopulationInline]


@admin.register(models.Organisation)
class OrganisationAdmin(CityScopedAdmin):
    list_display = ["name", "sector", "type", "verified"]
    list_filter = ["sector", "type", "verified"]
    search_fields = ["name", "siret"]


@admin.register(models.Venue)
class VenueAdmin(CityScopedAdmin):
    list_display = ["name", "district", "step_free_access"]
    list_filter = ["district", "step_free_access"]
    search_fields = ["name", "address"]
    autocomplete_fields = ["organisation"]


class SessionInline(admin.TabularInline[models.Session, models.Opportunity]):
    model = models.Session
    extra = 0


@admin.register(models.Opportunity)
class OpportunityAdmin(CityScopedAdmin):
    list_display = ["title_fr", "organisation", "kind", "status", "last_verified"]
    list_filter = ["status", "kind", "mode", "is_free", "building_blocks"]
    search_fields = ["title_fr", "title_en"]
    autocomplete_fields = ["organisation", "venue"]
    filter_horizontal = ["building_blocks", "topics", "audience_labels", "languages"]
    inlines = [SessionInline]
    list_select_related = ["organisation"]


admin.site.register(models.BuildingBlock)
admin.site.register(models.Topic)
admin.site.register(models.AudienceLabel)
admin.site.register(models.Language)
