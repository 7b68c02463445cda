from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """Markers of e-mail sent by background jobs, so a retried job skips what it already sent."""

    name = "learningcity.outbox"
    verbose_name = "Outbox"

    def ready(self) -> None:
        from learningcity.outbox import backend

        backend.connect_signals()
