"""Catalogue pages."""

from django.urls import path

from learningcity.catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("opportunities/", views.opportunity_list, name="opportunity-list"),
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity"),
    path("opportunities/<int:pk>/<slug:slug>/", views.opportunity_detail, name="opportunity"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("venues/<int:pk>/", views.venue_detail, name="venue"),
    path("provider/", views.provider_home, name="provider"),
    path("provider/organisations/<int:organisation_pk>/new/", views.opportunity_create, name="opportunity-create"),
    path("provider/opportunities/<int:pk>/edit/", views.opportunity_edit, name="opportunity-edit"),
    path("provider/opportunities/<int:pk>/sessions/", views.session_add, name="session-add"),
    path("provider/opportunities/<int:pk>/submit/", views.opportunity_submit, name="opportunity-submit"),
    path("review/", views.review_queue, name="review"),
    path("review/<int:pk>/", views.review_decide, name="review-decide"),
]
