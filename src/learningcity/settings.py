"""Django settings, read from environment variables (see docs/configuration.md)."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from learningcity.env import (
    env_bool,
    env_database,
    env_email,
    env_int,
    env_list,
    env_str,
    env_tile_url,
    env_time_zone,
    secret_key_file,
)

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(env_str("LEARNINGCITY_HOME", str(PACKAGE_DIR.parent.parent)))
VAR_DIR = Path(env_str("LEARNINGCITY_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# Without SECRET_KEY, a random key is made once and kept in var/ (fine for one machine; set it in production).
SECRET_KEY = env_str("SECRET_KEY", "") or secret_key_file(VAR_DIR / "secret-key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "learningcity.accounts",
    "learningcity.catalogue",
    "learningcity.enrolment",
    "learningcity.monitoring",
    "learningcity.search",
    "learningcity.festival",
    "learningcity.credits",
    "learningcity.calendars",
    "learningcity.interop",
    "learningcity.passport",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "learningcity.urls"
WSGI_APPLICATION = "learningcity.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "learningcity.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", VAR_DIR / "learningcity.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "fr")
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise RuntimeError(f"LANGUAGE_CODE={LANGUAGE_CODE!r} must be one of fr, en")
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_time_zone("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Leaflet for the search map, installed by `npm ci` (package-lock.json) and served as our own static files.
STATICFILES_DIRS = [
    PACKAGE_DIR / "static",
    ("vendor/leaflet", PACKAGE_DIR.parent.parent / "node_modules" / "leaflet" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the apps' static folders when `collectstatic` has not run (the demo and tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
# Imports (issue 6): the largest file, the most rows and the longest field a file may hold.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 50 * 1024 * 1024, minimum=1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000, minimum=1)
IMPORT_MAX_FIELD_CHARS = env_int("IMPORT_MAX_FIELD_CHARS", 100_000, minimum=100)
# Calendar subscriptions fetch .ics addresses: off unless the deployment has (and allows) network access.
IMPORT_FETCH_URLS = env_bool("IMPORT_FETCH_URLS", False)
IMPORT_FETCH_TIMEOUT = env_int("IMPORT_FETCH_TIMEOUT", 20, minimum=1)
LISTING_STALE_MONTHS = env_int("LISTING_STALE_MONTHS", 12, minimum=1)  # curation: listings to confirm
# Learning passport (issue 5): issuers' private signing keys are encrypted at rest with these Fernet
# keys (the first encrypts; all decrypt, so the key can be rotated). Empty: one derived from SECRET_KEY.
PASSPORT_KEY_ENCRYPTION_KEYS = env_list("PASSPORT_KEY_ENCRYPTION_KEYS", [])
PASSPORT_EVIDENCE_MAX_BYTES = env_int("PASSPORT_EVIDENCE_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
PASSPORT_MINOR_AGE = env_int("PASSPORT_MINOR_AGE", 15, minimum=1)  # under it, a guardian manages the record
PASSPORT_VERIFICATIONS_PER_MINUTE = env_int("PASSPORT_VERIFICATIONS_PER_MINUTE", 60, minimum=1)  # per address

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

_email = env_email("EMAIL_URL", "console://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "learningcity <noreply@localhost>")

# Days after a session ends when its follow-up question opens and is e-mailed (`learningcity follow-ups`).
FOLLOW_UP_AFTER_DAYS = env_int("FOLLOW_UP_AFTER_DAYS", 42, minimum=1)
ENROLMENT_OFFER_HOURS = env_int("ENROLMENT_OFFER_HOURS", 48, minimum=1)
EMAIL_VERIFICATION_DAYS = env_int("EMAIL_VERIFICATION_DAYS", 3, minimum=1)
# Search keeps a columnar copy of each city's index in memory (see search/snapshot.py).
SEARCH_SNAPSHOT = env_bool("SEARCH_SNAPSHOT", True)
# Seconds a server spends at start fetching the matches of the commonest words (0: none).
SEARCH_WARM_UP_SECONDS = env_int("SEARCH_WARM_UP_SECONDS", 60, minimum=0)

FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 behaviour, opted into now

MAP_TILE_URL = env_tile_url("MAP_TILE_URL")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "")
CITY_SLUG = env_str("CITY_SLUG", "")
API_PAGE_SIZE_MAX = env_int("API_PAGE_SIZE_MAX", 100, minimum=1)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and SITE_URL.startswith("https"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
