"""Calendar feeds and "Add to calendar" files, under /fr/ and /en/ (the address gives the feed's language)."""

from django.urls import path

from learningcity.calendars import views

app_name = "calendars"
urlpatterns = [
    path("calendars/opportunities/<int:pk>.ics", views.opportunity_feed, name="opportunity"),
    path("calendars/sessions/<int:pk>.ics", views.session_file, name="session"),
    path("calendars/organisations/<int:pk>.ics", views.organisation_feed, name="organisation"),
    path("calendars/cities/<slug:city>/districts/<str:code>.ics", views.district_feed, name="district"),
    path("calendars/festivals/<slug:slug>.ics", views.festival_feed, name="festival"),
    path("calendars/me/", views.private_feed_page, name="private-feed"),
    path("calendars/me/<slug:token>.ics", views.private_feed, name="private-feed-ics"),
]
