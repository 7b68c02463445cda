from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    """Cities, districts, providers, venues, learning opportunities and their sessions."""

    name = "learningcity.catalogue"
    verbose_name = "Catalogue"
