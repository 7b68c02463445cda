"""Coordinators add, edit and retire their city's indicators and statistics in the admin.

Feedback and follow-ups are not in the admin: they are personal, and used only in aggregates.
"""

from django.contrib import admin

from learningcity.catalogue.admin import CityScopedAdmin
from learningcity.monitoring.models import CityIndicator, StatisticValue


@admin.register(CityIndicator)
class CityIndicatorAdmin(CityScopedAdmin):
    list_display = ["code", "sub_area", "name_en", "source", "direction", "retired"]
    list_filter = ["sub_area", "source", "retired"]
    search_fields = ["code", "name_fr", "name_en"]


@admin.register(StatisticValue)
class StatisticValueAdmin(CityScopedAdmin):
    city_path = "indicator__city"
    list_display = ["indicator", "area", "year", "value", "source"]
    list_filter = ["year"]
    search_fields = ["indicator__code", "area"]
