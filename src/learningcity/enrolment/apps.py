from django.apps import AppConfig


class EnrolmentConfig(AppConfig):
    """Registrations for sessions and attendance."""

    name = "learningcity.enrolment"
    verbose_name = "Enrolment"
