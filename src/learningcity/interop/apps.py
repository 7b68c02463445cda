from django.apps import AppConfig


class InteropConfig(AppConfig):
    """Imports and exports in the formats providers and partners already use."""

    name = "learningcity.interop"
    verbose_name = "Interoperability"
