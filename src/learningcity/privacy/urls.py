"""Privacy pages."""

from django.urls import path

from learningcity.privacy import views

app_name = "privacy"
urlpatterns = [
    path("privacy/", views.notice, name="notice"),
    path("privacy/my-data/", views.my_data, name="my-data"),
    path("privacy/my-data/consent/", views.consent, name="consent"),
    path("privacy/my-data/export.json", views.export, name="export"),
    path("privacy/my-data/erase/", views.erase, name="erase"),
    path("privacy/access-log/", views.access_log, name="access-log"),
]
