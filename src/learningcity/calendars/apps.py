from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    """iCalendar feeds (RFC 5545) and "Add to calendar" links."""

    name = "learningcity.calendars"
    verbose_name = "Calendars"
