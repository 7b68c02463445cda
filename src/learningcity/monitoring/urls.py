"""Monitoring pages for coordinators."""

from django.urls import path

from learningcity.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("coordinate/access/", views.access_map, name="access"),
    path("coordinate/access.<str:fmt>", views.access_download, name="access-download"),
    path("coordinate/access/areas/", views.access_upload, name="access-upload"),
    path("coordinate/indicators/", views.indicators, name="indicators"),
    path("coordinate/indicators/report.<str:fmt>", views.report_download, name="report"),
    path("key-figures/", views.key_figures, name="key-figures"),
    path("key-figures.<str:fmt>", views.key_figures_download, name="key-figures-download"),
    path("feedback/<int:pk>/", views.feedback, name="feedback"),
    path("feedback/<int:pk>/follow-up/", views.follow_up, name="follow-up"),
]
