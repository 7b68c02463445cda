"""Curation pages, included in the `interop` namespace (names start with `curation-`)."""

from django.urls import path

from learningcity.interop import curation_views as views

urlpatterns = [
    path("provider/quality/", views.quality_index, name="curation-quality"),
    path("provider/quality/<int:organisation_pk>/", views.quality_organisation, name="curation-quality-organisation"),
    path("provider/opportunities/<int:pk>/confirm/", views.confirm, name="curation-confirm"),
    path("curation/opportunities/<int:pk>/", views.listing, name="curation-listing"),
    path("curation/stale/", views.stale, name="curation-stale"),
    path("curation/stale/ask/", views.stale_ask, name="curation-stale-ask"),
    path("curation/duplicates/", views.duplicate_list, name="curation-duplicates"),
    path("curation/duplicates/search/", views.duplicate_search, name="curation-duplicates-search"),
    path("curation/duplicates/<int:pk>/", views.duplicate_detail, name="curation-duplicate"),
    path("curation/duplicates/<int:pk>/dismiss/", views.duplicate_dismiss, name="curation-duplicate-dismiss"),
]
