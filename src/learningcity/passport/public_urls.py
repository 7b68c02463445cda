"""Language-free addresses of the passport's public documents (see public_views)."""

from django.urls import path

from learningcity.passport import public_views, views_awarding

urlpatterns = [
    path("organisations/<int:pk>/did.json", public_views.organisation_did, name="passport-organisation-did"),
    path("cities/<slug:slug>/did.json", public_views.city_did, name="passport-city-did"),
    path("credentials/status/<int:pk>", public_views.status_list, name="passport-status-list"),
    path("credentials/<uuid:value>", public_views.credential, name="passport-credential-document"),
    path("achievements/<uuid:value>", public_views.achievement, name="passport-achievement-document"),
    # The image an achievement's `image.id` names in credentials (language-free, like the credential ids).
    path("achievements/<uuid:value>/image", views_awarding.achievement_image, name="passport-achievement-image"),
]
