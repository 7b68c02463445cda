"""Pages of the passport: verify (included by passport/urls.py under the "passport" namespace)."""

from django.urls import path

from learningcity.passport import views_verify

urlpatterns = [
    # Not at credentials/<uuid>/: Django would redirect a 404 of the language-free credential id there.
    path("credentials/<uuid:value>/verification/", views_verify.credential_page, name="credential"),
    path("credentials/<uuid:value>/jwt/", views_verify.credential_jwt, name="credential-jwt"),
    path("verify/", views_verify.verify_page, name="verify"),
]
