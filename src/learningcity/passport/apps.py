from django.apps import AppConfig


class PassportConfig(AppConfig):
    """Learning records, achievements, Open Badges 3.0 credentials and pathways."""

    name = "learningcity.passport"
    verbose_name = "Passport"

    def ready(self) -> None:
        from learningcity.passport import signals  # noqa: F401  (award by rule when attendance is recorded)
