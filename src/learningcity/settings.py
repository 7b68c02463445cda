"""Django settings, read from environment variables (see docs/configuration.md)."""

from __future__ import annotations

from pathlib import Path

from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from learningcity.cache_url import env_cache
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
    tile_origins,
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
# Searches counted for the coordinator's search demand are written together, at most this late (0: at once).
SEARCH_DEMAND_FLUSH_SECONDS = env_int("SEARCH_DEMAND_FLUSH_SECONDS", 10, minimum=0)

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

# >>> performance: whole answers to anonymous visitors' public pages and searches (issue 9)
# Kept in each process's memory and a shared file cache (learningcity/public_cache.py); a catalogue change
# drops them at once.
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 600, minimum=0)  # 0: off
PUBLIC_CACHE_ENTRIES = env_int("PUBLIC_CACHE_ENTRIES", 1000, minimum=1)  # per process (x4 shared)
PUBLIC_CACHE_BYTES = env_int("PUBLIC_CACHE_BYTES", 16 * 1024 * 1024, minimum=1024)  # per process
# Shared by the processes of the machine (a Django file cache); empty: each process keeps its own only.
PUBLIC_CACHE_DIRECTORY = env_str("PUBLIC_CACHE_DIRECTORY", str(VAR_DIR / "public-cache"))
# Right after SecurityMiddleware (its HTTPS redirect comes first; its headers go on every answer), before
# everything else: a kept answer holds the headers the inner middleware added (CSP, CORS, Vary) and is
# served without running them.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "learningcity.public_cache.PublicCacheMiddleware",
)
# <<< performance

# >>> accounts-security: argon2, login lockout (django-axes), password reset, TOTP two-factor, sessions (issue 9)
# Argon2 hashes new passwords; older hashes still verify and are re-hashed with Argon2 at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
PASSWORD_RESET_TIMEOUT = 2 * 3600  # seconds a reset link works
INSTALLED_APPS += ["axes", "django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
# Lockout (docs/accounts-security.md): per (e-mail address, client address), unlock with `axes_reset*` commands.
AUTHENTICATION_BACKENDS = [
    "learningcity.accounts.security.LoginThrottleBackend",
    "learningcity.accounts.backends.AccountBackend",
]
_auth_index = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware")
MIDDLEWARE[_auth_index + 1 : _auth_index + 1] = [
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): this session passed the second factor
    "learningcity.accounts.middleware.TwoFactorMiddleware",  # nowhere else until it has, when it must
]
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)  # reverse proxies whose X-Forwarded-For we believe
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF", 15, minimum=1) / 60  # hours, as axes reads a float
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the time the page gives stays true
AXES_USERNAME_CALLABLE = "learningcity.accounts.security.login_username"
AXES_CLIENT_IP_CALLABLE = "learningcity.accounts.security.client_ip"
AXES_LOCKOUT_CALLABLE = "learningcity.accounts.security.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # failures are counted; successful logins are not recorded (less personal data)
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]  # masked in the stored form data
# Two-factor: required for coordinators and admins; `learningcity demo` runs its server with it off.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", True)
OTP_TOTP_ISSUER = SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]  # the host, shown by the app
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 3600, minimum=300)
STAFF_SESSION_AGE = env_int("STAFF_SESSION_AGE", 12 * 3600, minimum=300)  # coordinators' and admins' sessions
# <<< accounts-security

# >>> api-clients: scoped API tokens, per-client rate limits, CORS, the shared cache (issue 9)
# One cache shared by every process (API rate limits, the passport's verification throttle, festival
# counters): file:///path (default, var/cache), db://TABLE (`createcachetable`), locmem:// (one process).
CACHES = {"default": env_cache("CACHE_URL", VAR_DIR / "cache")}
API_RATE_LIMIT_ANONYMOUS = env_int("API_RATE_LIMIT_ANONYMOUS", 120, minimum=0)  # per address per minute; 0: off
API_RATE_LIMIT_AUTHENTICATED = env_int("API_RATE_LIMIT_AUTHENTICATED", 600, minimum=0)  # per token or account
NINJA_NUM_PROXIES = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)  # proxies whose X-Forwarded-For is believed
# CORS: open data may be read from any origin, never with cookies; tokens go in the Authorization header.
INSTALLED_APPS += ["corsheaders"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"), "corsheaders.middleware.CorsMiddleware"
)
CORS_URLS_REGEX = r"^/(api/v1/|organisations/\d+/did\.json$|cities/[^/]+/did\.json$|credentials/|achievements/)"
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])  # empty: any origin
CORS_ALLOW_ALL_ORIGINS = not CORS_ALLOWED_ORIGINS
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS", "POST"]
CORS_ALLOW_HEADERS = ["accept", "accept-language", "authorization", "content-type"]
CORS_EXPOSE_HEADERS = ["Retry-After", "Content-Language"]
CORS_PREFLIGHT_MAX_AGE = 86400
# <<< api-clients

