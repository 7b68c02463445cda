"""Django admin for coordinators: curate the network of providers and the catalogue."""

from django.contrib import admin

from learningcity.catalogue import models


@admin.register(models.City)
class CityAdmin(admin.ModelAdmin[models.City]):
    list_display = ["name", "slug", "country_code"]


class PopulationInline(admin.TabularInline[models.PopulationCount, models.District]):
    model = models.PopulationCount
    extra = 0


@admin.register(models.District)
class DistrictAdmin(admin.ModelAdmin[models.District]):
    list_display = ["code", "name", "city"]
    list_filter = ["city"]
    inlines = [PopulationInline]


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin[models.Organisation]):
    list_display = ["name", "sector", "type", "verified"]
    list_filter = ["sector", "type", "verified"]
    search_fields = ["name", "siret"]


@admin.register(models.Venue)
class VenueAdmin(admin.ModelAdmin[models.Venue]):
    list_display = ["name", "district", "step_free_access"]
    list_filter = ["district", "step_free_access"]
    search_fields = ["name", "address"]
    autocomplete_fields = ["organisation"]


class SessionInline(admin.TabularInline[models.Session, models.Opportunity]):
    model = models.Session
    extra = 0


@admin.register(models.Opportunity)
class OpportunityAdmin(admin.ModelAdmin[models.Opportunity]):
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
