"""Search pages: the search itself, saved searches, personal suggestions, the coordinator's demand view."""

from django.urls import path

from learningcity.search import demand_views, saved_views, views

app_name = "search"

urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("search/suggest/", views.suggest, name="suggest"),
    path("search/saved/", saved_views.saved_list, name="saved"),
    path("search/saved/<int:pk>/delete/", saved_views.saved_delete, name="saved-delete"),
    path("search/saved/<int:pk>/alerts/", saved_views.saved_alerts, name="saved-alerts"),
    path("search/for-you/", saved_views.for_you, name="for-you"),
    path("coordinate/search-demand/", demand_views.demand, name="demand"),
]