# >>> privacy: consent, privacy notice, retention periods, staff access log (issue 9)
INSTALLED_APPS += ["learningcity.privacy"]
# Records staff opening a person's page in the admin (the other audited pages carry a decorator).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "learningcity.privacy.audit.AdminAccessMiddleware",
)
PRIVACY_NOTICE_VERSION = env_str("PRIVACY_NOTICE_VERSION", "2026-11")  # change it when the notice changes
PRIVACY_CONTACT_EMAIL = env_str("PRIVACY_CONTACT_EMAIL", "")  # the data protection contact shown in the notice
RETENTION_UNVERIFIED_DAYS = env_int("RETENTION_UNVERIFIED_DAYS", 30, minimum=1)
RETENTION_INACTIVE_YEARS = env_int("RETENTION_INACTIVE_YEARS", 3, minimum=1)
RETENTION_IMPORT_FILES_DAYS = env_int("RETENTION_IMPORT_FILES_DAYS", 90, minimum=1)
RETENTION_EVIDENCE_DAYS = env_int("RETENTION_EVIDENCE_DAYS", 365, minimum=1)
RETENTION_ACCESS_LOG_DAYS = env_int("RETENTION_ACCESS_LOG_DAYS", 730, minimum=1)
RETENTION_TASK_RESULTS_DAYS = env_int("RETENTION_TASK_RESULTS_DAYS", 30, minimum=1)
# <<< privacy

# >>> robustness: backup and restore, upload and disk limits (issue 9)
# E-mail from background jobs goes through the outbox, so a job rerun after its worker died never
# sends a message twice (learningcity/outbox); EMAIL_URL's backend does the delivery.
INSTALLED_APPS += ["learningcity.outbox"]
EMAIL_DELIVERY_BACKEND = EMAIL_BACKEND
EMAIL_BACKEND = "learningcity.outbox.backend.OnceEmailBackend"
# Jobs whose worker died are run again (learningcity/tasks_recovery.py): at once when the worker ran on
# this machine, after this many seconds when it ran elsewhere; a job is tried at most this many times.
TASKS_STALE_AFTER_SECONDS = env_int("TASKS_STALE_AFTER_SECONDS", 6 * 3600, minimum=60)
TASKS_MAX_ATTEMPTS = env_int("TASKS_MAX_ATTEMPTS", 3, minimum=1)
TASKS_RECOVERY_INTERVAL_SECONDS = env_int("TASKS_RECOVERY_INTERVAL_SECONDS", 60, minimum=1)
# `learningcity backup` / `restore` on PostgreSQL: the folder of pg_dump and pg_restore (empty: from PATH).
BACKUP_PG_BIN = env_str("BACKUP_PG_BIN", "")
# A database restart or a full disk is told as a 503 / 507 (learningcity/failures.py), not a 500; the
# connection is checked before each request reuses it, so the site recovers by itself.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.csrf.CsrfViewMiddleware"), "learningcity.failures.OutageMiddleware"
)
# Uploads are written whole beside their target, then renamed: a failed write leaves no partial file.
STORAGES["default"]["BACKEND"] = "learningcity.storage.CleanFileSystemStorage"
# <<< robustness

# >>> headers: Content-Security-Policy, HSTS, production checks (issue 9)
# No inline script anywhere: scripts come from our own static files; the few <style> blocks (print
# pages) carry the request's nonce. Map tiles may come from MAP_TILE_URL's host (docs/security.md).
# Inside the public cache (performance block), which keeps the header with the answers it keeps.
MIDDLEWARE.insert(
    MIDDLEWARE.index("learningcity.public_cache.PublicCacheMiddleware") + 1, "csp.middleware.CSPMiddleware"
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", *tile_origins(MAP_TILE_URL)],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Behind a reverse proxy that terminates TLS (docs/deployment.md): trust its X-Forwarded-Proto.
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
_https = SITE_URL.startswith("https://")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _https and not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's plain-HTTP probe
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if _https and not DEBUG else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# <<< headers

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
