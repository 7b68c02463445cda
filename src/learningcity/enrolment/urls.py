"""Enrolment pages."""

from django.urls import path

from learningcity.enrolment import views

app_name = "enrolment"
urlpatterns = [
    path("registrations/", views.mine, name="mine"),
    path("registrations/messages/", views.preferences, name="preferences"),
    path("registrations/sessions/<int:pk>/", views.register, name="register"),
    path("registrations/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("registrations/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("provider/sessions/<int:pk>/roster/", views.roster, name="roster"),
    path("provider/sessions/<int:pk>/roster.csv", views.roster_csv, name="roster-csv"),
    path("provider/sessions/<int:pk>/cancel/", views.session_cancel, name="session-cancel"),
    path("provider/opportunities/<int:pk>/registrations/", views.overview, name="overview"),
]
