"""Account pages."""

from django.contrib.auth import views as auth_views
from django.urls import path

from learningcity.accounts import password_views, two_factor_views, views
from learningcity.accounts.token_views import token_revoke, tokens

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
    # Issue 9: password reset and change, two-factor authentication (docs/accounts-security.md).
    path("password/reset/", password_views.PasswordResetView.as_view(), name="password-reset"),
    path("password/reset/sent/", password_views.PasswordResetSentView.as_view(), name="password-reset-sent"),
    path(
        "password/reset/<uidb64>/<token>/",
        password_views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("password/change/", password_views.PasswordChangeView.as_view(), name="password-change"),
    path("two-factor/", two_factor_views.status, name="two-factor"),
    path("two-factor/setup/", two_factor_views.setup, name="two-factor-setup"),
    path("two-factor/verify/", two_factor_views.verify, name="two-factor-verify"),
    path("two-factor/recovery-codes/", two_factor_views.recovery_codes, name="two-factor-recovery-codes"),
    path("two-factor/disable/", two_factor_views.disable, name="two-factor-disable"),
    path("api-tokens/", tokens, name="api-tokens"),
    path("api-tokens/<int:pk>/revoke/", token_revoke, name="api-token-revoke"),
]
