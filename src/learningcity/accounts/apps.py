from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Residents, provider staff, coordinators and their roles."""

    name = "learningcity.accounts"
    verbose_name = "Accounts"
