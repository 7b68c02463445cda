"""The passport's pages, under /fr/ and /en/, in the "passport" namespace."""

from django.urls import include, path

app_name = "passport"

urlpatterns = [
    path("", include("learningcity.passport.urls_record")),
    path("", include("learningcity.passport.urls_awarding")),
    path("", include("learningcity.passport.urls_verify")),
    path("", include("learningcity.passport.urls_pathway")),
]
