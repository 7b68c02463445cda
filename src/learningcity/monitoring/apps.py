from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    """Who is reached and who is not: spatial access, indicators, the Learning City Index."""

    name = "learningcity.monitoring"
    verbose_name = "Monitoring"
