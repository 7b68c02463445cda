"""Account pages."""

from django.contrib.auth import views as auth_views
from django.urls import path

from learningcity.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("me/", views.account, name="account"),
    path("verify/", views.verification, name="verification"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("family/", views.family, name="family"),
    path("family/<int:pk>/remove/", views.family_remove, name="family-remove"),
]
