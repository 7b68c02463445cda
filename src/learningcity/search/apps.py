from django.apps import AppConfig


class SearchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "learningcity.search"
    verbose_name = "Search"

    def ready(self) -> None:
        from learningcity.search import alerts, signals  # noqa: F401  (index kept in step; alerts on publication)
