"""Django admin for coordinators: festivals of their cities and the events submitted to them."""

from django.contrib import admin
from django.http import HttpRequest

from learningcity.catalogue.admin import CityScopedAdmin
from learningcity.festival import models


@admin.register(models.Festival)
class FestivalAdmin(CityScopedAdmin):
    list_display = ["name_fr", "name_en", "city", "starts_on", "ends_on", "call_opens_on", "call_closes_on"]
    list_filter = ["city"]
    readonly_fields = ["slug"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # festivals are opened on the coordinator's page, which gives them their address


@admin.register(models.Submission)
class SubmissionAdmin(CityScopedAdmin):
    city_path = "festival__city"
    list_display = ["opportunity", "festival", "status", "submitted_at", "decided_at"]
    list_filter = ["status", "festival"]
    raw_id_fields = ["opportunity", "submitted_by", "decided_by"]
