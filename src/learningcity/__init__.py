"""learningcity: a platform that lets a city run itself as a UNESCO learning city."""

__version__ = "0.1.0"
