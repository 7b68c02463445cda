from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CreditsConfig(AppConfig):
    """Learning vouchers: credit a city grants to residents and they spend on registrations."""

    name = "learningcity.credits"
    verbose_name = "Learning credit"

    def ready(self) -> None:
        from learningcity.credits.append_only import after_migrate

        post_migrate.connect(after_migrate, sender=self, dispatch_uid="credits-append-only")
