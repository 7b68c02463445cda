"""Monitoring pages for coordinators."""

from django.urls import path

from learningcity.monitoring import indicator_views, views

app_name = "monitoring"
urlpatterns = [
    path("coordinate/access/", views.access_map, name="access"),
    path("coordinate/access.<str:fmt>", views.access_download, name="access-download"),
    path("coordinate/access/areas/", views.access_upload, name="access-upload"),
    path("coordinate/indicators/", views.indicators, name="indicators"),
    path("coordinate/indicators/report.<str:fmt>", views.report_download, name="report"),
    path("coordinate/indicators/report-texts/", indicator_views.report_texts, name="report-texts"),
    path("coordinate/indicators/manage/", indicator_views.indicator_list, name="indicator-list"),
    path("coordinate/indicators/manage/install/", indicator_views.indicator_install, name="indicator-install"),
    path("coordinate/indicators/manage/new/", indicator_views.indicator_edit, name="indicator-add"),
    path("coordinate/indicators/manage/<int:pk>/", indicator_views.indicator_edit, name="indicator-edit"),
    path(
        "coordinate/indicators/manage/<int:pk>/retire/",
        indicator_views.indicator_retire,
        {"action": "retire"},
        name="indicator-retire",
    ),
    path(
        "coordinate/indicators/manage/<int:pk>/restore/",
        indicator_views.indicator_retire,
        {"action": "restore"},
        name="indicator-restore",
    ),
    path("key-figures/", views.key_figures, name="key-figures"),
    path("key-figures.<str:fmt>", views.key_figures_download, name="key-figures-download"),
    path("feedback/<int:pk>/", views.feedback, name="feedback"),
    path("feedback/<int:pk>/follow-up/", views.follow_up, name="follow-up"),
    path("feedback/reminders/", views.reminder_preference, name="reminders"),
]
