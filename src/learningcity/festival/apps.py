from django.apps import AppConfig


class FestivalConfig(AppConfig):
    """The learning festival: a call for events, the coordinator's decisions, the public programme."""

    name = "learningcity.festival"
    verbose_name = "Festival"
